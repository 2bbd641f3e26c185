package model

import (
	"math"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/internal/gradcheck"
)

// The networks testdata/torchref.py builds in PyTorch, with weights and
// inputs from seq.
var predictorCases = []struct {
	name    string
	cfg     Config
	n, h, w int
}{
	{"unet-tiny", tinyConfig(2, 1, 2, 2, false), 2, 8, 8},
	{"unet-tiny-rgb-residual", tinyConfig(2, 3, 2, 1, true), 2, 8, 4},
	{"unet-default", func() Config { c := DefaultConfig(); c.Residual = false; return c }(), 1, 8, 8},
}

var discriminatorCases = []struct {
	name    string
	cfg     DiscriminatorConfig
	n, h, w int
}{
	{"patch-tiny", DiscriminatorConfig{Kind: DiscriminatorKind, Version: DiscriminatorVersion, Context: 2, Channels: 1, Downs: 2, Width: 2, MaxWidth: 3}, 2, 8, 8},
	{"patch-default", DefaultDiscriminatorConfig(), 1, 32, 32},
}

func names(ps []Param) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

// TestPredictorMatchesPyTorch runs each network in float64 (parameter
// nodes of seq values) and in float32 through the public path (SetParams,
// Build) and compares both with PyTorch's float64 output: tol 1e-10 and
// 1e-5 (float32 rounding through ~10 layers).
func TestPredictorMatchesPyTorch(t *testing.T) {
	for _, tc := range predictorCases {
		t.Run(tc.name, func(t *testing.T) {
			p := mustPredictor(t, tc.cfg, 1)
			if got, want := names(p.Params()), torchNames[tc.name]; !slices.Equal(got, want) {
				t.Fatalf("parameter names\n got %v\nwant %v", got, want)
			}
			want := torchRef[tc.name]
			vals := seqParams(p.Params())
			xs := []int{tc.cfg.Context * tc.cfg.Channels, tc.n, tc.h, tc.w}
			xv := seq(xs[0]*xs[1]*xs[2]*xs[3], 100, 0.5, 0.5)

			g := G.NewGraph()
			ps := make([]*G.Node, len(p.Params()))
			for i, q := range p.Params() {
				ps[i] = input(g, q.Name, dense64(vals[q.Name], q.Value.Shape()...))
			}
			out, err := p.forward(input(g, "x", dense64(xv, xs...)), ps)
			if err != nil {
				t.Fatal(err)
			}
			got := runGraph(t, g, out)
			if s := got.Shape(); !s.Eq(tensor.Shape{tc.cfg.Channels, tc.n, tc.h, tc.w}) {
				t.Fatalf("output shape %v", s)
			}
			if d := maxAbsDiff(got.Float64s(), want); d > 1e-10 {
				t.Errorf("float64: max |Go - PyTorch| = %.3g, tol 1e-10", d)
			}

			if err := p.SetParams(as32(vals)); err != nil {
				t.Fatal(err)
			}
			g = G.NewGraph()
			raw, err := p.Build(g, input(g, "x", dense32(xv, xs...)))
			if err != nil {
				t.Fatal(err)
			}
			if d := maxAbsDiff(floats(runGraph(t, g, raw)), want); d > 1e-5 {
				t.Errorf("float32: max |Go - PyTorch| = %.3g, tol 1e-5", d)
			}
		})
	}
}

