package atomicfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// names lists dir's entries, sorted.
func names(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	return out
}

// holds checks that dir holds exactly want (sorted names).
func holds(t *testing.T, dir string, want ...string) {
	t.Helper()
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Errorf("folder holds %q, want %q", got, want)
	}
}

// content checks path's bytes and mode.
func content(t *testing.T, path, want string, mode fs.FileMode) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != want {
		t.Errorf("%s holds %q, want %q", path, b, want)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != mode {
		t.Errorf("%s has mode %v, want %v", path, st.Mode().Perm(), mode)
	}
}

// existsError checks that err is an *ExistsError for path.
func existsError(t *testing.T, what string, err error, path string) {
	t.Helper()
	var ee *ExistsError
	if !errors.As(err, &ee) || ee.Path != path || !errors.Is(err, fs.ErrExist) ||
		!strings.Contains(err.Error(), path+" already exists") {
		t.Errorf("%s: error %v, want an ExistsError naming %s that matches fs.ErrExist", what, err, path)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.txt")
	if err := WriteFile(path, []byte("first"), false); err != nil {
		t.Fatal(err)
	}
	content(t, path, "first", Perm)
	holds(t, dir, "report.txt")

	// Without force the file stays; with force it is replaced, its mode
	// with it.
	existsError(t, "WriteFile over a file", WriteFile(path, []byte("second"), false), path)
	content(t, path, "first", Perm)
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("second"), true); err != nil {
		t.Fatal(err)
	}
	content(t, path, "second", Perm)
	holds(t, dir, "report.txt")

	// A relative name is written in the working folder.
	t.Chdir(dir)
	if err := WriteFile("plain", nil, false); err != nil {
		t.Fatal(err)
	}
	content(t, filepath.Join(dir, "plain"), "", Perm)
	holds(t, dir, "plain", "report.txt")
}

