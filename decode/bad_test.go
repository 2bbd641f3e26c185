package decode

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"framepred/decode/decodetest"
	"framepred/frame"
)

// h264 is the shared test video name: 90 frames (3 s at 30 fps) of a
// moving pattern at 160x90 in H.264, made with extra ffmpeg arguments.
func h264(t *testing.T, name string, extra ...string) string {
	return fixture(t, name, decodetest.H264Args(extra...)...)
}

// webm is the same frames as h264's in VP9.
func webm(t *testing.T) string {
	return fixture(t, "testsrc.webm", decodetest.WebMArgs()...)
}

// withTimeout runs f and fails the test if it has not returned after a
// generous time: the inputs here must never make decode hang.
func withTimeout(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not return (hang)", what)
	}
}

// TestOpenBadInput: inputs that cannot be decoded at all fail at Open and
// Probe with an error that names the file, says what is wrong in words and
// matches a sentinel.
func TestOpenBadInput(t *testing.T) {
	dir := t.TempDir()
	audio := fixture(t, "audio.m4a", decodetest.AudioArgs()...)

	tests := []struct {
		name  string
		path  string
		is    error
		words string // plain-English part of the message
	}{
		{"missing", decodetest.Missing(dir), fs.ErrNotExist, "no such file"},
		{"directory", dir, ErrNotRegular, "directory"},
		{"fifo", decodetest.FIFO(t, dir), ErrNotRegular, "named pipe"},
		{"empty", decodetest.Empty(t, dir), ErrFormat, "empty"},
		{"random bytes", decodetest.Random(t, dir, "random.bin"), ErrFormat, "not a video file FFmpeg can read"},
		{"random bytes named mp4", decodetest.Random(t, dir, "random.mp4"), ErrFormat, "not a video file FFmpeg can read"},
		{"text named mp4", decodetest.Text(t, dir), ErrFormat, "not a video file FFmpeg can read"},
		{"audio only", audio, ErrNoVideo, "1 stream: audio aac"},
		{"truncated, index at the end", decodetest.FirstHalf(t, dir, h264(t, "moov-at-end.mp4")), ErrDamaged, "index (moov box) is missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rerr, perr error
			withTimeout(t, "Open", func() {
				var r *Reader
				r, rerr = Open(tc.path, Options{Width: 32, Height: 32})
				if r != nil {
					r.Close()
				}
				_, perr = Probe(tc.path)
			})
			for _, err := range []error{rerr, perr} {
				if err == nil {
					t.Fatal("no error")
				}
				msg := err.Error()
				if !errors.Is(err, tc.is) {
					t.Errorf("error %q does not match %v", msg, tc.is)
				}
				if !strings.Contains(msg, tc.path) || !strings.Contains(msg, tc.words) || !strings.HasPrefix(msg, "decode: ") {
					t.Errorf("error %q should start with decode:, name %s and say %q", msg, tc.path, tc.words)
				}
			}
		})
	}
}

// TestDamaged: a truncated or corrupted file gives the frames that decode
// and then an error wrapping ErrDamaged, not io.EOF; the same file whole
// ends cleanly (checked first, so a false alarm fails too).
func TestDamaged(t *testing.T) {
	dir := t.TempDir()
	corrupt := func(src string) string {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		// Random bytes over a stretch in the middle of the media data.
		rng := rand.New(rand.NewPCG(3, 4))
		for i := len(b) * 2 / 5; i < len(b)*2/5+2000; i++ {
			b[i] = byte(rng.Uint32())
		}
		dst := filepath.Join(dir, "corrupt-"+filepath.Base(src))
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return dst
	}
	tests := []struct {
		name    string
		whole   string
		damaged func(string) string
		words   string
		minN    int
		maxN    int
	}{
		// Half the bytes hold a bit under half the frames.
		{"truncated faststart mp4", h264(t, "faststart.mp4", "-movflags", "+faststart"), func(p string) string { return decodetest.FirstHalf(t, dir, p) }, "cut off", 20, 60},
		{"truncated webm", webm(t), func(p string) string { return decodetest.FirstHalf(t, dir, p) }, "cut off", 20, 60},
		{"corrupted middle mp4", h264(t, "moov-at-end.mp4"), corrupt, "decoding error", 60, 90},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if fs := mustReadAll(t, tc.whole, Options{Width: 32, Height: 32}); len(fs) != 90 {
				t.Fatalf("whole file: %d frames, want 90", len(fs))
			}
			path := tc.damaged(tc.whole)
			var fs []frame.Frame
			var err error
			withTimeout(t, "decoding", func() {
				fs, err = readAll(t, path, Options{Width: 32, Height: 32})
			})
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("after %d frames: error %v, want ErrDamaged", len(fs), err)
			}
			msg := err.Error()
			if !strings.Contains(msg, path) || !strings.Contains(msg, tc.words) {
				t.Errorf("error %q should name %s and say %q", msg, path, tc.words)
			}
			if len(fs) < tc.minN || len(fs) > tc.maxN {
				t.Errorf("%d frames before the error, want %d to %d", len(fs), tc.minN, tc.maxN)
			}
			t.Logf("%d frames, then: %v", len(fs), err)
		})
	}
}

// TestOddNames: FFmpeg reads "x:y" as protocol x; decode must open such
// names as files.
func TestOddNames(t *testing.T) {
	src := countMP4(t)
	dir := t.TempDir()
	for _, name := range []string{"a:b.mp4", "file:c.mp4", "http:d.mp4", "-"} {
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if fs := mustReadAll(t, p, Options{MaxFrames: 3}); len(fs) != 3 {
			t.Errorf("%s: %d frames, want 3", name, len(fs))
		}
	}
	// Relative names too.
	t.Chdir(dir)
	if fs := mustReadAll(t, "a:b.mp4", Options{MaxFrames: 3}); len(fs) != 3 {
		t.Errorf("relative a:b.mp4: %d frames, want 3", len(fs))
	}
}
