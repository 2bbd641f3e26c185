package ops

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/internal/gradcheck"
	"framepred/internal/torchref"
)

// rng is the one seeded source each test draws its data from.
func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

func randDense(r *rand.Rand, dt tensor.Dtype, shape ...int) *tensor.Dense {
	t := gradcheck.Rand(r, shape...)
	if dt == tensor.Float32 {
		return to32(t)
	}
	return t
}

// seq is torchref.py's seq; to32 rounds to float32, floats copies a
// tensor's elements as float64 whatever its dtype.
var (
	seq    = torchref.Seq
	to32   = torchref.To32
	floats = torchref.Floats
)

// run builds a forward graph from the given inputs and returns the output
// value (cloned) after one run.
func run(t *testing.T, build func(g *G.ExprGraph, in []*G.Node) (*G.Node, error), inputs ...*tensor.Dense) G.Value {
	t.Helper()
	g := G.NewGraph()
	nodes := make([]*G.Node, len(inputs))
	for i, in := range inputs {
		nodes[i] = G.NodeFromAny(g, in, G.WithName(string(rune('a'+i))))
	}
	out, err := build(g, nodes)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("run: %v", err)
	}
	if d, ok := out.Value().(*tensor.Dense); ok {
		return d.Clone().(*tensor.Dense)
	}
	return out.Value()
}

// maxDiff returns the largest absolute difference of two equally long slices.
func maxDiff(t *testing.T, got, want []float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("lengths differ: %d vs %d", len(got), len(want))
	}
	m := 0.0
	for i := range got {
		m = math.Max(m, math.Abs(got[i]-want[i]))
	}
	return m
}

// check runs a gradient check and fails the test on any error.
func check(t *testing.T, build gradcheck.Build, opt gradcheck.Options, inputs ...*tensor.Dense) {
	t.Helper()
	res, err := gradcheck.Check(build, inputs, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("gradcheck: %v", res)
}

// weighted wraps an op with a tensor output for the gradient checker.
func weighted(f func(in []*G.Node) (*G.Node, error)) gradcheck.Build {
	return func(g *G.ExprGraph, in []*G.Node) (*G.Node, error) {
		out, err := f(in)
		if err != nil {
			return nil, err
		}
		return gradcheck.WeightedSum(out, 3)
	}
}

// gradOpts are the gradient-check settings of every op test: the package
// defaults, float64, h=1e-5, relative error ≤ 1e-6 with a floor of 1e-2.
var gradOpts = gradcheckOptions()

func seqDense(seed int, scale, offset float64, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(seq(tensor.Shape(shape).TotalSize(), seed, scale, offset)))
}

// evalGrads runs build once with gradients and returns the value of its
// output (cloned) and each input's gradient. Tensor outputs are reduced to
// sum(out·R) with R = seq(n, 99), as torchref.py does.
func evalGrads(t *testing.T, build func(in []*G.Node) (*G.Node, error), inputs ...*tensor.Dense) (out G.Value, grads [][]float64) {
	t.Helper()
	g := G.NewGraph()
	nodes := make([]*G.Node, len(inputs))
	for i, in := range inputs {
		nodes[i] = G.NodeFromAny(g, in.Clone().(*tensor.Dense), G.WithName(string(rune('a'+i))))
	}
	y, err := build(nodes)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	loss := y
	if !y.IsScalar() {
		rt := tensor.New(tensor.WithShape(y.Shape().Clone()...), tensor.WithBacking(seq(y.Shape().TotalSize(), 99, 1, 0)))
		if y.Dtype() == tensor.Float32 {
			rt = to32(rt)
		}
		p, err := G.HadamardProd(y, G.NodeFromAny(g, rt, G.WithName("R")))
		if err != nil {
			t.Fatal(err)
		}
		if loss, err = G.Sum(p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := G.Grad(loss, nodes...); err != nil {
		t.Fatalf("Grad: %v", err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(nodes...))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("run: %v", err)
	}
	if d, ok := y.Value().(*tensor.Dense); ok {
		out = d.Clone().(*tensor.Dense)
	} else {
		out = y.Value()
	}
	for _, n := range nodes {
		gv, err := n.Grad()
		if err != nil {
			t.Fatal(err)
		}
		grads = append(grads, append([]float64(nil), floats(gv.(*tensor.Dense))...))
	}
	return out, grads
}

// againstTorch compares got with torchRef[name] to within tol.
func againstTorch(t *testing.T, name string, got []float64, tol float64) {
	t.Helper()
	torchref.Absolute(t, torchRef, name, got, tol)
}

func valueFloats(v G.Value) []float64 {
	switch x := v.(type) {
	case *tensor.Dense:
		return floats(x)
	case *G.F64:
		return []float64{float64(*x)}
	case *G.F32:
		return []float64{float64(*x)}
	}
	panic("unexpected value")
}
