package decode

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"framepred/frame"
)

// clipKey identifies a clip for order comparisons.
type clipKey struct {
	src   string
	start int
}

// allClips reads every clip, checking each against the frame numbers of
// the count videos: a clip starting at s holds frames s, s+1, ... in order
// (shifted by first, the source's first frame number).
func allClips(t *testing.T, paths []string, o Options, co ClipOptions) []clipKey {
	t.Helper()
	c, err := NewClips(paths, o, co)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var keys []clipKey
	for {
		clip, err := c.Next()
		if errors.Is(err, io.EOF) {
			return keys
		}
		if err != nil {
			t.Fatalf("after %d clips: %v", len(keys), err)
		}
		checkClip(t, clip, co)
		keys = append(keys, clipKey{clip.Source, clip.Start})
	}
}

func checkClip(t *testing.T, clip frame.Clip, co ClipOptions) {
	t.Helper()
	if len(clip.Context) != co.Context || len(clip.Future) != co.Future {
		t.Fatalf("clip has %d+%d frames, want %d+%d", len(clip.Context), len(clip.Future), co.Context, co.Future)
	}
	for i, f := range append(slices.Clone(clip.Context), clip.Future...) {
		if n := frameNumber(f); n != clip.Start+i {
			t.Fatalf("%s clip at %d: frame %d is source frame %d, want %d", clip.Source, clip.Start, i, n, clip.Start+i)
		}
	}
}

// count30 is 30 frames (1 s) of countSrc.
func count30(t *testing.T) string {
	return fixture(t, "count30.mp4", "-f", "lavfi", "-i", countSrc(48, 32, 1), "-c:v", "libx264", "-crf", "5")
}

