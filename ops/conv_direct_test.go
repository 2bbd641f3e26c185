package ops

import (
	"testing"

	"gorgonia.org/tensor"
)

// TestDirectPath compares the float32 direct path (micro-kernels on a padded
// input, where available) with the float64 im2col path on the same data.
func TestDirectPath(t *testing.T) {
	geoms := []ConvGeom{
		{N: 2, In: 3, H: 32, W: 32, Out: 8, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
		{N: 3, In: 5, H: 7, W: 40, Out: 4, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
		{N: 2, In: 2, H: 6, W: 8, Out: 12, KH: 5, KW: 5, Stride: 1, PadH: 2, PadW: 2},
		{N: 1, In: 4, H: 9, W: 10, Out: 4, KH: 3, KW: 3, Stride: 1, PadH: 0, PadW: 0},
		{N: 2, In: 3, H: 5, W: 7, Out: 8, KH: 2, KW: 2, Stride: 1, PadH: 1, PadW: 1},
		// input channels in fours: the input gradient takes the direct path too
		{N: 2, In: 8, H: 6, W: 16, Out: 4, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
		{N: 2, In: 4, H: 5, W: 8, Out: 8, KH: 5, KW: 5, Stride: 1, PadH: 2, PadW: 2},
		// rows of 13 and 3 pixels: virtual columns wrap rows mid-block
		{N: 3, In: 4, H: 4, W: 13, Out: 8, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
		{N: 5, In: 2, H: 3, W: 3, Out: 4, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
		// strided: phase planes
		{N: 2, In: 3, H: 32, W: 32, Out: 8, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1},
		{N: 2, In: 5, H: 16, W: 16, Out: 4, KH: 4, KW: 4, Stride: 2, PadH: 1, PadW: 1},
		{N: 3, In: 2, H: 7, W: 9, Out: 8, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1},
		{N: 1, In: 3, H: 11, W: 12, Out: 4, KH: 3, KW: 3, Stride: 3, PadH: 2, PadW: 0},
		// 1×1 stride 2: phases no tap reaches get zero gradients
		{N: 2, In: 4, H: 6, W: 7, Out: 4, KH: 1, KW: 1, Stride: 2, PadH: 0, PadW: 0},
		// many small images: tasks span images
		{N: 37, In: 4, H: 3, W: 5, Out: 8, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
		{N: 9, In: 3, H: 6, W: 6, Out: 4, KH: 4, KW: 4, Stride: 2, PadH: 1, PadW: 1},
		// rows of 12 and 4 pixels: segments of 4
		{N: 3, In: 8, H: 4, W: 12, Out: 8, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
		{N: 5, In: 4, H: 4, W: 4, Out: 12, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
		{N: 7, In: 4, H: 8, W: 8, Out: 4, KH: 4, KW: 4, Stride: 2, PadH: 1, PadW: 1},
		// output channels not in fours: zero filters pad them
		{N: 2, In: 32, H: 16, W: 16, Out: 1, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
		{N: 2, In: 6, H: 8, W: 8, Out: 6, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1},
	}
	for _, g := range geoms {
		t.Run(geomDesc(g), func(t *testing.T) {
			if !direct[float32](g) && hasKernels {
				t.Fatalf("geometry does not take the direct path")
			}
			tg := ConvGeom{N: g.N, In: g.Out, H: g.OH(), W: g.OW(), Out: g.In, KH: g.KH, KW: g.KW, Stride: 1, PadH: g.KH - 1 - g.PadH, PadW: g.KW - 1 - g.PadW}
			t.Logf("input gradient on the direct path: %v", direct[float32](tg))
			r := rng(51)
			x64 := randDense(r, tensor.Float64, g.In, g.N, g.H, g.W).Float64s()
			w64 := randDense(r, tensor.Float64, g.Out, g.In, g.KH, g.KW).Float64s()
			d64 := randDense(r, tensor.Float64, g.Out, g.N, g.OH(), g.OW()).Float64s()
			x32, w32, d32 := f32(x64), f32(w64), f32(d64)
			// Round the float64 inputs to float32 so both see the same numbers.
			x64, w64, d64 = f64(x32), f64(w32), f64(d32)

			y64, dw64, dx64 := make([]float64, g.Out*g.Cols()), make([]float64, len(w64)), make([]float64, len(x64))
			ConvForward(g, x64, w64, y64)
			ConvBackwardFilter(g, x64, d64, dw64)
			ConvBackwardInput(g, w64, d64, dx64)
			y32, dw32, dx32 := make([]float32, len(y64)), make([]float32, len(dw64)), make([]float32, len(dx64))
			ConvForward(g, x32, w32, y32)
			ConvBackwardFilter(g, x32, d32, dw32)
			ConvBackwardInput(g, w32, d32, dx32)
			for name, p := range map[string][2][]float64{"out": {f64(y32), y64}, "dw": {f64(dw32), dw64}, "dx": {f64(dx32), dx64}} {
				// float32 sums of up to a few thousand products: 1e-5 of the scale.
				if d := maxDiff(t, p[0], p[1]) / maxAbs(p[1]); d > 1e-5 {
					t.Errorf("%s: float32 direct path differs from float64 by %.3g of the largest value", name, d)
				}
			}
		})
	}
}

func f32(v []float64) []float32 {
	o := make([]float32, len(v))
	for i, x := range v {
		o[i] = float32(x)
	}
	return o
}

func f64(v []float32) []float64 {
	o := make([]float64, len(v))
	for i, x := range v {
		o[i] = float64(x)
	}
	return o
}
