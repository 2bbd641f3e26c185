package metrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"framepred/frame"
)

// gray returns a 1×h×w frame holding vals.
func gray(h, w int, vals ...float32) frame.Frame {
	f := frame.New(1, h, w)
	if len(vals) != h*w {
		panic("gray: wrong number of values")
	}
	copy(f.Pix, vals)
	return f
}

func near(got, want, tol float64) bool {
	if math.IsInf(want, 0) || math.IsNaN(want) {
		return got == want || (math.IsNaN(got) && math.IsNaN(want))
	}
	return math.Abs(got-want) <= tol
}

func TestPixelMetrics(t *testing.T) {
	// Hand computation: differences 0, −0.5, 0.5, 0 give MSE 0.5/4, MAE 1/4,
	// PSNR 10·log10(8) = 9.030899869919436 dB.
	pred := gray(2, 2, 0, 0.5, 1, 0.25)
	truth := gray(2, 2, 0, 1, 0.5, 0.25)
	// A 2-channel frame: the second channel is exact, so every value counts
	// once and the MSE halves, 0.0625 (hand computation).
	pred2, truth2 := frame.New(2, 2, 2), frame.New(2, 2, 2)
	copy(pred2.Pix, pred.Pix)
	copy(truth2.Pix, truth.Pix)

	tests := []struct {
		name        string
		pred, truth frame.Frame
		mse, mae    float64
		psnr        float64
		tol         float64
	}{
		{"hand 2x2", pred, truth, 0.125, 0.25, 9.030899869919436, 1e-12},
		{"two channels", pred2, truth2, 0.0625, 0.125, 9.030899869919436 + 10*math.Log10(2), 1e-12},
		{"identical", pred, pred, 0, 0, math.Inf(1), 0},
		// All black against all white: the largest error, PSNR 0 dB.
		{"black vs white", gray(1, 2, 0, 0), gray(1, 2, 1, 1), 1, 1, 0, 0},
	}
	for _, tc := range tests {
		if got := MSE(tc.pred, tc.truth); !near(got, tc.mse, tc.tol) {
			t.Errorf("%s: MSE = %v, want %v", tc.name, got, tc.mse)
		}
		if got := MAE(tc.pred, tc.truth); !near(got, tc.mae, tc.tol) {
			t.Errorf("%s: MAE = %v, want %v", tc.name, got, tc.mae)
		}
		if got := PSNR(tc.pred, tc.truth); !near(got, tc.psnr, tc.tol) {
			t.Errorf("%s: PSNR = %v, want %v", tc.name, got, tc.psnr)
		}
	}
}

func TestPSNRAverages(t *testing.T) {
	// Hand computation: MSEs 0.1 and 0.001 are 10 and 30 dB, mean 20 dB; their
	// mean MSE 0.0505 is 12.967086218813385 dB.
	tests := []struct {
		name         string
		mses         []float64
		mean, ofMean float64
	}{
		{"10 and 30 dB", []float64{0.1, 0.001}, 20, 12.967086218813385},
		{"one exact frame", []float64{0, 0.01}, math.Inf(1), 10 * math.Log10(200)},
		{"all exact", []float64{0, 0}, math.Inf(1), math.Inf(1)},
		{"no frames", nil, math.NaN(), math.NaN()},
	}
	for _, tc := range tests {
		if got := MeanPSNR(tc.mses); !near(got, tc.mean, 1e-12) {
			t.Errorf("%s: MeanPSNR = %v, want %v", tc.name, got, tc.mean)
		}
		if got := PSNROfMeanMSE(tc.mses); !near(got, tc.ofMean, 1e-12) {
			t.Errorf("%s: PSNROfMeanMSE = %v, want %v", tc.name, got, tc.ofMean)
		}
	}
}

// PSNR of frames k/255 is FFmpeg's PSNR of the samples k, since 255 plays
// the part of 1.0: the float path and the integer path must agree, up to
// the float32 rounding of k/255 (relative 2⁻²⁴ per value, about 1e-8 dB here).
func TestPSNRMatchesFFmpegScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	a, b := frame.New(3, 9, 13), frame.New(3, 9, 13)
	for i := range a.Pix {
		a.Pix[i] = float32(rng.IntN(256)) / 255
		b.Pix[i] = float32(rng.IntN(256)) / 255
	}
	ff := PSNRFFmpegFrame(a, b)
	if got, want := PSNR(a, b), ff.Average; !near(got, want, 1e-6) {
		t.Errorf("PSNR = %v, FFmpeg-scale PSNR = %v", got, want)
	}
	if got, want := MSE(a, b)*255*255, ff.MSEAvg; !near(got, want, 1e-7*want) {
		t.Errorf("MSE·255² = %v, FFmpeg-scale MSE = %v", got, want)
	}
}

