package metrics

import (
	"testing"

	"framepred/frame"
)

// twoFutures returns the two branches of testdata/reference.py: 32×32 black
// frames with a white 4×4 square at rows 14–17, columns 6–9 or 20–23.
func twoFutures() (a, b frame.Frame) {
	square := func(x0 int) frame.Frame {
		f := frame.New(1, 32, 32)
		for y := 14; y < 18; y++ {
			for x := x0; x < x0+4; x++ {
				f.Set(0, y, x, 1)
			}
		}
		return f
	}
	return square(6), square(20)
}

// boxBlur returns the n×n box blur of a 0/1 frame, zero outside:
// counts/n² in float32, as testdata/reference.py computes it.
func boxBlur(f frame.Frame, n int) frame.Frame {
	g := frame.New(f.C, f.H, f.W)
	r := n / 2
	for y := range f.H {
		for x := range f.W {
			var count int
			for dy := -r; dy <= r; dy++ {
				for dx := -r; dx <= r; dx++ {
					if yy, xx := y+dy, x+dx; yy >= 0 && yy < f.H && xx >= 0 && xx < f.W && f.At(0, yy, xx) == 1 {
						count++
					}
				}
			}
			g.Set(0, y, x, float32(count)/float32(n*n))
		}
	}
	return g
}

// scaled returns f with every value multiplied by s.
func scaled(f frame.Frame, s float32) frame.Frame {
	g := f.Clone()
	for i := range g.Pix {
		g.Pix[i] *= s
	}
	return g
}

// TestConstructedPredictions checks the two-futures metrics on predictions
// whose answer is known: a branch, the mean of both, blurred branches, a
// blank frame. MSEs are over 1024 pixels; a square has 16.
func TestConstructedPredictions(t *testing.T) {
	a, b := twoFutures()
	branches := []frame.Frame{a, b}
	mean := MeanFrame(branches)
	both := a.Clone() // both squares at full brightness
	for i, v := range b.Pix {
		both.Pix[i] += v
	}
	tests := []struct {
		name      string
		pred      frame.Frame
		index     float64 // AveragingIndex
		committed bool
		nearest   int
		peak      float64
		ratio     float64 // SharpnessRatio against branch a
		tol       float64
	}{
		// Hand computations: on a branch the nearest MSE is 0; on the mean the
		// mean MSE is 0. The mean has both squares at 1/2: half the edge
		// twice, so as much gradient as one square.
		{"branch a", a, 0, true, 0, 1, 1, 0},
		{"branch b", b, 0, true, 1, 1, 1, 0},
		{"mean of branches", mean, 1, false, 0, 0.5, 1, 0},
		// Blank: 16/1024 from either branch, 32·(1/4)/1024 from the mean,
		// index 16/(16+8) = 2/3; no peak, no gradient.
		{"blank", frame.New(1, 32, 32), 2.0 / 3, false, 0, 0, 0, 1e-15},
		// One square at half brightness: 16·(1/4) from branch a and the same
		// from the mean (wrong only at b's square): exactly halfway, a tie,
		// so not committed.
		{"half-bright branch a", scaled(a, 0.5), 0.5, false, 0, 0.5, 0.5, 1e-15},
		// Both squares at full brightness: 16 from either branch, 32·(1/4)
		// from the mean: as averaged as a blank frame though its peak is 1.
		{"both squares", both, 2.0 / 3, false, 0, 1, 2, 1e-15},
		// testdata/reference.py (numpy, the reference evaluation's formulas)
		// gives the blurred ones. A 3×3 blur keeps the square's centre at 1,
		// so the gradient ratio stays 1; a 5×5 blur lowers peak and ratio and
		// lands just past halfway.
		{"3x3 box-blurred branch a", boxBlur(a, 3), 0.34482757835786587, true, 0, 1, 1.0000000149011612, 1e-7},
		{"5x5 box-blurred branch a", boxBlur(a, 5), 0.5066666702712354, false, 0, 0.6399999856948853, 0.7999999821186066, 1e-7},
	}
	for _, tc := range tests {
		if got := AveragingIndex(tc.pred, branches); !near(got, tc.index, tc.tol) {
			t.Errorf("%s: AveragingIndex = %.16g, want %.16g", tc.name, got, tc.index)
		}
		if got := Committed(tc.pred, branches); got != tc.committed {
			t.Errorf("%s: Committed = %v, want %v", tc.name, got, tc.committed)
		}
		if got, _ := NearestBranch(tc.pred, branches); got != tc.nearest {
			t.Errorf("%s: NearestBranch = %d, want %d", tc.name, got, tc.nearest)
		}
		if got := PeakIntensity(tc.pred); !near(got, tc.peak, tc.tol) {
			t.Errorf("%s: PeakIntensity = %v, want %v", tc.name, got, tc.peak)
		}
		if got := SharpnessRatio(tc.pred, a); !near(got, tc.ratio, tc.tol) {
			t.Errorf("%s: SharpnessRatio = %.16g, want %.16g", tc.name, got, tc.ratio)
		}
	}
	// Blur lowers the sharpness difference against the branch (testdata/
	// reference.py: 17.0927 dB for 3×3, 16.6005 dB for 5×5).
	for _, c := range []struct {
		n    int
		want float64
	}{{3, 17.092699642115768}, {5, 16.600519445460165}} {
		if got := SharpnessDiff(boxBlur(a, c.n), a); !near(got, c.want, 1e-6) {
			t.Errorf("SharpnessDiff of the %dx%d blur = %.16g, want %.16g", c.n, c.n, got, c.want)
		}
	}
}

