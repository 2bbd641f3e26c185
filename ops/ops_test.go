package ops

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestAgainstPyTorch checks outputs and gradients (of sum(out·R)) against
// the PyTorch values in torchref_data_test.go, made by testdata/torchref.py
// from the same seq inputs; float64, tol 1e-12.
func TestAgainstPyTorch(t *testing.T) {
	one := func(f func(*G.Node) (*G.Node, error)) func(in []*G.Node) (*G.Node, error) {
		return func(in []*G.Node) (*G.Node, error) { return f(in[0]) }
	}
	cases := []struct {
		name   string
		build  func(in []*G.Node) (*G.Node, error)
		inputs []*tensor.Dense
	}{
		{"upsample", one(Upsample2x), []*tensor.Dense{seqDense(3, 1, 0, 2, 2, 2, 3)}},
		{"maxpool", one(MaxPool2), []*tensor.Dense{seqDense(4, 1, 0, 2, 2, 5, 4)}},
		{"maxpool_ties", one(MaxPool2), []*tensor.Dense{rounded(seqDense(5, 1.2, 0, 1, 2, 4, 4))}},
		{"avgpool", one(AvgPool2), []*tensor.Dense{seqDense(6, 1, 0, 2, 2, 4, 5)}},
		{"affine", func(in []*G.Node) (*G.Node, error) {
			mean, std := []float64{0.485, 0.456, 0.406}, []float64{0.229, 0.224, 0.225}
			s, b := make([]float64, 3), make([]float64, 3)
			for i := range s {
				s[i], b[i] = 1/std[i], -mean[i]/std[i]
			}
			return ChannelAffine(in[0], s, b)
		}, []*tensor.Dense{seqDense(7, 0.5, 0.5, 3, 2, 2, 3)}},
		{"clamp", one(Clamp01), []*tensor.Dense{withAt(seqDense(8, 1, 0.5, 2, 2, 3, 3), map[int]float64{3: 0, 7: 1})}},
	}
	for _, slope := range []float64{0.2, 0, 1} {
		cases = append(cases, struct {
			name   string
			build  func(in []*G.Node) (*G.Node, error)
			inputs []*tensor.Dense
		}{fmt.Sprintf("biasact%v", fmt.Sprintf("%.1f", slope)), func(in []*G.Node) (*G.Node, error) {
			return BiasAct(in[0], in[1], slope)
		}, []*tensor.Dense{seqDense(1, 1, 0, 3, 2, 3, 4), seqDense(2, 0.5, 0, 3)}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, grads := evalGrads(t, c.build, c.inputs...)
			againstTorch(t, c.name+"/out", valueFloats(out), 1e-12)
			for i, g := range grads {
				againstTorch(t, fmt.Sprintf("%s/grad%d", c.name, i), g, 1e-12)
			}
		})
	}
}

func rounded(t *tensor.Dense) *tensor.Dense {
	v := t.Float64s()
	for i := range v {
		v[i] = float64(int(v[i]+1.5)) - 1 // round half up, as these values never sit on .5
	}
	return t
}

func withAt(t *tensor.Dense, at map[int]float64) *tensor.Dense {
	for i, v := range at {
		t.Float64s()[i] = v
	}
	return t
}

