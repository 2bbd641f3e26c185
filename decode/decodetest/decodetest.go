package decodetest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// testsrc is 90 frames (3 s at 30 fps) of lavfi's testsrc2, a moving
// pattern that compresses like real video, at 160x90.
var testsrc = []string{"-f", "lavfi", "-i", "testsrc2=s=160x90:r=30:d=3"}

// H264Args are the ffmpeg arguments of testsrc as H.264 with a keyframe
// every 15 frames, then extra.
func H264Args(extra ...string) []string {
	args := append(append([]string{}, testsrc...), "-c:v", "libx264", "-preset", "ultrafast", "-g", "15")
	return append(args, extra...)
}

// WebMArgs are the ffmpeg arguments of testsrc as VP9 (for a .webm name).
func WebMArgs() []string {
	return append(append([]string{}, testsrc...), "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-g", "15")
}

// AudioArgs are the ffmpeg arguments of half a second of AAC sine and no
// video (for a .m4a name).
func AudioArgs() []string {
	return []string{"-f", "lavfi", "-i", "sine=d=0.5", "-c:a", "aac"}
}

// NeedFFmpeg fails t when the ffmpeg command is missing.
func NeedFFmpeg(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatalf("the ffmpeg command is needed to make test videos but was not found (%v); `make deps` installs it (Debian package ffmpeg)", err)
	}
}

// FFmpeg runs the ffmpeg command with args and out as the output file,
// overwriting it.
func FFmpeg(out string, args ...string) error {
	cmd := exec.Command("ffmpeg", append(append([]string{"-v", "error", "-nostdin", "-y"}, args...), out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("ffmpeg %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	return nil
}

// FirstHalf writes the first half of src's bytes to dir/trunc-<name>.
func FirstHalf(t testing.TB, dir, src string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	return write(t, filepath.Join(dir, "trunc-"+filepath.Base(src)), b[:len(b)/2])
}

// Missing is dir/nope/x.mp4, a path that does not exist.
func Missing(dir string) string {
	return filepath.Join(dir, "nope", "x.mp4")
}

// FIFO makes the named pipe dir/pipe.mp4.
func FIFO(t testing.TB, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "pipe.mp4")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Empty writes the zero-byte file dir/empty.mp4.
func Empty(t testing.TB, dir string) string {
	t.Helper()
	return write(t, filepath.Join(dir, "empty.mp4"), nil)
}

// Random writes 64 KiB of seeded random bytes, the same each call, to
// dir/name.
func Random(t testing.TB, dir, name string) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 64<<10)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return write(t, filepath.Join(dir, name), b)
}

// Text writes lines of plain text to dir/text.mp4.
func Text(t testing.TB, dir string) string {
	t.Helper()
	return write(t, filepath.Join(dir, "text.mp4"), []byte(strings.Repeat("this is not a video\n", 50)))
}

func write(t testing.TB, path string, b []byte) string {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
