package cuda

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"framepred/cuda/cudatest"
)

// onGPU says whether the tests run on a real device (FRAMEPRED_GPU=1)
// rather than on the stand-in libraries of framepred/cuda/cudatest.
var onGPU = os.Getenv("FRAMEPRED_GPU") == "1"

var fake cudatest.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	fake.Remove()
	os.Exit(code)
}

// fakeDir builds the stand-in library once per test binary and returns the
// folder holding it under the three libraries' names.
func fakeDir(t testing.TB) string {
	t.Helper()
	// The kernels the stand-in runs are framepred's own sources.
	return filepath.Dir(fake.Libs(t, kernelSources).Driver)
}

// fakeConfig points LoadWith at the stand-in libraries.
func fakeConfig(t testing.TB) Config {
	t.Helper()
	libs := fake.Libs(t, kernelSources)
	return Config{Driver: []string{libs.Driver}, BLAS: []string{libs.BLAS}, NVRTC: []string{libs.NVRTC}}
}

var shared struct {
	once sync.Once
	rt   *Runtime
	err  error
}

// testRuntime loads the real libraries on a GPU machine, the stand-ins
// elsewhere, once per test binary: the runtime keeps compiled kernels, so
// the tests' contexts compile each source once.
func testRuntime(t testing.TB) *Runtime {
	t.Helper()
	cfg := DefaultConfig()
	if !onGPU {
		cfg = fakeConfig(t)
	}
	shared.once.Do(func() { shared.rt, shared.err = LoadWith(cfg) })
	if shared.err != nil {
		t.Fatalf("Load: %v", shared.err)
	}
	return shared.rt
}

// testContext opens device 0 and closes it when the test ends, failing
// the test if Close reports an error.
func testContext(t testing.TB) *Context {
	t.Helper()
	c, err := testRuntime(t).Open(0)
	if err != nil {
		t.Fatalf("Open(0): %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return c
}

// freeAtEnd frees b when the test ends, unless c is closed by then.
func freeAtEnd(t testing.TB, c *Context, b Buffer) {
	t.Cleanup(func() {
		if err := c.Free(b); err != nil && !c.closed {
			t.Errorf("Free: %v", err)
		}
	})
}

func alloc(t testing.TB, c *Context, n int) Buffer {
	t.Helper()
	b, err := c.Alloc(n)
	if err != nil {
		t.Fatal(err)
	}
	freeAtEnd(t, c, b)
	return b
}

func upload(t testing.TB, c *Context, v []float32) Buffer {
	t.Helper()
	b, err := c.Upload(v)
	if err != nil {
		t.Fatal(err)
	}
	freeAtEnd(t, c, b)
	return b
}

func randFloats(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// maxRelErr is the largest |got-want| relative to the largest |want| (at
// least 1). NaN where want has NaN is a match (memory that must stay as
// it was); NaN anywhere else is an infinite error.
func maxRelErr(got, want []float32) float64 {
	scale, worst := 1.0, 0.0
	for _, w := range want {
		if !math.IsNaN(float64(w)) {
			scale = math.Max(scale, math.Abs(float64(w)))
		}
	}
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		switch {
		case math.IsNaN(g) && math.IsNaN(w):
		case math.IsNaN(g) || math.IsNaN(w):
			return math.Inf(1)
		default:
			worst = math.Max(worst, math.Abs(g-w))
		}
	}
	return worst / scale
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