// TestAgainstGorgonia compares forward outputs with gorgonia's own ops
// (on NCHW copies where the layout matters), which agree with PyTorch.
func TestAgainstGorgonia(t *testing.T) {
	r := rng(21)
	x := randDense(r, tensor.Float64, 3, 2, 6, 5)
	b := randDense(r, tensor.Float64, 3)
	x2 := randDense(r, tensor.Float64, 3, 2, 6, 5)
	xn, _ := ToNCHW(x)
	cases := []struct {
		name        string
		ours        func(g *G.ExprGraph, in []*G.Node) (*G.Node, error)
		stock       func(g *G.ExprGraph, in []*G.Node) (*G.Node, error)
		oursIn      []*tensor.Dense
		stockIn     []*tensor.Dense
		stockIsNCHW bool
	}{
		{"MaxPool2", func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return MaxPool2(in[0]) },
			func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) {
				return G.MaxPool2D(in[0], tensor.Shape{2, 2}, []int{0, 0}, []int{2, 2})
			}, []*tensor.Dense{x}, []*tensor.Dense{xn}, true},
		{"Upsample2x", func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return Upsample2x(in[0]) },
			func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return G.Upsample2D(in[0], 2) },
			[]*tensor.Dense{x}, []*tensor.Dense{xn}, true},
		{"BiasAct(0.2)=LeakyRelu(x+b)", func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return BiasAct(in[0], in[1], 0.2) },
			func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) {
				bb, err := G.Reshape(in[1], tensor.Shape{3, 1, 1, 1})
				if err != nil {
					return nil, err
				}
				s, err := G.BroadcastAdd(in[0], bb, nil, []byte{1, 2, 3})
				if err != nil {
					return nil, err
				}
				return G.LeakyRelu(s, 0.2)
			}, []*tensor.Dense{x, b}, []*tensor.Dense{x, b}, false},
		{"Concat", func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return Concat(in[0], in[1], in[0]) },
			func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return G.Concat(0, in[0], in[1], in[0]) },
			[]*tensor.Dense{x, x.Clone().(*tensor.Dense)}, []*tensor.Dense{x, x.Clone().(*tensor.Dense)}, false},
		{"Slice0", func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return Slice0(in[0], 1, 3) },
			func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return G.Slice(in[0], G.S(1, 3)) },
			[]*tensor.Dense{x}, []*tensor.Dense{x}, false},
		{"Add", func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return Add(in[0], in[1]) },
			func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return G.Add(in[0], in[1]) },
			[]*tensor.Dense{x, x2}, []*tensor.Dense{x, x2}, false},
		{"Scale", func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return Scale(in[0], -0.75) },
			func(g *G.ExprGraph, in []*G.Node) (*G.Node, error) {
				return G.Mul(in[0], G.NewConstant(-0.75))
			}, []*tensor.Dense{x}, []*tensor.Dense{x}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := run(t, c.ours, c.oursIn...).(*tensor.Dense)
			want := run(t, c.stock, c.stockIn...).(*tensor.Dense)
			if c.stockIsNCHW {
				want, _ = ToCNHW(want)
			}
			if !got.Shape().Eq(want.Shape()) {
				t.Fatalf("shape %v, gorgonia gives %v", got.Shape(), want.Shape())
			}
			if d := maxDiff(t, floats(got), floats(want)); d > 1e-15 {
				t.Fatalf("max |diff| vs gorgonia %.3g", d)
			}
		})
	}
}

