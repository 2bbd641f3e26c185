package ops

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestLossesAgainstPyTorch checks values and gradients against PyTorch
// (torchref_data_test.go): mse_loss, l1_loss (with a tie a=b, where the
// subgradient is 0), the LSGAN terms, binary_cross_entropy_with_logits at
// logits ±60, and the two-futures gdl for alpha 1 and 2; float64, tol 1e-12.
func TestLossesAgainstPyTorch(t *testing.T) {
	a := func(seed int) *tensor.Dense { return seqDense(seed, 1, 0, 1, 2, 4, 5) }
	tied := a(10)
	tied.Float64s()[5] = a(9).Float64s()[5]
	tails := seqDense(12, 4, 0, 1, 2, 3, 4)
	tails.Float64s()[0], tails.Float64s()[1] = 60, -60
	type lc struct {
		name   string
		build  func(in []*G.Node) (*G.Node, error)
		inputs []*tensor.Dense
	}
	cases := []lc{
		{"mse", func(in []*G.Node) (*G.Node, error) { return MeanSquaredDiff(in[0], in[1]) }, []*tensor.Dense{a(9), a(10)}},
		{"l1", func(in []*G.Node) (*G.Node, error) { return MeanAbsDiff(in[0], in[1]) }, []*tensor.Dense{a(9), tied}},
	}
	for _, tgt := range []float64{1, 0} {
		cases = append(cases, lc{fmt.Sprintf("mseto%.1f", tgt), func(in []*G.Node) (*G.Node, error) { return MeanSquaredTo(in[0], tgt) },
			[]*tensor.Dense{seqDense(11, 1, 0, 1, 2, 3, 4)}})
	}
	for _, tgt := range []float64{1, 0, 0.3} {
		cases = append(cases, lc{fmt.Sprintf("bce%.1f", tgt), func(in []*G.Node) (*G.Node, error) { return BCEWithLogitsMean(in[0], tgt) },
			[]*tensor.Dense{tails}})
	}
	for _, alpha := range []float64{1, 2} {
		cases = append(cases, lc{fmt.Sprintf("gdl%.1f", alpha), func(in []*G.Node) (*G.Node, error) { return GradDiff(in[0], in[1], alpha) },
			[]*tensor.Dense{seqDense(13, 1, 0, 2, 2, 4, 5), seqDense(14, 1, 0, 2, 2, 4, 5)}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, grads := evalGrads(t, c.build, c.inputs...)
			if _, ok := out.(*G.F64); !ok {
				t.Fatalf("loss value is a %T, want a scalar *F64", out)
			}
			againstTorch(t, c.name+"/value", valueFloats(out), 1e-12)
			for i, g := range grads {
				againstTorch(t, fmt.Sprintf("%s/grad%d", c.name, i), g, 1e-12)
			}
		})
	}
}

func TestLossGradients(t *testing.T) {
	r := rng(31)
	x := func(s ...int) *tensor.Dense { return randDense(r, tensor.Float64, s...) }
	cases := []struct {
		name   string
		build  func(g *G.ExprGraph, in []*G.Node) (*G.Node, error)
		inputs []*tensor.Dense
	}{
		{"MeanSquaredDiff", func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return MeanSquaredDiff(in[0], in[1]) }, []*tensor.Dense{x(1, 2, 4, 4), x(1, 2, 4, 4)}},
		{"MeanAbsDiff", func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return MeanAbsDiff(in[0], in[1]) }, []*tensor.Dense{x(1, 2, 4, 4), x(1, 2, 4, 4)}},
		{"MeanSquaredTo", func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return MeanSquaredTo(in[0], 0.7) }, []*tensor.Dense{x(1, 2, 3, 3)}},
		{"BCEWithLogitsMean", func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return BCEWithLogitsMean(in[0], 0.2) }, []*tensor.Dense{x(1, 2, 3, 3)}},
		{"GradDiff(1)", func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return GradDiff(in[0], in[1], 1) }, []*tensor.Dense{x(2, 2, 4, 5), x(2, 2, 4, 5)}},
		{"GradDiff(2)", func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return GradDiff(in[0], in[1], 2) }, []*tensor.Dense{x(2, 2, 4, 5), x(2, 2, 4, 5)}},
		{"GradDiff(1.5)", func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return GradDiff(in[0], in[1], 1.5) }, []*tensor.Dense{x(1, 1, 5, 4), x(1, 1, 5, 4)}},
		{"weighted sum of losses", func(g *G.ExprGraph, in []*G.Node) (*G.Node, error) {
			l1, err := MeanSquaredDiff(in[0], in[1])
			if err != nil {
				return nil, err
			}
			l2, err := MeanSquaredTo(in[0], 1)
			if err != nil {
				return nil, err
			}
			l2, err = G.Mul(l2, G.NewConstant(0.05))
			if err != nil {
				return nil, err
			}
			return G.Add(l1, l2)
		}, []*tensor.Dense{x(1, 2, 3, 3), x(1, 2, 3, 3)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { check(t, c.build, gradOpts, c.inputs...) })
	}
}

func TestBCEIsFiniteAtExtremes(t *testing.T) {
	a := tensor.New(tensor.WithShape(1, 1, 1, 2), tensor.WithBacking([]float32{1e4, -1e4}))
	out, grads := evalGrads(t, func(in []*G.Node) (*G.Node, error) { return BCEWithLogitsMean(in[0], 1) }, a)
	v := valueFloats(out)[0]
	// PyTorch: mean(0, 1e4) = 5000 for logits (1e4, -1e4) and target 1.
	if math.Abs(v-5000) > 1e-3 {
		t.Fatalf("BCE = %v, want 5000", v)
	}
	if g := grads[0]; g[0] != 0 || g[1] != -0.5 {
		t.Fatalf("gradient %v, want [0 -0.5]", g)
	}
}

func TestLossShapeErrors(t *testing.T) {
	g := G.NewGraph()
	a := G.NewTensor(g, tensor.Float32, 4, G.WithShape(1, 2, 3, 3), G.WithName("a"))
	b := G.NewTensor(g, tensor.Float32, 4, G.WithShape(1, 2, 3, 4), G.WithName("b"))
	if _, err := MeanSquaredDiff(a, b); err == nil {
		t.Error("MeanSquaredDiff accepted shapes (1,2,3,3) and (1,2,3,4)")
	}
	if _, err := GradDiff(a, a, 0.5); err == nil {
		t.Error("GradDiff accepted alpha 0.5")
	}
}
