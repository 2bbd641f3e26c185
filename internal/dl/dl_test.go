package dl

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// libm is on every glibc system, so it stands in for an optional library
// that is present.
const libm = "libm.so.6"

func TestOpenAndSymbol(t *testing.T) {
	l, err := Open("libframepred-absent.so.9", libm)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer l.Close()
	if l.Name() != libm {
		t.Errorf("Name() = %q, want the candidate that loaded, %q", l.Name(), libm)
	}
	if !strings.HasPrefix(l.Path(), "/") || !strings.Contains(l.Path(), "libm") {
		t.Errorf("Path() = %q, want an absolute path to libm", l.Path())
	}
	p, err := l.Symbol("cos")
	if err != nil || p == nil {
		t.Fatalf("Symbol(cos) = %v, %v", p, err)
	}
	if _, err := l.Symbol("framepred_no_such_function"); err == nil || !strings.Contains(err.Error(), "framepred_no_such_function") {
		t.Errorf("Symbol of a missing name: err = %v, want one naming it", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := l.Symbol("cos"); err == nil {
		t.Error("Symbol after Close succeeded")
	}
}

func TestOpenMissing(t *testing.T) {
	_, err := Open("libframepred-absent.so.1", "libframepred-absent.so")
	var oe *OpenError
	if !errors.As(err, &oe) {
		t.Fatalf("err = %v, want *OpenError", err)
	}
	if !oe.NotFound() {
		t.Errorf("NotFound() = false for names that exist nowhere: %v", err)
	}
	if got := strings.Join(oe.Names(), ","); got != "libframepred-absent.so.1,libframepred-absent.so" {
		t.Errorf("Names() = %s", got)
	}
}

func TestOpenNotALibrary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "libfake.so.1")
	if err := os.WriteFile(path, []byte("not an ELF file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path)
	var oe *OpenError
	if !errors.As(err, &oe) {
		t.Fatalf("err = %v, want *OpenError", err)
	}
	if oe.NotFound() {
		t.Errorf("NotFound() = true for a file that exists but is no library: %v", err)
	}
}

// TestOpenMissingDependency builds a library that needs another one, removes
// the other, and checks that the failure is not reported as "not found":
// the message a user sees must point at the dependency.
func TestOpenMissingDependency(t *testing.T) {
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler (cc) to build the test libraries")
	}
	dir := t.TempDir()
	dep, top := filepath.Join(dir, "libfpdep.so"), filepath.Join(dir, "libfptop.so")
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	depSrc := write("dep.c", "int fp_dep(void) { return 7; }\n")
	topSrc := write("top.c", "int fp_dep(void);\nint fp_top(void) { return fp_dep(); }\n")
	run := func(args ...string) {
		if out, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
			t.Fatalf("cc %v: %v\n%s", args, err, out)
		}
	}
	run("-shared", "-fPIC", "-o", dep, depSrc)
	run("-shared", "-fPIC", "-o", top, topSrc, "-L"+dir, "-lfpdep")
	if err := os.Remove(dep); err != nil {
		t.Fatal(err)
	}
	_, err = Open(top)
	var oe *OpenError
	if !errors.As(err, &oe) {
		t.Fatalf("err = %v, want *OpenError", err)
	}
	if oe.NotFound() {
		t.Errorf("NotFound() = true although %s exists and only its dependency is missing: %v", top, err)
	}
	if !strings.Contains(err.Error(), "libfpdep.so") {
		t.Errorf("error %q does not name the missing dependency", err)
	}
}
