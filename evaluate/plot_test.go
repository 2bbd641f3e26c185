package evaluate

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"testing"
)

// stepReport is a three-step report of two constructed predictors.
func stepReport(t *testing.T) *Report {
	t.Helper()
	d := record(testSynth(t, 3))
	models := constructedModels(d)[:2]
	r, err := Run(context.Background(), models, d, Options{Horizon: 3, Samples: 16})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// decodePNG decodes a PNG and checks its size.
func decodePNG(t *testing.T, b []byte, w, h int) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got.X != w || got.Y != h {
		t.Fatalf("PNG is %dx%d, want %dx%d", got.X, got.Y, w, h)
	}
	return img
}

// colourShare returns the share of pixels within a distance of 60 (in
// 8-bit RGB) of c.
func colourShare(img image.Image, c color.Color) float64 {
	r0, g0, b0, _ := c.RGBA()
	n, all := 0, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			d := math.Abs(float64(r>>8)-float64(r0>>8)) + math.Abs(float64(g>>8)-float64(g0>>8)) + math.Abs(float64(bl>>8)-float64(b0>>8))
			if d < 60 {
				n++
			}
			all++
		}
	}
	return float64(n) / float64(all)
}

// TestPlot checks the metrics chart: a PNG of the asked size, mostly
// white, with each model's colour drawn.
func TestPlot(t *testing.T) {
	r := stepReport(t)
	for _, tc := range []struct {
		opts PlotOptions
		w, h int
	}{
		{PlotOptions{}, DefaultPlotWidth, DefaultPlotHeight},
		{PlotOptions{Width: 900, Height: 601}, 900, 601},
	} {
		var b bytes.Buffer
		if err := r.WritePlot(&b, tc.opts); err != nil {
			t.Fatal(err)
		}
		img := decodePNG(t, b.Bytes(), tc.w, tc.h)
		if white := colourShare(img, color.White); white < 0.5 || white > 0.99 {
			t.Errorf("%dx%d: %.3f of the pixels are white, want most but not all", tc.w, tc.h, white)
		}
		for i, m := range r.Models {
			if s := colourShare(img, styleColor(i)); s < 1e-4 {
				t.Errorf("%dx%d: model %s's colour covers %.5f of the image", tc.w, tc.h, m.Name, s)
			}
		}
		if s := colourShare(img, styleColor(len(r.Models))); s > 1e-5 {
			t.Errorf("%dx%d: an unused style's colour covers %.5f of the image", tc.w, tc.h, s)
		}
	}
	if err := r.WritePlot(&bytes.Buffer{}, PlotOptions{Width: 10, Height: 10}); err == nil || !strings.Contains(err.Error(), "chart size 10×10") {
		t.Errorf("tiny chart: error %v", err)
	}
}

// lossCurves are two made-up training logs: a decaying MSE for both, and
// an adversarial term for the second only, missing at its first steps.
func lossCurves() []LossCurve {
	var curves []LossCurve
	for k, name := range []string{"mse", "mse+adv"} {
		c := LossCurve{Model: name, Terms: map[string][]float64{}}
		for s := 0; s < 400; s++ {
			c.Steps = append(c.Steps, s+1)
			mse := 0.05*math.Exp(-float64(s)/80) + 0.004 + 0.001*math.Sin(float64(s))
			c.Terms["mse"] = append(c.Terms["mse"], mse)
			if k == 1 {
				adv := math.NaN()
				if s >= 50 {
					adv = 0.25 + 0.05*math.Cos(float64(s)/7)
				}
				c.Terms["adv"] = append(c.Terms["adv"], adv)
				c.Terms["total"] = append(c.Terms["total"], mse+0.05*adv)
			} else {
				c.Terms["total"] = append(c.Terms["total"], mse)
			}
		}
		curves = append(curves, c)
	}
	return curves
}

func TestLossPlot(t *testing.T) {
	var b bytes.Buffer
	opts := LossPlotOptions{PlotOptions: PlotOptions{Width: 1000, Height: 700}}
	if err := WriteLossPlot(&b, lossCurves(), opts); err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, b.Bytes(), 1000, 700)
	for i := range 2 {
		if s := colourShare(img, styleColor(i)); s < 1e-3 {
			t.Errorf("curve %d's colour covers %.5f of the image", i, s)
		}
	}

	bad := lossCurves()
	bad[1].Terms["adv"] = bad[1].Terms["adv"][:10]
	tests := []struct {
		name   string
		curves []LossCurve
		opts   LossPlotOptions
		want   string
	}{
		{"none", nil, opts, "no curves"},
		{"lengths", bad, opts, `mse+adv: term "adv" has 10 values for 400 steps`},
		{"unnamed", []LossCurve{{Steps: []int{1}, Terms: map[string][]float64{"mse": {1}}}}, opts, "curve 1 has no model name"},
		{"no terms", []LossCurve{{Model: "m", Steps: []int{1}}}, opts, "no loss terms"},
		{"all NaN", []LossCurve{{Model: "m", Steps: []int{1}, Terms: map[string][]float64{"mse": {math.NaN()}}}}, opts, "nothing to draw"},
		{"smooth", lossCurves(), LossPlotOptions{Smooth: -1}, "smoothing width -1"},
	}
	for _, tc := range tests {
		err := WriteLossPlot(&bytes.Buffer{}, tc.curves, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestMovingMean(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		in   []float64
		n    int
		want []float64
	}{
		{"raw", []float64{1, 2, 3}, 1, []float64{1, 2, 3}},
		{"width 3", []float64{1, 2, 3, 4}, 3, []float64{1.5, 2, 3, 3.5}},
		{"width 2 leans back", []float64{1, 3, 5}, 2, []float64{1, 2, 4}},
		{"gaps", []float64{1, nan, 3, 5}, 3, []float64{1, nan, 4, 4}},
	}
	for _, tc := range tests {
		got := movingMean(tc.in, tc.n)
		for i := range got {
			if !(got[i] == tc.want[i] || math.IsNaN(got[i]) && math.IsNaN(tc.want[i])) {
				t.Errorf("%s: movingMean(%v, %d) = %v, want %v", tc.name, tc.in, tc.n, got, tc.want)
				break
			}
		}
	}
}

func TestSortedTerms(t *testing.T) {
	got := sortedTerms(map[string]bool{"mse": true, "adv": true, "total": true, "gdl": true})
	if strings.Join(got, ",") != "total,adv,gdl,mse" {
		t.Errorf("terms in order %v", got)
	}
}
