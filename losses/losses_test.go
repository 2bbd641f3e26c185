package losses

import (
	"fmt"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/features"
	"framepred/internal/gradcheck"
	"framepred/ops"
)

type lossCase struct {
	name   string // torchref.py's case name
	build  func(in []*G.Node) (*G.Node, error)
	inputs []*tensor.Dense
}

// lossCases are torchref.py's cases, with the same inputs.
func lossCases(t testing.TB) []lossCase {
	pred, truth := cnhw(1, 0.5, 0.5, 1, 2, 6, 7), cnhw(2, 0.5, 0.5, 1, 2, 6, 7)
	pred8, truth8 := cnhw(3, 0.5, 0.5, 1, 2, 8, 8), cnhw(4, 0.5, 0.5, 1, 2, 8, 8)
	real, fake, mis := cnhw(10, 2, 0, 1, 2, 4, 4), cnhw(11, 2, 0, 1, 2, 4, 4), cnhw(12, 2, 0, 1, 2, 4, 4)
	edges, vgg := features.Edges(), tinyVGG(t)
	pair := func(f func(a, b *G.Node) (*G.Node, error)) func([]*G.Node) (*G.Node, error) {
		return func(in []*G.Node) (*G.Node, error) { return f(in[0], in[1]) }
	}
	gdl := func(alpha float64) func([]*G.Node) (*G.Node, error) {
		return func(in []*G.Node) (*G.Node, error) { return GDLAlpha(in[0], in[1], alpha) }
	}
	return []lossCase{
		{"mse", pair(MSE), []*tensor.Dense{pred, truth}},
		{"l1", pair(L1), []*tensor.Dense{pred, truth}},
		{"gdl1", pair(GDL), []*tensor.Dense{pred, truth}},
		{"gdl2", gdl(2), []*tensor.Dense{pred, truth}},
		{"gdl1.5", gdl(1.5), []*tensor.Dense{pred, truth}},
		{"perceptual_edges", func(in []*G.Node) (*G.Node, error) { return Perceptual(edges, in[0], in[1], 1, 0.5) }, []*tensor.Dense{pred8, truth8}},
		{"perceptual_vgg", func(in []*G.Node) (*G.Node, error) { return Perceptual(vgg, in[0], in[1]) }, []*tensor.Dense{pred8, truth8}},
		{"lsgan_d", func(in []*G.Node) (*G.Node, error) { return AdversarialD(LSGAN, in[0], in[1], in[2], 1) }, []*tensor.Dense{real, fake, mis}},
		{"lsgan_d_nomis", func(in []*G.Node) (*G.Node, error) { return AdversarialD(LSGAN, in[0], in[1], nil, 1) }, []*tensor.Dense{real, fake}},
		{"lsgan_g", func(in []*G.Node) (*G.Node, error) { return AdversarialG(LSGAN, in[0]) }, []*tensor.Dense{fake}},
		{"bce_d", func(in []*G.Node) (*G.Node, error) { return AdversarialD(NonSaturating, in[0], in[1], in[2], 0.5) }, []*tensor.Dense{real, fake, mis}},
		{"bce_g", func(in []*G.Node) (*G.Node, error) { return AdversarialG(NonSaturating, in[0]) }, []*tensor.Dense{fake}},
		{"combined", func(in []*G.Node) (*G.Node, error) {
			w, err := ParseWeights("mse=1,gdl=1,perceptual=0.01,adv=0.05")
			if err != nil {
				return nil, err
			}
			total, _, err := w.Build(Inputs{Pred: in[0], Truth: in[1], Extractor: edges, DFake: in[2]})
			return total, err
		}, []*tensor.Dense{pred8, truth8, fake}},
	}
}

// TestAgainstPyTorch checks every loss's value and its gradient with
// respect to every input against torchref.py's PyTorch computation of the
// same formula on the same numbers: tol 1e-12 relative in float64, 1e-5 in
// float32 (whose rounding is about 6e-8 per operation).
func TestAgainstPyTorch(t *testing.T) {
	for _, c := range lossCases(t) {
		t.Run(c.name, func(t *testing.T) {
			for _, dt := range []struct {
				name string
				conv func(*tensor.Dense) *tensor.Dense
				tol  float64
			}{{"f64", func(d *tensor.Dense) *tensor.Dense { return d }, 1e-12}, {"f32", to32, 1e-5}} {
				in := make([]*tensor.Dense, len(c.inputs))
				for i, x := range c.inputs {
					in[i] = dt.conv(x)
				}
				v, grads := evalGrads(t, c.build, in...)
				againstTorch(t, c.name+"/value", []float64{v}, dt.tol)
				for i, g := range grads {
					againstTorch(t, fmt.Sprintf("%s/grad%d", c.name, i), g, dt.tol)
				}
			}
		})
	}
}

// TestGradients checks every loss's gradient with respect to every input
// against central finite differences in float64 (internal/gradcheck
// defaults: h = 1e-5, relative error ≤ 1e-6 with a floor of 1e-2).
func TestGradients(t *testing.T) {
	for _, c := range lossCases(t) {
		t.Run(c.name, func(t *testing.T) {
			res, err := gradcheck.Check(func(_ *G.ExprGraph, in []*G.Node) (*G.Node, error) { return c.build(in) }, c.inputs, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%v", res)
		})
	}
}

// TestTruthNeedsNoGradient compiles a perceptual loss as a trainer does,
// with ops.Needed, and checks that the truth's features are not
// differentiated: no convolution gradient runs on the truth's side.
func TestTruthNeedsNoGradient(t *testing.T) {
	g := G.NewGraph()
	pred := G.NodeFromAny(g, cnhw(3, 0.5, 0.5, 1, 2, 8, 8), G.WithName("pred"))
	truth := G.NodeFromAny(g, cnhw(4, 0.5, 0.5, 1, 2, 8, 8), G.WithName("truth"))
	loss, err := Perceptual(features.Edges(), pred, truth)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(loss, pred)
	if err != nil {
		t.Fatal(err)
	}
	count := func(g *G.ExprGraph) (inputGrads, filterGrads int) {
		for _, n := range g.AllNodes() {
			if n.Op() == nil {
				continue
			}
			switch s := n.Op().String(); {
			case strings.HasPrefix(s, "Conv2dGradInput"):
				inputGrads++
			case strings.HasPrefix(s, "Conv2dGradFilter"):
				filterGrads++
			}
		}
		return
	}
	all := g.ExactSubgraphRoots(g.AllNodes()...)
	ai, af := count(all)
	ni, nf := count(ops.Needed(loss, grads...))
	// The edge bank has two convolutions per image; the prediction's need
	// their input gradients only.
	if ni != 2 || nf != 0 {
		t.Errorf("compiled graph has %d input and %d filter gradients of convolutions, want 2 and 0", ni, nf)
	}
	if ai <= ni && af <= nf {
		t.Errorf("G.Grad built no gradient beyond the needed ones (%d, %d): the check above proves nothing", ai, af)
	}
}