// TestOpGradients checks every op's gradient with finite differences.
func TestOpGradients(t *testing.T) {
	r := rng(22)
	x := func(s ...int) *tensor.Dense { return randDense(r, tensor.Float64, s...) }
	cases := []struct {
		name   string
		f      func(in []*G.Node) (*G.Node, error)
		inputs []*tensor.Dense
	}{
		{"BiasAct(0.2)", func(in []*G.Node) (*G.Node, error) { return BiasAct(in[0], in[1], 0.2) }, []*tensor.Dense{x(3, 2, 3, 4), x(3)}},
		{"BiasAct(0)", func(in []*G.Node) (*G.Node, error) { return BiasAct(in[0], in[1], 0) }, []*tensor.Dense{x(3, 2, 3, 4), x(3)}},
		{"BiasAct(1)", func(in []*G.Node) (*G.Node, error) { return BiasAct(in[0], in[1], 1) }, []*tensor.Dense{x(3, 2, 3, 4), x(3)}},
		{"Upsample2x", func(in []*G.Node) (*G.Node, error) { return Upsample2x(in[0]) }, []*tensor.Dense{x(2, 2, 3, 2)}},
		{"MaxPool2", func(in []*G.Node) (*G.Node, error) { return MaxPool2(in[0]) }, []*tensor.Dense{x(2, 2, 5, 6)}},
		{"AvgPool2", func(in []*G.Node) (*G.Node, error) { return AvgPool2(in[0]) }, []*tensor.Dense{x(2, 2, 4, 5)}},
		{"Concat", func(in []*G.Node) (*G.Node, error) { return Concat(in[0], in[1], in[0]) }, []*tensor.Dense{x(2, 2, 3, 3), x(1, 2, 3, 3)}},
		{"Slice0", func(in []*G.Node) (*G.Node, error) { return Slice0(in[0], 1, 3) }, []*tensor.Dense{x(4, 2, 2, 3)}},
		{"Add", func(in []*G.Node) (*G.Node, error) { return Add(in[0], in[1]) }, []*tensor.Dense{x(2, 2, 3, 3), x(2, 2, 3, 3)}},
		{"Scale", func(in []*G.Node) (*G.Node, error) { return Scale(in[0], -1.5) }, []*tensor.Dense{x(2, 1, 3, 3)}},
		{"ChannelAffine", func(in []*G.Node) (*G.Node, error) {
			return ChannelAffine(in[0], []float64{2, -0.5}, []float64{0.1, 3})
		}, []*tensor.Dense{x(2, 2, 3, 3)}},
		{"Clamp01", func(in []*G.Node) (*G.Node, error) { return Clamp01(in[0]) }, []*tensor.Dense{x(2, 2, 3, 3)}},
		{"mini-U-Net", miniUNet, []*tensor.Dense{x(2, 2, 8, 8), x(4, 2, 3, 3), x(4), x(4, 4, 3, 3), x(4), x(1, 8, 3, 3)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { check(t, weighted(c.f), gradOpts, c.inputs...) })
	}
}

// miniUNet chains every layer kind of the demo predictor: conv, bias and
// LeakyReLU, a strided conv, pooling, upsampling, a skip concat.
func miniUNet(in []*G.Node) (*G.Node, error) {
	e1, err := Conv2d(in[0], in[1], 1, 1)
	if err != nil {
		return nil, err
	}
	if e1, err = BiasAct(e1, in[2], 0.2); err != nil {
		return nil, err
	}
	d, err := Conv2d(e1, in[3], 2, 1)
	if err != nil {
		return nil, err
	}
	if d, err = BiasAct(d, in[4], 0.2); err != nil {
		return nil, err
	}
	p, err := MaxPool2(e1)
	if err != nil {
		return nil, err
	}
	if d, err = Add(d, p); err != nil {
		return nil, err
	}
	u, err := Upsample2x(d)
	if err != nil {
		return nil, err
	}
	cat, err := Concat(u, e1)
	if err != nil {
		return nil, err
	}
	return Conv2d(cat, in[5], 1, 1)
}

// TestFloat32MatchesFloat64 runs the mini U-Net in both precisions.
func TestFloat32MatchesFloat64(t *testing.T) {
	r := rng(23)
	in := []*tensor.Dense{randDense(r, tensor.Float64, 2, 2, 8, 8), randDense(r, tensor.Float64, 4, 2, 3, 3), randDense(r, tensor.Float64, 4),
		randDense(r, tensor.Float64, 4, 4, 3, 3), randDense(r, tensor.Float64, 4), randDense(r, tensor.Float64, 1, 8, 3, 3)}
	in32 := make([]*tensor.Dense, len(in))
	for i, d := range in {
		in32[i] = to32(d)
	}
	out64, g64 := evalGrads(t, miniUNet, in...)
	out32, g32 := evalGrads(t, miniUNet, in32...)
	// float32 keeps about 7 digits; sums of a few hundred terms lose ~2.
	if d := maxDiff(t, valueFloats(out32), valueFloats(out64)) / maxAbs(valueFloats(out64)); d > 1e-5 {
		t.Fatalf("float32 output differs from float64 by %.3g of its largest value", d)
	}
	for i := range g64 {
		if d := maxDiff(t, g32[i], g64[i]) / maxAbs(g64[i]); d > 1e-5 {
			t.Fatalf("float32 gradient %d differs from float64 by %.3g of its largest value", i, d)
		}
	}
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	return m
}