// When every branch is the same frame and the prediction is that frame,
// the index is 0/0: it is defined as 0, and nothing is committed to.
func TestAveragingIndexCoincidingBranches(t *testing.T) {
	a, _ := twoFutures()
	branches := []frame.Frame{a, a.Clone()}
	if got := AveragingIndex(a, branches); got != 0 {
		t.Errorf("AveragingIndex on coinciding branches = %v, want 0", got)
	}
	if Committed(a, branches) {
		t.Error("Committed on coinciding branches = true, want false")
	}
	// A different prediction is equally far from the branch and the mean.
	if got := AveragingIndex(frame.New(1, 32, 32), branches); got != 0.5 {
		t.Errorf("AveragingIndex of a blank frame on coinciding branches = %v, want 0.5", got)
	}
}

func TestMeanFrameAndNearest(t *testing.T) {
	m := MeanFrame([]frame.Frame{gray(1, 3, 0, 1, 0.5), gray(1, 3, 1, 1, 0), gray(1, 3, 0.5, 0.1, 0.25)})
	for i, want := range []float64{0.5, 0.7, 0.25} {
		if !near(float64(m.Pix[i]), want, 1e-7) {
			t.Errorf("MeanFrame[%d] = %v, want %v", i, m.Pix[i], want)
		}
	}
	// Nearest of three: MSEs 1/3, 0.25/3 and 0.
	i, mse := NearestBranch(gray(1, 3, 1, 1, 1), []frame.Frame{gray(1, 3, 0, 1, 1), gray(1, 3, 1, 0.5, 1), gray(1, 3, 1, 1, 1)})
	if i != 2 || mse != 0 {
		t.Errorf("NearestBranch = %d, %v; want 2, 0", i, mse)
	}
}

func TestBranchPanics(t *testing.T) {
	a := frame.New(1, 4, 4)
	for name, f := range map[string]func(){
		"AveragingIndex of no branches": func() { AveragingIndex(a, nil) },
		"Committed of mismatched":       func() { Committed(a, []frame.Frame{frame.New(1, 4, 5)}) },
		"MeanFrame of mismatched":       func() { MeanFrame([]frame.Frame{a, frame.New(3, 4, 4)}) },
		"PeakIntensity of nothing":      func() { PeakIntensity(frame.Frame{}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}
