package encode

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"framepred/frame"
)

// fsizeEnv, when set, makes TestFullDisk run as the child of its rlimit
// case: the value is the folder to fill.
const fsizeEnv = "FRAMEPRED_ENCODE_FSIZE_CHILD"

// TestFullDisk writes a video that cannot fit and checks that the error
// names the problem and that nothing is left under the final name, nor any
// temporary file. Two ways to run out of room: a 64 KiB tmpfs (real
// ENOSPC; needs root) and, anywhere, a child process with a 64 KiB file
// size limit (EFBIG).
func TestFullDisk(t *testing.T) {
	if dir := os.Getenv(fsizeEnv); dir != "" {
		lim := &syscall.Rlimit{Cur: 64 << 10, Max: 64 << 10}
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, lim); err != nil {
			t.Fatalf("setrlimit: %v", err)
		}
		overfill(t, dir, "file too large")
		return
	}

	t.Run("tmpfs", func(t *testing.T) {
		dir := t.TempDir()
		if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=64k"); err != nil {
			t.Skipf("cannot mount a small tmpfs (%v): needs root; the rlimit case still runs", err)
		}
		t.Cleanup(func() {
			if err := syscall.Unmount(dir, 0); err != nil {
				t.Errorf("unmount %s: %v", dir, err)
			}
		})
		overfill(t, dir, "no space left on device")
	})

	t.Run("rlimit", func(t *testing.T) {
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestFullDisk$", "-test.v")
		cmd.Env = append(os.Environ(), fsizeEnv+"="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "overfill: ") {
			t.Fatalf("child run: %v\n%s", err, out)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if strings.Contains(line, "overfill: ") {
				t.Log(strings.TrimSpace(line))
			}
		}
	})
}

// overfill writes noisy frames (which compress badly) into dir until the
// Writer fails, then checks the error and the folder.
func overfill(t *testing.T, dir, want string) {
	path := filepath.Join(dir, "big.mp4")
	w, err := Create(path, Options{CRF: 1, Preset: "ultrafast"})
	if err != nil {
		t.Fatal(err)
	}
	rng := newRNG()
	f := frame.New(3, 128, 128)
	var werr error
	for i := 0; i < 100 && werr == nil; i++ {
		for j := range f.Pix {
			f.Pix[j] = rng.Float32()
		}
		werr = w.Write(f)
	}
	cerr := w.Close()
	err = errors.Join(werr, cerr)
	t.Logf("overfill: Write: %v; Close: %v", werr, cerr)
	if cerr == nil {
		t.Fatalf("Close succeeded on a full disk")
	}
	if !strings.Contains(strings.ToLower(err.Error()), want) || !strings.Contains(cerr.Error(), path) {
		t.Errorf("error %q, want one naming %s and saying %q", err, path, want)
	}
	if names := listDir(t, dir); len(names) != 0 {
		t.Errorf("folder holds %v after the failed write, want nothing", names)
	}
}
