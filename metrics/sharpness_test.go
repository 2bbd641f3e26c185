package metrics

import (
	"math"
	"testing"

	"framepred/frame"
)

func TestGradientMagnitude(t *testing.T) {
	scene, deg := fixtureGray()
	rgb, rgbDeg := fixtureRGB()
	tests := []struct {
		name      string
		f         frame.Frame
		want, tol float64
	}{
		// Hand computation for [[0 1 1] [0 0 1]]: |∂x| sums to 2 over 4
		// differences, |∂y| to 1 over 3: 1/2 + 1/3.
		{"hand 2x3", gray(2, 3, 0, 1, 1, 0, 0, 1), 0.5 + 1.0/3, 1e-15},
		// One column: only vertical differences, |1−0| + |0.5−1| over 2.
		{"one column", gray(3, 1, 0, 1, 0.5), 0.75, 1e-15},
		{"flat", gray(2, 2, 0.3, 0.3, 0.3, 0.3), 0, 0},
		// testdata/reference.py (numpy np.diff) gives these.
		{"gray scene", scene, 0.37585097181450344, 1e-12},
		{"gray degraded", deg, 0.38256223791411204, 1e-12},
		{"rgb scene", rgb, 0.37452527633233457, 1e-12},
		{"rgb degraded", rgbDeg, 0.3731230241781652, 1e-12},
		{"gray ghost", fixtureGhost(), 0.2946915929624002, 1e-12},
	}
	for _, tc := range tests {
		if got := GradientMagnitude(tc.f); !near(got, tc.want, tc.tol) {
			t.Errorf("%s: GradientMagnitude = %.16g, want %.16g", tc.name, got, tc.want)
		}
	}
}

func TestSharpness(t *testing.T) {
	scene, deg := fixtureGray()
	rgb, rgbDeg := fixtureRGB()
	flat := gray(2, 3, 0, 0, 0, 0, 0, 0)
	step := gray(2, 3, 0, 1, 1, 0, 0, 1)
	sqA, _ := twoFutures()
	tests := []struct {
		name        string
		pred, truth frame.Frame
		diff, ratio float64
		tol         float64
	}{
		// Hand computation: G(step) is 1 1 0 / 0 1 0 with the last column and
		// row carrying no difference, mean 1/2 against a flat frame, so
		// 10·log10(2) dB; the flat prediction has no gradient at all.
		{"flat vs step", flat, step, 10 * math.Log10(2), 0, 1e-12},
		{"step vs flat", step, flat, 10 * math.Log10(2), math.Inf(1), 1e-12},
		{"identical", step, step, math.Inf(1), 1, 0},
		{"flat vs flat", flat, flat, math.Inf(1), 1, 0},
		// Hand computation: the 4×4 square has 16 unit differences, so a blank
		// prediction is off by 16/1024 on average: 10·log10(64) dB, better than
		// the 3×3 blur's 17.0927 dB (testdata/reference.py).
		{"blank vs square", frame.New(1, 32, 32), sqA, 10 * math.Log10(64), 0, 1e-12},
		// testdata/reference.py (numpy) gives these.
		{"gray degraded vs scene", deg, scene, 5.351496949350501, 0.38256223791411204 / 0.37585097181450344, 1e-12},
		{"rgb degraded vs scene", rgbDeg, rgb, 5.317560221677761, 0.3731230241781652 / 0.37452527633233457, 1e-12},
		{"gray ghost vs scene", fixtureGhost(), scene, 7.942365465129924, 0.2946915929624002 / 0.37585097181450344, 1e-12},
	}
	for _, tc := range tests {
		if got := SharpnessDiff(tc.pred, tc.truth); !near(got, tc.diff, tc.tol) {
			t.Errorf("%s: SharpnessDiff = %.16g, want %.16g", tc.name, got, tc.diff)
		}
		if got := SharpnessRatio(tc.pred, tc.truth); !near(got, tc.ratio, tc.tol) {
			t.Errorf("%s: SharpnessRatio = %.16g, want %.16g", tc.name, got, tc.ratio)
		}
	}
}

func TestSharpnessShapeMismatchPanics(t *testing.T) {
	a, b := frame.New(1, 4, 4), frame.New(1, 4, 5)
	for name, f := range map[string]func(){
		"SharpnessDiff":  func() { SharpnessDiff(a, b) },
		"SharpnessRatio": func() { SharpnessRatio(a, b) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s of mismatched frames did not panic", name)
				}
			}()
			f()
		}()
	}
}