func TestClips(t *testing.T) {
	a, b := countMP4(t), count30(t)
	o := Options{Gray: true, Width: 16, Height: 16}
	keys := func(src string, starts []int) []clipKey {
		var k []clipKey
		for _, s := range starts {
			k = append(k, clipKey{src, s})
		}
		return k
	}
	tests := []struct {
		name  string
		paths []string
		co    ClipOptions
		want  []clipKey
	}{
		// 60 frames, clips of 6 every 5 frames: starts 0..54.
		{"one file", []string{a}, ClipOptions{Context: 4, Future: 2, Stride: 5}, keys(a, seq(0, 55, 5))},
		{"stride 1", []string{b}, ClipOptions{Context: 3, Future: 1}, keys(b, seq(0, 27, 1))},
		{"no future", []string{b}, ClipOptions{Context: 10, Stride: 10}, keys(b, seq(0, 21, 10))},
		{"whole file", []string{b}, ClipOptions{Context: 20, Future: 10, Stride: 7}, keys(b, []int{0})},
		{"two files", []string{a, b}, ClipOptions{Context: 8, Future: 8, Stride: 12},
			append(keys(a, seq(0, 45, 12)), keys(b, seq(0, 15, 12))...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := allClips(t, tc.paths, o, tc.co)
			if !slices.Equal(got, tc.want) {
				t.Errorf("clips\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestClipsShuffle(t *testing.T) {
	a, b := countMP4(t), count30(t)
	paths := []string{a, b}
	o := Options{Gray: true, Width: 16, Height: 16}
	plain := allClips(t, paths, o, ClipOptions{Context: 2, Future: 2, Stride: 2})
	sorted := func(k []clipKey) []clipKey {
		k = slices.Clone(k)
		slices.SortFunc(k, func(x, y clipKey) int {
			return strings.Compare(fmt.Sprint(x), fmt.Sprint(y))
		})
		return k
	}
	for _, buffer := range []int{0, 1, 5} {
		co := ClipOptions{Context: 2, Future: 2, Stride: 2, Shuffle: true, Seed: 7, Buffer: buffer}
		first := allClips(t, paths, o, co)
		again := allClips(t, paths, o, co)
		co.Seed = 8
		other := allClips(t, paths, o, co)
		if !slices.Equal(first, again) {
			t.Errorf("buffer %d: the same seed gave different orders", buffer)
		}
		if !slices.Equal(sorted(first), sorted(plain)) {
			t.Errorf("buffer %d: shuffled clips are not the plain clips reordered:\n%v\n%v", buffer, first, plain)
		}
		if buffer != 1 && slices.Equal(first, plain) {
			t.Errorf("buffer %d: shuffled order is the plain order", buffer)
		}
		if slices.Equal(first, other) {
			t.Errorf("buffer %d: seeds 7 and 8 gave the same order", buffer)
		}
	}
}

// TestClipsErrors: a file that is missing or too short for one clip gives
// an error naming it; Next then goes on with the next file.
func TestClipsErrors(t *testing.T) {
	short := fixture(t, "count5.mp4", "-f", "lavfi", "-i", countSrc(48, 32, 5.0/30), "-c:v", "libx264", "-crf", "5")
	good := count30(t)
	missing := filepath.Join(t.TempDir(), "missing.mp4")
	for _, shuffle := range []bool{false, true} {
		c, err := NewClips([]string{short, missing, good}, Options{Gray: true}, ClipOptions{Context: 4, Future: 4, Stride: 8, Shuffle: shuffle, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		var errs []error
		var clips int
		for {
			clip, err := c.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				errs = append(errs, err)
				if len(errs) > 5 {
					t.Fatal("errors do not stop")
				}
				continue
			}
			checkClip(t, clip, ClipOptions{Context: 4, Future: 4})
			clips++
		}
		c.Close()
		if len(errs) != 2 {
			t.Fatalf("errors %v, want 2", errs)
		}
		if errors.Is(errs[1], ErrTooShort) { // the files were shuffled
			errs[0], errs[1] = errs[1], errs[0]
		}
		if !errors.Is(errs[0], ErrTooShort) || !strings.Contains(errs[0].Error(), short) || !strings.Contains(errs[0].Error(), "5 frames") {
			t.Errorf("short file: %v", errs[0])
		}
		if !errors.Is(errs[1], fs.ErrNotExist) || !strings.Contains(errs[1].Error(), missing) {
			t.Errorf("missing file: %v", errs[1])
		}
		if clips != 3 { // 30 frames, clips of 8 every 8
			t.Errorf("%d clips from the good file, want 3", clips)
		}
	}

	for _, co := range []ClipOptions{{}, {Context: 1, Future: -1}, {Context: 1, Stride: -1}} {
		if _, err := NewClips([]string{good}, Options{}, co); err == nil {
			t.Errorf("NewClips accepted %+v", co)
		}
	}
	if _, err := NewClips(nil, Options{}, ClipOptions{Context: 1}); err == nil {
		t.Error("NewClips accepted no files")
	}
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.MKV", "a.mp4", "notes.txt", "sub/c.webm", "sub/d.avi", ".hidden.mp4", ".git/x.mp4", "empty/readme"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	j := func(names ...string) []string {
		for i, n := range names {
			names[i] = filepath.Join(dir, n)
		}
		return names
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"directory", j("."), j("a.mp4", "b.MKV", "sub/c.webm", "sub/d.avi")},
		{"pattern", j("*.mp4"), j("a.mp4")},
		{"pattern of directories", j("s*"), j("sub/c.webm", "sub/d.avi")},
		{"plain file, any name", j("notes.txt"), j("notes.txt")},
		{"no duplicates", j("sub/d.avi", "sub", "a.mp4"), j("sub/d.avi", "sub/c.webm", "a.mp4")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Files(tc.args)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				got[i] = filepath.Clean(got[i])
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Files(%v)\n got %v\nwant %v", tc.args, got, tc.want)
			}
		})
	}

	bad := []struct {
		name  string
		args  []string
		words string
	}{
		{"nothing", nil, "no input files"},
		{"no match", j("*.mov"), "no files match"},
		{"no videos in directory", j("empty"), "no video files in directory"},
		{"missing", j("gone.mp4"), "no such file"},
	}
	for _, tc := range bad {
		_, err := Files(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.words) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.words)
		}
		if len(tc.args) > 0 && !strings.Contains(err.Error(), tc.args[0]) {
			t.Errorf("%s: error %v does not name %s", tc.name, err, tc.args[0])
		}
	}
}