func TestDiscriminatorMatchesPyTorch(t *testing.T) {
	for _, tc := range discriminatorCases {
		t.Run(tc.name, func(t *testing.T) {
			d := mustDiscriminator(t, tc.cfg, 1)
			if got, want := names(d.Params()), torchNames[tc.name]; !slices.Equal(got, want) {
				t.Fatalf("parameter names\n got %v\nwant %v", got, want)
			}
			want := torchRef[tc.name]
			vals := seqParams(d.Params())
			k, c := tc.cfg.Context, tc.cfg.Channels
			cs, fs := []int{k * c, tc.n, tc.h, tc.w}, []int{c, tc.n, tc.h, tc.w}
			cv, fv := seq(k*c*tc.n*tc.h*tc.w, 100, 0.5, 0.5), seq(c*tc.n*tc.h*tc.w, 101, 0.5, 0.5)

			g := G.NewGraph()
			ps := make([]*G.Node, len(d.Params()))
			for i, q := range d.Params() {
				ps[i] = input(g, q.Name, dense64(vals[q.Name], q.Value.Shape()...))
			}
			out, err := d.forward(input(g, "ctx", dense64(cv, cs...)), input(g, "cand", dense64(fv, fs...)), ps)
			if err != nil {
				t.Fatal(err)
			}
			got := runGraph(t, g, out)
			m := 1 << tc.cfg.Downs
			if s := got.Shape(); !s.Eq(tensor.Shape{1, tc.n, tc.h / m, tc.w / m}) {
				t.Fatalf("output shape %v", s)
			}
			if diff := maxAbsDiff(got.Float64s(), want); diff > 1e-10 {
				t.Errorf("float64: max |Go - PyTorch| = %.3g, tol 1e-10", diff)
			}

			if err := d.SetParams(as32(vals)); err != nil {
				t.Fatal(err)
			}
			g = G.NewGraph()
			scores, err := d.Build(g, input(g, "ctx", dense32(cv, cs...)), input(g, "cand", dense32(fv, fs...)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := maxAbsDiff(floats(runGraph(t, g, scores)), want); diff > 1e-5 {
				t.Errorf("float32: max |Go - PyTorch| = %.3g, tol 1e-5", diff)
			}
		})
	}
}

// TestParamCounts: PyTorch counts 118,417 parameters in the two-futures
// experiment's U-Net and 101,601 in its 4×4-patch discriminator, and
// 488,627 in bench/pytorch/bench.py's UNet(12, 3, 16, 3), the RGB64 twin.
func TestParamCounts(t *testing.T) {
	if n := mustPredictor(t, DefaultConfig(), 1).NumParams(); n != 118417 {
		t.Errorf("default predictor: %d parameters, want 118417", n)
	}
	if n := mustPredictor(t, RGB64Config(), 1).NumParams(); n != 488627 {
		t.Errorf("RGB64 predictor: %d parameters, want 488627", n)
	}
	if n := mustDiscriminator(t, DefaultDiscriminatorConfig(), 1).NumParams(); n != 101601 {
		t.Errorf("default discriminator: %d parameters, want 101601", n)
	}
}

// TestGradients checks every parameter's and the inputs' gradients against
// finite differences in float64, through a random weighting of the output
// (gradcheck.WeightedSum), with gradcheck's default tolerance 1e-6. The
// depth-2 predictor uses the step h = 1e-6, not the default 1e-5: moving
// one first-layer weight moves every pre-activation downstream (about 2,000
// here), and with h = 1e-5 one of them crossed a LeakyReLU kink on this
// input (relative error 2.8e-3 at enc1.conv1.weight[35]; two other input
// seeds gave 3e-9). With h = 1e-6 its worst error is 1.5e-8, while on the
// RGB case h = 1e-6 leaves rounding noise of 1.5e-6 and h = 1e-5 gives
// 1.6e-7.
func TestGradients(t *testing.T) {
	r := rng(7)
	for _, tc := range []struct {
		name    string
		cfg     Config
		n, h, w int
		step    float64
	}{
		{"unet-w2-d2", tinyConfig(2, 1, 2, 2, false), 2, 8, 8, 1e-6},
		{"unet-rgb-w2-d1-residual", tinyConfig(2, 3, 2, 1, true), 2, 4, 8, 1e-5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustPredictor(t, tc.cfg, 3)
			in := append([]*tensor.Dense{gradcheck.Rand(r, tc.cfg.Context*tc.cfg.Channels, tc.n, tc.h, tc.w)}, paramTensors64(p.Params())...)
			res, err := gradcheck.Check(func(g *G.ExprGraph, in []*G.Node) (*G.Node, error) {
				out, err := p.forward(in[0], in[1:])
				if err != nil {
					return nil, err
				}
				return gradcheck.WeightedSum(out, 11)
			}, in, gradcheck.Options{Seed: 5, Step: tc.step})
			if err != nil {
				t.Fatal(err)
			}
			t.Log(res)
		})
	}
	t.Run("patch-tiny", func(t *testing.T) {
		tc := discriminatorCases[0]
		d := mustDiscriminator(t, tc.cfg, 3)
		k, c := tc.cfg.Context, tc.cfg.Channels
		in := append([]*tensor.Dense{gradcheck.Rand(r, k*c, tc.n, tc.h, tc.w), gradcheck.Rand(r, c, tc.n, tc.h, tc.w)}, paramTensors64(d.Params())...)
		res, err := gradcheck.Check(func(g *G.ExprGraph, in []*G.Node) (*G.Node, error) {
			out, err := d.forward(in[0], in[1], in[2:])
			if err != nil {
				return nil, err
			}
			return gradcheck.WeightedSum(out, 12)
		}, in, gradcheck.Options{Seed: 6})
		if err != nil {
			t.Fatal(err)
		}
		t.Log(res)
	})
}

// TestInit checks PyTorch's Conv2d initialisation: every weight and bias
// uniform in ±1/√fan_in (the head's bias 0), the spread of a uniform
// distribution (variance bound²/3, within 10% on the larger tensors), and
// the same values for the same seed only.
func TestInit(t *testing.T) {
	p := mustPredictor(t, DefaultConfig(), 42)
	var fanIn int
	for _, q := range p.Params() {
		s := q.Value.Shape()
		if s.Dims() == 4 {
			fanIn = s[1] * s[2] * s[3]
		}
		bound := 1 / math.Sqrt(float64(fanIn))
		v := q.Value.Float32s()
		sum2 := 0.0
		for _, x := range v {
			if math.Abs(float64(x)) > bound {
				t.Fatalf("%s: %v outside ±%v", q.Name, x, bound)
			}
			sum2 += float64(x) * float64(x)
		}
		if q.Name == "head.bias" {
			if sum2 != 0 {
				t.Errorf("head.bias = %v, want 0", v)
			}
			continue
		}
		if len(v) >= 1000 {
			if r := sum2 / float64(len(v)) / (bound * bound / 3); r < 0.9 || r > 1.1 {
				t.Errorf("%s: variance / (bound²/3) = %.3f, want 1 ± 0.1", q.Name, r)
			}
		}
	}
	same := mustPredictor(t, DefaultConfig(), 42)
	other := mustPredictor(t, DefaultConfig(), 43)
	for i, q := range p.Params() {
		if !slices.Equal(q.Value.Float32s(), same.Params()[i].Value.Float32s()) {
			t.Errorf("%s differs between two predictors of seed 42", q.Name)
		}
		if q.Name != "head.bias" && slices.Equal(q.Value.Float32s(), other.Params()[i].Value.Float32s()) {
			t.Errorf("%s is the same for seeds 42 and 43", q.Name)
		}
	}
}
