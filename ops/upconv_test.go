package ops

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestUpConvMatchesPair compares UpConv2d with Upsample2x followed by Conv2d,
// forward and gradients, in float64.
func TestUpConvMatchesPair(t *testing.T) {
	r := rng(61)
	x, w := randDense(r, tensor.Float64, 3, 2, 4, 5), randDense(r, tensor.Float64, 4, 3, 3, 3)
	fused, fg := evalGrads(t, func(in []*G.Node) (*G.Node, error) { return UpConv2d(in[0], in[1], 1) }, x, w)
	pair, pg := evalGrads(t, func(in []*G.Node) (*G.Node, error) {
		u, err := Upsample2x(in[0])
		if err != nil {
			return nil, err
		}
		return Conv2d(u, in[1], 1, 1)
	}, x, w)
	if d := maxDiff(t, valueFloats(fused), valueFloats(pair)); d > 1e-12 {
		t.Fatalf("output differs from the pair by %.3g", d)
	}
	for i := range fg {
		if d := maxDiff(t, fg[i], pg[i]); d > 1e-12 {
			t.Fatalf("gradient %d differs from the pair's by %.3g", i, d)
		}
	}
}

func TestUpConvGradients(t *testing.T) {
	r := rng(62)
	for _, k := range []struct{ size, pad int }{{3, 1}, {1, 0}, {3, 0}} {
		check(t, weighted(func(in []*G.Node) (*G.Node, error) { return UpConv2d(in[0], in[1], k.pad) }), gradOpts,
			randDense(r, tensor.Float64, 3, 2, 3, 4), randDense(r, tensor.Float64, 2, 3, k.size, k.size))
	}
}

// TestUpConvPhases compares the float32 phase path (four 2×2 convolutions
// of the low-resolution input, where the micro-kernels exist) with the
// float64 pair of upsampling and convolution.
func TestUpConvPhases(t *testing.T) {
	geoms := []ConvGeom{ // on the upsampled input
		{N: 2, In: 5, H: 8, W: 16, Out: 8, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
		{N: 3, In: 3, H: 6, W: 10, Out: 3, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
		{N: 4, In: 8, H: 16, W: 16, Out: 4, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
	}
	for _, g := range geoms {
		t.Run(geomDesc(g), func(t *testing.T) {
			if hasKernels && !upFast[float32](g) {
				t.Fatal("geometry does not take the phase path")
			}
			r := rng(63)
			h, w := g.H/2, g.W/2
			x64 := randDense(r, tensor.Float64, g.In, g.N, h, w).Float64s()
			w64 := randDense(r, tensor.Float64, g.Out, g.In, 3, 3).Float64s()
			d64 := randDense(r, tensor.Float64, g.Out, g.N, g.H, g.W).Float64s()
			x32, w32, d32 := f32(x64), f32(w64), f32(d64)
			x64, w64, d64 = f64(x32), f64(w32), f64(d32)

			up := make([]float64, g.In*g.N*g.H*g.W)
			runPlanes(upsample, planes{n: g.In * g.N, h: g.H, w: g.W, sh: h, sw: w}, nil, x64, up)
			y64, dw64, dup := make([]float64, g.Out*g.Cols()), make([]float64, len(w64)), make([]float64, len(up))
			ConvForward(g, up, w64, y64)
			ConvBackwardFilter(g, up, d64, dw64)
			ConvBackwardInput(g, w64, d64, dup)
			dx64 := make([]float64, len(x64))
			runPlanes(upsampleGrad, planes{n: g.In * g.N, h: h, w: w, sh: g.H, sw: g.W}, nil, dup, dx64)

			y32, dw32, dx32 := make([]float32, len(y64)), make([]float32, len(dw64)), make([]float32, len(dx64))
			UpConvForward(g, x32, w32, y32)
			UpConvBackwardFilter(g, x32, d32, dw32)
			UpConvBackwardInput(g, w32, d32, dx32)
			for name, p := range map[string][2][]float64{"out": {f64(y32), y64}, "dw": {f64(dw32), dw64}, "dx": {f64(dx32), dx64}} {
				if d := maxDiff(t, p[0], p[1]) / maxAbs(p[1]); d > 1e-5 {
					t.Errorf("%s: float32 phase path differs from float64 by %.3g of the largest value", name, d)
				}
			}
		})
	}
}