// TestNoOverwrite checks that without force no way of writing replaces a
// file: one there from the start is refused at once, one that appears while
// the data is written is refused at Commit, and either way it keeps its
// bytes and no temporary file is left.
func TestNoOverwrite(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old")
	if err := os.WriteFile(old, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("nowhere", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{old, filepath.Join(dir, "link")} {
		_, err := Create(p, false)
		existsError(t, "Create", err, p)
		_, err = Reserve(p, false)
		existsError(t, "Reserve", err, p)
		existsError(t, "CheckNew", CheckNew(p), p)
	}
	content(t, old, "precious", 0o600)

	late := filepath.Join(dir, "late")
	commits := map[string]func() error{
		"File": func() error {
			f, err := Create(late, false)
			if err != nil {
				return err
			}
			if _, err := f.Write([]byte("new")); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(late, []byte("precious"), 0o600); err != nil {
				t.Fatal(err)
			}
			return f.Commit()
		},
		"Pending": func() error {
			p, err := Reserve(late, false)
			if err != nil {
				return err
			}
			if err := os.WriteFile(p.TempPath(), []byte("new"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(late, []byte("precious"), 0o600); err != nil {
				t.Fatal(err)
			}
			return p.Commit()
		},
		"two writers": func() error {
			// Two writers of one name: the first to commit wins.
			a, err := Create(late, false)
			if err != nil {
				return err
			}
			b, err := Create(late, false)
			if err != nil {
				return err
			}
			a.Write([]byte("precious"))
			b.Write([]byte("new"))
			if err := a.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(late, 0o600); err != nil {
				t.Fatal(err)
			}
			return b.Commit()
		},
	}
	for name, commit := range commits {
		t.Run(name, func(t *testing.T) {
			existsError(t, "Commit onto a file made meanwhile", commit(), late)
			content(t, late, "precious", 0o600)
			holds(t, dir, "late", "link", "old")
			if err := os.Remove(late); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestForce checks that with force a file is replaced, also one that
// appears during the write.
func TestForce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "v.mp4")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Reserve(path, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p.TempPath(), []byte("by name"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	content(t, path, "by name", Perm)

	late := filepath.Join(dir, "late")
	f, err := Create(late, true)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("new"))
	if err := os.WriteFile(late, []byte("meanwhile"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	content(t, late, "new", Perm)
	holds(t, dir, "late", "v.mp4")
}

// TestTempNames checks that the temporary file is hidden, sits in the
// target's folder and is recognised by Target.
func TestTempNames(t *testing.T) {
	dir := t.TempDir()
	for _, base := range []string{"a.mp4", "step-000040.safetensors", ".hidden", "x.tar.gz", "no-dot"} {
		path := filepath.Join(dir, base)
		f, err := Create(path, false)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Reserve(path, false)
		if err != nil {
			t.Fatal(err)
		}
		if p.Path() != path {
			t.Errorf("Path() = %q, want %q", p.Path(), path)
		}
		tmps := []string{f.Name(), p.TempPath()}
		holdsTemps := names(t, dir)
		slices.Sort(tmps)
		for i, tmp := range tmps {
			name := filepath.Base(tmp)
			if filepath.Dir(tmp) != dir || !strings.HasPrefix(name, "."+base+".") || !strings.HasSuffix(name, ".tmp") {
				t.Errorf("temporary file %s for %s: want .%s.*.tmp in %s", tmp, path, base, dir)
			}
			if i >= len(holdsTemps) || holdsTemps[i] != name {
				t.Errorf("folder holds %q, want the temporary files %q", holdsTemps, tmps)
			}
			if got, ok := Target(name); !ok || got != base {
				t.Errorf("Target(%q) = %q, %v; want %q, true", name, got, ok, base)
			}
		}
		if err := errors.Join(f.Abort(), p.Abort()); err != nil {
			t.Fatal(err)
		}
		holds(t, dir)
	}

	for _, name := range []string{
		"a.mp4", ".a.mp4", ".a.mp4.tmp", "a.mp4.123.tmp", ".a.mp4.12x.tmp", "..123.tmp", ".a.mp4..tmp",
		".step-000040.safetensors.tmp123", // the name an earlier safetensors writer used
	} {
		if got, ok := Target(name); ok {
			t.Errorf("Target(%q) = %q, true; want false", name, got)
		}
	}
}

// TestFailures checks that a write that fails leaves nothing under the
// final name and no temporary file, and that the error names the path.
func TestFailures(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing", "x")
	if err := WriteFile(missing, nil, true); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "cannot write "+missing) {
		t.Errorf("write into a missing folder: error %v, want fs.ErrNotExist naming %s", err, missing)
	}
	if _, err := Reserve(dir+"/", false); err == nil || !strings.Contains(err.Error(), "names a folder") {
		t.Errorf("Reserve of a folder name: error %v, want one saying it names a folder", err)
	}

	// With force, a folder in the way cannot be replaced.
	sub := filepath.Join(dir, "sub")
	if err := os.MkdirAll(filepath.Join(sub, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(sub, []byte("x"), true); err == nil || !strings.Contains(err.Error(), "cannot write "+sub) {
		t.Errorf("forced write over a folder: error %v, want one naming %s", err, sub)
	}
	holds(t, dir, "sub")

	// Aborts, twice; Commit after Abort.
	path := filepath.Join(dir, "a")
	f, err := Create(path, false)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("half"))
	if err := errors.Join(f.Abort(), f.Abort()); err != nil {
		t.Errorf("Abort: %v", err)
	}
	if err := f.Commit(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Commit after Abort: error %v, want fs.ErrClosed", err)
	}
	if _, err := f.Write([]byte("more")); !errors.Is(err, fs.ErrClosed) || !strings.Contains(err.Error(), "cannot write "+path+":") {
		t.Errorf("Write after Abort: error %v, want fs.ErrClosed naming %s", err, path)
	}
	p, err := Reserve(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(p.Abort(), p.Abort()); err != nil {
		t.Errorf("Abort: %v", err)
	}
	if err := p.Commit(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Commit after Abort: error %v, want fs.ErrClosed", err)
	}
	holds(t, dir, "sub")

	// A temporary file someone removed cannot be committed.
	p, err = Reserve(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(p.TempPath()); err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "cannot write "+path) {
		t.Errorf("Commit of a removed temporary file: error %v, want fs.ErrNotExist naming %s", err, path)
	}
	holds(t, dir, "sub")

	// Abort after Commit does nothing.
	f, err = Create(path, false)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("whole"))
	if err := errors.Join(f.Commit(), f.Abort()); err != nil {
		t.Fatal(err)
	}
	content(t, path, "whole", Perm)
}

// fsizeEnv, when set, makes TestFullFile run as the child of its own
// rlimit case: the value is the folder to write into.
const fsizeEnv = "FRAMEPRED_ATOMICFILE_FSIZE_CHILD"

// TestFullFile writes more than a 64 KiB file size limit allows (EFBIG, as
// a full disk gives ENOSPC) in a child process, and checks the error and
// that the folder is left empty.
func TestFullFile(t *testing.T) {
	if dir := os.Getenv(fsizeEnv); dir != "" {
		lim := &syscall.Rlimit{Cur: 64 << 10, Max: 64 << 10}
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, lim); err != nil {
			t.Fatalf("setrlimit: %v", err)
		}
		path := filepath.Join(dir, "big")
		err := WriteFile(path, bytes.Repeat([]byte("x"), 128<<10), false)
		if !errors.Is(err, syscall.EFBIG) || !strings.Contains(err.Error(), "cannot write "+path+": file too large") {
			t.Errorf("error %v, want %q", err, "cannot write "+path+": file too large")
		}
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFullFile$")
	cmd.Env = append(os.Environ(), fsizeEnv+"="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child run: %v\n%s", err, out)
	}
	holds(t, dir)
}

// TestSyncFolder checks that a commit syncs the target's folder and
// reports a failure to; the file has its name by then.
func TestSyncFolder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a")
	var synced []string
	fail := errors.New("disk on fire")
	syncFolder = func(d string) error {
		synced = append(synced, d)
		return fail
	}
	t.Cleanup(func() { syncFolder = syncDir })
	if err := WriteFile(path, []byte("whole"), false); !errors.Is(err, fail) {
		t.Errorf("error %v, want the folder sync's", err)
	}
	if !slices.Equal(synced, []string{dir}) {
		t.Errorf("synced folders %q, want %q", synced, dir)
	}
	content(t, path, "whole", Perm)
	holds(t, dir, "a")

	if err := syncDir(dir); err != nil {
		t.Errorf("syncDir(%s): %v", dir, err)
	}
	gone := filepath.Join(dir, "gone")
	if err := syncDir(gone); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "cannot sync folder "+gone) {
		t.Errorf("syncDir of a missing folder: error %v, want fs.ErrNotExist naming it", err)
	}
}

// TestNoHardLinks checks the fallback for file systems without hard links:
// a check, then a rename, still refusing a file that is there.
func TestNoHardLinks(t *testing.T) {
	link = func(_, _ string) error { return &os.LinkError{Op: "link", Err: syscall.EPERM} }
	t.Cleanup(func() { link = os.Link })
	dir := t.TempDir()
	path := filepath.Join(dir, "a")
	if err := WriteFile(path, []byte("whole"), false); err != nil {
		t.Fatal(err)
	}
	content(t, path, "whole", Perm)

	f, err := Create(filepath.Join(dir, "late"), false)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("new"))
	if err := os.WriteFile(filepath.Join(dir, "late"), []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	existsError(t, "Commit onto a file made meanwhile", f.Commit(), filepath.Join(dir, "late"))
	content(t, filepath.Join(dir, "late"), "precious", 0o600)
	holds(t, dir, "a", "late")
}

func TestExplain(t *testing.T) {
	ee := &ExistsError{Path: "out/a.mp4"}
	other := errors.New("cannot write out/a.mp4: no space left on device")
	for _, tc := range []struct {
		err          error
		prefix, hint string
		want         string
	}{
		{ee, "encode", "set Force to replace it", "encode: out/a.mp4 already exists (set Force to replace it)"},
		{ee, "", "use --force to replace it", "out/a.mp4 already exists (use --force to replace it)"},
		{ee, "evaluate", "", "evaluate: out/a.mp4 already exists"},
		{other, "encode", "set Force to replace it", "encode: cannot write out/a.mp4: no space left on device"},
		{other, "", "use --force to replace it", "cannot write out/a.mp4: no space left on device"},
	} {
		err := Explain(tc.err, tc.prefix, tc.hint)
		if err == nil || err.Error() != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("Explain(%q, %q, %q) = %v, want %q wrapping the error", tc.err, tc.prefix, tc.hint, err, tc.want)
		}
	}
	if err := Explain(nil, "encode", "set Force"); err != nil {
		t.Errorf("Explain(nil) = %v", err)
	}
}
