package cudatest

import (
	"errors"
	"os"
	"sync"
	"testing"
)

// Shared builds the stand-in once for a whole test binary, into a
// temporary folder that [Shared.Remove] deletes. The zero value is ready
// to use; a package's tests keep one in a variable.
type Shared struct {
	once sync.Once
	dir  string
	libs Libs
	err  error
}

// Libs builds the stand-in with kernels on the first call and returns its
// paths. It skips t where the stand-in cannot be built here
// ([ErrUnavailable]) and fails t on any other error.
func (s *Shared) Libs(t testing.TB, kernels map[string]string) Libs {
	t.Helper()
	s.once.Do(func() {
		if s.dir, s.err = os.MkdirTemp("", "fakecuda"); s.err == nil {
			s.libs, s.err = Build(s.dir, kernels)
		}
	})
	if errors.Is(s.err, ErrUnavailable) {
		t.Skipf("skipped: %v", s.err)
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.libs
}

// Remove deletes what Libs built; TestMain calls it after the tests.
func (s *Shared) Remove() {
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}
