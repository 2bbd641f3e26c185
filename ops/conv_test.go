package ops

import (
	"fmt"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

var convCases = []struct {
	name             string
	in, n, h, w, out int
	kh, kw           int
	stride, pad      int
}{
	{"3x3_s1_p1", 3, 2, 5, 6, 4, 3, 3, 1, 1},
	{"3x3_s1_p0", 2, 1, 5, 7, 3, 3, 3, 1, 0},
	{"3x3_s2_p1", 3, 2, 6, 7, 4, 3, 3, 2, 1},
	{"4x4_s2_p1", 2, 2, 8, 6, 3, 4, 4, 2, 1},
	{"1x1", 5, 3, 4, 3, 2, 1, 1, 1, 0},
	{"1x1_s2", 2, 2, 5, 5, 3, 1, 1, 2, 0},
	{"2x3_s1_p1", 2, 2, 4, 5, 3, 2, 3, 1, 1},
	{"3x3_s3_p2", 2, 1, 7, 8, 2, 3, 3, 3, 2},
}

// TestConvMatchesGorgonia compares Conv2d with gorgonia's own Conv2d (on the
// same data converted to NCHW), whose forward pass matches PyTorch's
// conv2d to 4e-15 in float64.
func TestConvMatchesGorgonia(t *testing.T) {
	for _, c := range convCases {
		for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(fmt.Sprintf("%s_%v", c.name, dt), func(t *testing.T) {
				r := rng(11)
				x := randDense(r, dt, c.in, c.n, c.h, c.w)
				w := randDense(r, dt, c.out, c.in, c.kh, c.kw)
				got := run(t, func(g *G.ExprGraph, in []*G.Node) (*G.Node, error) {
					return Conv2d(in[0], in[1], c.stride, c.pad)
				}, x, w).(*tensor.Dense)
				xn, err := ToNCHW(x)
				if err != nil {
					t.Fatal(err)
				}
				want := run(t, func(g *G.ExprGraph, in []*G.Node) (*G.Node, error) {
					return G.Conv2d(in[0], in[1], tensor.Shape{c.kh, c.kw}, []int{c.pad, c.pad}, []int{c.stride, c.stride}, []int{1, 1})
				}, xn, w).(*tensor.Dense)
				wantCN, err := ToCNHW(want)
				if err != nil {
					t.Fatal(err)
				}
				if !got.Shape().Eq(wantCN.Shape()) {
					t.Fatalf("shape %v, gorgonia gives %v", got.Shape(), wantCN.Shape())
				}
				tol := 1e-12 // float64 sums of ≤ 80 products of N(0,1) values
				if dt == tensor.Float32 {
					tol = 1e-4
				}
				if d := maxDiff(t, floats(got), floats(wantCN)); d > tol {
					t.Fatalf("max |diff| vs gorgonia %.3g > %.1g", d, tol)
				}
			})
		}
	}
}

func TestConvGradients(t *testing.T) {
	for _, c := range convCases {
		t.Run(c.name, func(t *testing.T) {
			r := rng(12)
			check(t, weighted(func(in []*G.Node) (*G.Node, error) {
				return Conv2d(in[0], in[1], c.stride, c.pad)
			}), gradOpts, randDense(r, tensor.Float64, c.in, c.n, c.h, c.w), randDense(r, tensor.Float64, c.out, c.in, c.kh, c.kw))
		})
	}
}

// TestConvTiles runs geometries large enough to split into many tiles over
// several workers (including the two-phase scatter of strided input
// gradients) and compares them with a one-worker, one-tile run.
func TestConvTiles(t *testing.T) {
	defer func(b int) { tileBytes = b }(tileBytes)
	defer SetWorkers(SetWorkers(0))
	geoms := []ConvGeom{
		{N: 3, In: 5, H: 17, W: 19, Out: 6, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
		{N: 3, In: 5, H: 17, W: 19, Out: 6, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1},
		{N: 2, In: 4, H: 16, W: 16, Out: 3, KH: 4, KW: 4, Stride: 2, PadH: 1, PadW: 1},
	}
	for _, g := range geoms {
		t.Run(geomDesc(g), func(t *testing.T) {
			r := rng(13)
			x := randDense(r, tensor.Float64, g.In, g.N, g.H, g.W).Float64s()
			w := randDense(r, tensor.Float64, g.Out, g.In, g.KH, g.KW).Float64s()
			dout := randDense(r, tensor.Float64, g.Out, g.N, g.OH(), g.OW()).Float64s()
			run := func() (y, dx, dw []float64) {
				y, dx, dw = make([]float64, g.Out*g.Cols()), make([]float64, len(x)), make([]float64, len(w))
				ConvForward(g, x, w, y)
				ConvBackwardInput(g, w, dout, dx)
				ConvBackwardFilter(g, x, dout, dw)
				return
			}
			SetWorkers(1)
			tileBytes = 1 << 30
			y1, dx1, dw1 := run()
			SetWorkers(3)
			tileBytes = 1 // the minimum tile
			y2, dx2, dw2 := run()
			for name, p := range map[string][2][]float64{"out": {y1, y2}, "dx": {dx1, dx2}, "dw": {dw1, dw2}} {
				if d := maxDiff(t, p[1], p[0]); d > 1e-12 {
					t.Errorf("%s: tiled run differs from the single tile by %.3g", name, d)
				}
			}
		})
	}
}
