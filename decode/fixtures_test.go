package decode

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"framepred/decode/decodetest"
	"framepred/frame"
)

// Test videos are made with the ffmpeg command line from lavfi sources.
// They are shared by the tests of one run (made once, in a directory that
// TestMain removes) because making them is most of the suite's time.

var (
	fixDir  string
	fixMu   sync.Mutex
	fixDone = map[string]error{}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "framepred-decode-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fixture returns the path of the shared test video name, making it with
// ffmpeg args (the output path is appended) the first time. It fails the
// test when the ffmpeg command is missing: the tests cannot make their
// videos without it, and skipping would hide that.
func fixture(t testing.TB, name string, args ...string) string {
	t.Helper()
	path := filepath.Join(fixDir, name)
	fixMu.Lock()
	defer fixMu.Unlock()
	err, done := fixDone[name]
	if !done {
		decodetest.NeedFFmpeg(t)
		err = decodetest.FFmpeg(path, args...)
		fixDone[name] = err
	}
	if err != nil {
		t.Fatalf("making test video %s: %v", name, err)
	}
	return path
}

// countSrc is a lavfi graph of w x h frames at 30 fps whose luma encodes the
// frame number n: Y = 16 + 3n (TV range), so full-range gray is 3n/219.
func countSrc(w, h int, seconds float64) string {
	return fmt.Sprintf("color=c=black:s=%dx%d:r=30:d=%g,format=yuv420p,geq=lum='16+3*N':cb=128:cr=128", w, h, seconds)
}

// countMP4 is 60 frames (2 s at 30 fps) of countSrc in H.264 with B-frames
// and a keyframe every 12 frames.
func countMP4(t testing.TB) string {
	return fixture(t, "count.mp4", "-f", "lavfi", "-i", countSrc(64, 48, 2),
		"-c:v", "libx264", "-crf", "5", "-g", "12", "-bf", "2")
}

// frameNumber reads back the frame number from a gray frame of countSrc.
func frameNumber(f frame.Frame) int {
	return int(math.Round(float64(mean(f.Plane(0))) * 219 / 3))
}

func mean(v []float32) float32 {
	var s float64
	for _, x := range v {
		s += float64(x)
	}
	return float32(s / float64(len(v)))
}

// readAll decodes every frame of path. The error is nil at a clean end.
func readAll(t testing.TB, path string, o Options) ([]frame.Frame, error) {
	t.Helper()
	r, err := Open(path, o)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var fs []frame.Frame
	for {
		f, err := r.Next()
		if errors.Is(err, io.EOF) {
			return fs, nil
		}
		if err != nil {
			return fs, err
		}
		if verr := f.Validate(); verr != nil {
			t.Fatalf("%s: frame %d: %v", path, len(fs), verr)
		}
		fs = append(fs, f)
	}
}

func mustReadAll(t testing.TB, path string, o Options) []frame.Frame {
	t.Helper()
	fs, err := readAll(t, path, o)
	if err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
	return fs
}
