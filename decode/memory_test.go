package decode

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"framepred/decode/decodetest"
)

// rssBytes reads the process's resident set size from /proc.
func rssBytes(t testing.TB) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatalf("reading RSS: %v", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("parsing VmRSS %q: %v", rest, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

func needProc(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("RSS is read from /proc/self/status, which only Linux has")
	}
}

const mb = 1 << 20

// TestMemoryFlatWithLength streams clips from 1080p files 2, 4 and 8 s
// long and records the peak RSS of each run. A reader that kept frames
// (Go tensors of 128x128 RGB, 192 KiB each, or FFmpeg's 1080p pictures,
// 3 MiB each) would grow by 35 MiB or more from 60 to 240 frames; the
// bound is 20 MiB. The files are one 1 s segment looped with stream copy,
// so they are quick to make.
func TestMemoryFlatWithLength(t *testing.T) {
	needProc(t)
	base := fixture(t, "base1080.mp4", "-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=30:d=1",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "15")
	loops := []int{2, 4, 8}
	paths := make([]string, len(loops))
	for i, n := range loops {
		paths[i] = fixture(t, fmt.Sprintf("base1080x%d.mp4", n), "-stream_loop", strconv.Itoa(n-1), "-i", base, "-c", "copy")
	}
	// A low GC target keeps the Go heap near its live size, so that RSS
	// shows what is held rather than when the collector last ran.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	o := Options{Width: 128, Height: 128}
	co := ClipOptions{Context: 4, Future: 4, Stride: 2, Shuffle: true, Seed: 1, Buffer: 8}

	run := func(path string) (clips int, peak int64) {
		runtime.GC()
		debug.FreeOSMemory()
		c, err := NewClips([]string{path}, o, co)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for {
			_, err := c.Next()
			if errors.Is(err, io.EOF) {
				return clips, peak
			}
			if err != nil {
				t.Fatal(err)
			}
			clips++
			peak = max(peak, rssBytes(t))
		}
	}
	// Warm up on the shortest file only (a longer one could leave RSS high
	// and hide growth): the first runs grow RSS by a few MiB each while
	// malloc's per-thread arenas, FFmpeg's pools and the Go heap settle.
	for range 3 {
		run(paths[0])
	}
	var peaks []int64
	for i, p := range paths {
		clips, peak := run(p)
		wantClips := (30*loops[i]-8)/2 + 1
		if clips != wantClips {
			t.Errorf("%dx file: %d clips, want %d", loops[i], clips, wantClips)
		}
		peaks = append(peaks, peak)
		t.Logf("%d s file (%d frames of 1080p): %d clips, peak RSS %.1f MiB", loops[i], 30*loops[i], clips, float64(peak)/mb)
	}
	if growth := peaks[len(peaks)-1] - peaks[0]; growth > 20*mb {
		t.Errorf("peak RSS grew by %.1f MiB from the 2 s to the 8 s file, want < 20 MiB", float64(growth)/mb)
	}
}

// TestNoLeak opens, decodes and closes files 200 times, good and bad, with
// options that touch every FFmpeg object decode allocates (threads,
// scaler, crop, held frames for FPS), and compares RSS after the first 50
// rounds (when allocator pools have settled) with RSS after 200.
// Forgetting to free the codec context, format context or scaler leaks far
// more than the 8 MiB bound over 150 rounds.
func TestNoLeak(t *testing.T) {
	needProc(t)
	good := countMP4(t)
	audio := fixture(t, "audio.m4a", decodetest.AudioArgs()...)
	damaged := decodetest.FirstHalf(t, t.TempDir(), h264(t, "faststart.mp4", "-movflags", "+faststart"))
	opts := []Options{
		{Width: 32, Height: 32},
		{Width: 40, Height: 20, Aspect: Crop, Gray: true},
		{FPS: 45, Duration: 1e9},
		{Start: 1e9, Threads: 1},
	}
	var rss50 int64
	for i := 1; i <= 200; i++ {
		if _, err := readAll(t, good, opts[i%len(opts)]); err != nil {
			t.Fatal(err)
		}
		o := opts[i%len(opts)]
		o.Duration = 0 // read up to the damage
		if _, err := readAll(t, damaged, o); !errors.Is(err, ErrDamaged) {
			t.Fatalf("damaged file: %v", err)
		}
		if _, err := Open(audio, Options{}); !errors.Is(err, ErrNoVideo) {
			t.Fatalf("audio file: %v", err)
		}
		if _, err := Probe(good); err != nil {
			t.Fatal(err)
		}
		if i == 50 || i == 200 {
			runtime.GC()
			debug.FreeOSMemory()
			rss := rssBytes(t)
			t.Logf("after %d rounds: RSS %.1f MiB", i, float64(rss)/mb)
			if i == 50 {
				rss50 = rss
			} else if growth := rss - rss50; growth > 8*mb {
				t.Errorf("RSS grew by %.1f MiB from round 50 to 200, want < 8 MiB", float64(growth)/mb)
			}
		}
	}
}