func TestQuantize(t *testing.T) {
	half := float32(0.5) / 255
	tests := []struct {
		v    float32
		want uint8
	}{
		{0, 0}, {1, 255}, {-0.25, 0}, {1.5, 255}, {float32(math.NaN()), 0},
		{float32(math.Inf(1)), 255},
		{float32(128) / 255, 128},
		{3*half - 1e-6, 1}, // just under 1.5/255 rounds down
		{3*half + 1e-6, 2}, // just over rounds up
		{0.5, 128},         // 127.5 rounds up
	}
	f := frame.New(1, 1, len(tests))
	for i, tc := range tests {
		f.Pix[i] = tc.v
	}
	p := Quantize(f, 0)
	for i, tc := range tests {
		if p.Pix[i] != tc.want {
			t.Errorf("Quantize(%v) = %d, want %d", tc.v, p.Pix[i], tc.want)
		}
	}
	// Every 8-bit value survives the trip through a float frame.
	for k := range 256 {
		if got := quantize8(float32(k) / 255); got != uint8(k) {
			t.Errorf("quantize8(%d/255) = %d", k, got)
		}
	}
}

func TestPixelShapeMismatchPanics(t *testing.T) {
	a, b := frame.New(1, 4, 4), frame.New(1, 4, 5)
	for name, f := range map[string]func(){
		"MSE":             func() { MSE(a, b) },
		"MSE short Pix":   func() { MSE(a, frame.Frame{C: 1, H: 4, W: 4, Pix: make([]float32, 3)}) },
		"PSNRFFmpegFrame": func() { PSNRFFmpegFrame(a, b) },
		"SSIMFFmpegFrame": func() { SSIMFFmpegFrame(frame.New(1, 4, 4), frame.New(1, 4, 4)) }, // below 8×8
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s of bad frames did not panic", name)
				}
			}()
			f()
		}()
	}
}

func TestFFmpegPlaneErrors(t *testing.T) {
	p8, p7 := NewPlane8(8, 8), NewPlane8(7, 8)
	tests := []struct {
		name     string
		deg, ref []Plane8
		ssimOK   bool
		psnrOK   bool
	}{
		{"good", []Plane8{p8}, []Plane8{p8}, true, true},
		{"too narrow for SSIM", []Plane8{p7}, []Plane8{p7}, false, true},
		{"sizes differ", []Plane8{p8}, []Plane8{p7}, false, false},
		{"plane counts differ", []Plane8{p8, p8}, []Plane8{p8}, false, false},
		{"no planes", nil, nil, false, false},
		{"short Pix", []Plane8{{W: 8, H: 8, Pix: make([]uint8, 63)}}, []Plane8{p8}, false, false},
	}
	for _, tc := range tests {
		if _, err := SSIMFFmpeg(tc.deg, tc.ref); (err == nil) != tc.ssimOK {
			t.Errorf("%s: SSIMFFmpeg error = %v, want ok=%v", tc.name, err, tc.ssimOK)
		}
		if _, err := PSNRFFmpeg(tc.deg, tc.ref); (err == nil) != tc.psnrOK {
			t.Errorf("%s: PSNRFFmpeg error = %v, want ok=%v", tc.name, err, tc.psnrOK)
		}
	}
}

// FFmpeg's constants come from its formulas evaluated in float64.
func TestFFmpegSSIMConstants(t *testing.T) {
	k1, k2, peak := 0.01, 0.03, 255.0
	if c1 := int(k1*k1*peak*peak*64 + .5); c1 != ffSSIMC1 {
		t.Errorf("c1 = %d, constant says %d", c1, ffSSIMC1)
	}
	if c2 := int(k2*k2*peak*peak*64*63 + .5); c2 != ffSSIMC2 {
		t.Errorf("c2 = %d, constant says %d", c2, ffSSIMC2)
	}
}
