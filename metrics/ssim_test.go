package metrics

import (
	"testing"

	"framepred/frame"
)

func TestSSIM(t *testing.T) {
	scene, deg := fixtureGray()
	rgb, rgbDeg := fixtureRGB()
	ghost := fixtureGhost()
	sqA, sqB := twoFutures()
	flatA, flatB := frame.New(1, 11, 11), frame.New(1, 11, 11)
	for i := range flatA.Pix {
		flatA.Pix[i], flatB.Pix[i] = 0.25, 0.75
	}
	tests := []struct {
		name        string
		pred, truth frame.Frame
		want, tol   float64
	}{
		// testdata/reference.py (numpy brute force over every window, and
		// torch conv2d; they agree to 1e-15) gives these three.
		{"gray scene vs degraded", deg, scene, 0.3257613733199802, 1e-12},
		{"rgb scene vs degraded (BT.601 luma)", rgbDeg, rgb, 0.4988045429659321, 1e-12},
		{"gray ghost vs scene", ghost, scene, 0.7701828220342161, 1e-12},
		// testdata/reference.py (numpy brute force) on the two-futures squares.
		{"3x3 blurred square", boxBlur(sqA, 3), sqA, 0.9261352647325336, 1e-12},
		{"square at the other place", sqB, sqA, 0.5165753432841566, 1e-12},
		{"mean of both squares vs a", MeanFrame([]frame.Frame{sqA, sqB}), sqA, 0.7042321843591428, 1e-12},
		// Identical frames: every window is (2μ²+C1)(2σ²+C2)/((2μ²+C1)(2σ²+C2)).
		{"identical", scene, scene, 1, 1e-15},
		// Hand computation: flat frames have no variance, so one window gives
		// (2·0.25·0.75 + 1e-4) / (0.25² + 0.75² + 1e-4) = 0.3751/0.6251.
		{"flat 0.25 vs 0.75", flatA, flatB, 0.3751 / 0.6251, 1e-12},
	}
	for _, tc := range tests {
		if got := SSIM(tc.pred, tc.truth); !near(got, tc.want, tc.tol) {
			t.Errorf("%s: SSIM = %.16g, want %.16g", tc.name, got, tc.want)
		}
	}
}

func TestSSIMPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"smaller than the window": func() { SSIM(frame.New(1, 10, 40), frame.New(1, 10, 40)) },
		"shapes differ":           func() { SSIM(frame.New(1, 12, 12), frame.New(1, 12, 13)) },
		"two channels":            func() { SSIM(frame.New(2, 12, 12), frame.New(2, 12, 12)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("SSIM of frames %s did not panic", name)
				}
			}()
			f()
		}()
	}
}
