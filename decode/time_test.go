package decode

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// The count video's frames carry their own number (see countSrc), so these
// tests check which source frame each output frame is, not only how many
// there are.

func numbers(t *testing.T, path string, o Options) []int {
	t.Helper()
	o.Gray = true
	var ns []int
	for _, f := range mustReadAll(t, path, o) {
		ns = append(ns, frameNumber(f))
	}
	return ns
}

func seq(from, to, step int) []int {
	var s []int
	for i := from; i < to; i += step {
		s = append(s, i)
	}
	return s
}

func TestFrameSelection(t *testing.T) {
	path := countMP4(t)
	tests := []struct {
		name string
		o    Options
		want []int
	}{
		{"every frame", Options{}, seq(0, 60, 1)},
		{"one thread", Options{Threads: 1}, seq(0, 60, 1)},
		{"max frames", Options{MaxFrames: 7}, seq(0, 7, 1)},
		// Start 0.5 s is frame 15 exactly; 15 is not a keyframe (every
		// 12), so the seek lands on 12 and 12-14 are dropped.
		{"start", Options{Start: 500 * time.Millisecond}, seq(15, 60, 1)},
		{"start and duration", Options{Start: 500 * time.Millisecond, Duration: time.Second}, seq(15, 45, 1)},
		{"duration", Options{Duration: 400 * time.Millisecond}, seq(0, 12, 1)},
		{"start past the end", Options{Start: 5 * time.Second}, nil},
		// 15 fps from 30: every other frame.
		{"half rate", Options{FPS: 15}, seq(0, 60, 2)},
		// 60 fps from 30: every other output time is a tie between two
		// frames, which goes to the earlier one, so every frame is shown
		// twice (the last one covers half a frame after it: once more).
		{"double rate", Options{FPS: 60}, dup2(seq(0, 60, 1))},
		{"same rate", Options{FPS: 30}, seq(0, 60, 1)},
		{"rate and start", Options{FPS: 10, Start: time.Second}, seq(30, 60, 3)},
		{"rate, start and max", Options{FPS: 10, Start: time.Second, MaxFrames: 4}, seq(30, 42, 3)},
		{"rate and duration", Options{FPS: 10, Duration: time.Second}, seq(0, 30, 3)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := numbers(t, path, tc.o)
			if !slices.Equal(got, tc.want) {
				t.Errorf("frame numbers\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

func dup2(s []int) []int {
	var d []int
	for _, v := range s {
		d = append(d, v, v)
	}
	return d
}

// TestVariableFrameRate decodes a file whose frames 0-18 are 1/30 s apart
// and later ones 3/30 s apart (every third frame of the source is kept,
// with its original timestamp). At FPS 30 each output time k/30 must show
// the nearest kept frame; the gaps have no ties (midpoints fall at k+0.5).
func TestVariableFrameRate(t *testing.T) {
	path := fixture(t, "vfr.mp4", "-f", "lavfi", "-i",
		countSrc(64, 48, 2)+",select='lte(n\\,18)+not(mod(n\\,3))'",
		"-fps_mode", "vfr", "-c:v", "libx264", "-crf", "5")

	every := numbers(t, path, Options{})
	var kept []int
	for n := 0; n < 60; n++ {
		if n <= 18 || n%3 == 0 {
			kept = append(kept, n)
		}
	}
	if !slices.Equal(every, kept) {
		t.Fatalf("without FPS: got %v, want the kept frames %v", every, kept)
	}

	got := numbers(t, path, Options{FPS: 30, Duration: 1900 * time.Millisecond})
	var want []int
	for k := 0; k < 57; k++ { // 1.9 s at 30 fps
		n := k
		if k > 18 {
			n = (k + 1) / 3 * 3 // nearest multiple of 3
		}
		want = append(want, n)
	}
	if !slices.Equal(got, want) {
		t.Errorf("FPS 30 on VFR\n got %v\nwant %v", got, want)
	}
}

func TestPicker(t *testing.T) {
	tests := []struct {
		start, fps, end float64
		his             []float64
		want            []int
	}{
		{0, 10, 1e9, []float64{0.05, 0.15, 0.25}, []int{1, 1, 1}},
		// A time exactly at hi is a tie and goes to the earlier frame.
		{0, 10, 1e9, []float64{0.3}, []int{4}},
		{0, 10, 1e9, []float64{0.1 - 1e-7, 0.2}, []int{2, 1}},
		{0, 10, 0.25, []float64{0.3, 1}, []int{3, 0}},
		{1, 10, 1e9, []float64{0.5, 1.01, 1.01, 1.25}, []int{0, 1, 0, 2}},
		// A timestamp jump does not stall take: it computes the count.
		{0, 1000, 1e9, []float64{1e9 / 2}, []int{5e11 + 1}},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			p := newPicker(tc.start, tc.fps, tc.end, 1e-6)
			for j, hi := range tc.his {
				if got := p.take(hi); got != tc.want[j] {
					t.Errorf("take(%v) #%d = %d, want %d", hi, j, got, tc.want[j])
				}
			}
		})
	}
}
