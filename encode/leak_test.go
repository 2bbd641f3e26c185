package encode

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"framepred/frame"
)

// rss is the process's resident memory in bytes (Linux).
func rss(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skipf("no /proc/self/statm (%v): resident memory is measured on Linux only", err)
	}
	pages, err := strconv.ParseInt(strings.Fields(string(b))[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	return pages * int64(os.Getpagesize())
}

// TestNoLeak opens and ends many writers, by Close, Abort and a failed
// Close, and checks that resident memory stays flat: each libx264 encoder
// holds megabytes, so a writer that did not free its FFmpeg objects would
// show within a hundred.
func TestNoLeak(t *testing.T) {
	dir := t.TempDir()
	f := movingScene(newRNG(), 1, 3, 64, 64)[0]
	once := func(i int) {
		path := filepath.Join(dir, fmt.Sprintf("v%d.mp4", i))
		w, err := Create(path, Options{Preset: "ultrafast"})
		if err != nil {
			t.Fatal(err)
		}
		switch i % 3 {
		case 0:
			if err := w.Write(f); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			os.Remove(path)
		case 1:
			if err := w.Write(f); err != nil {
				t.Fatal(err)
			}
			if err := w.Abort(); err != nil {
				t.Fatal(err)
			}
		case 2:
			if err := w.Write(f); err != nil {
				t.Fatal(err)
			}
			if err := w.Write(frame.New(3, 8, 8)); err == nil {
				t.Fatal("a frame of another shape was taken")
			}
			w.err = fmt.Errorf("injected") // as after a failed write
			if err := w.Close(); err == nil {
				t.Fatal("Close after an error succeeded")
			}
		}
	}
	for i := range 30 { // warm up allocator pools
		once(i)
	}
	before := rss(t)
	const n = 150
	for i := range n {
		once(i)
	}
	after := rss(t)
	t.Logf("resident memory %d MiB -> %d MiB over %d writers", before>>20, after>>20, n)
	if grow := after - before; grow > 16<<20 {
		t.Errorf("resident memory grew %d MiB over %d writers, want < 16 MiB", grow>>20, n)
	}
}
