package model

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/frame"
	"framepred/internal/torchref"
	"framepred/ops"
	"framepred/optim"
)

// rng is the one seeded source each test draws its data from.
func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

// seq is testdata/torchref.py's formula: sin(0.7·i + 1.3·seed)·scale + offset.
var seq = torchref.Seq

// dense64 and dense32 make tensors of the given shape.
func dense64(v []float64, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

func dense32(v []float64, shape ...int) *tensor.Dense {
	w := make([]float32, len(v))
	for i, x := range v {
		w[i] = float32(x)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(w))
}

func to64(t *tensor.Dense) *tensor.Dense {
	src := t.Float32s()
	v := make([]float64, len(src))
	for i, x := range src {
		v[i] = float64(x)
	}
	return dense64(v, t.Shape()...)
}

// floats returns a copy of a tensor's elements as float64 whatever its dtype.
var floats = torchref.Floats

// seqParams returns torchref.py's parameter values: parameter i gets
// seq(n, i+1) scaled by 1/√fan_in of its layer.
func seqParams(ps []Param) map[string][]float64 {
	out := make(map[string][]float64, len(ps))
	var fanIn int
	for i, p := range ps {
		s := p.Value.Shape()
		if s.Dims() == 4 {
			fanIn = s[1] * s[2] * s[3]
		}
		out[p.Name] = seq(s.TotalSize(), i+1, 1/math.Sqrt(float64(fanIn)), 0)
	}
	return out
}

func as32(m map[string][]float64) map[string][]float32 {
	out := make(map[string][]float32, len(m))
	for k, v := range m {
		w := make([]float32, len(v))
		for i, x := range v {
			w[i] = float32(x)
		}
		out[k] = w
	}
	return out
}

// paramTensors64 returns float64 copies of the parameters, in order.
func paramTensors64(ps []Param) []*tensor.Dense {
	out := make([]*tensor.Dense, len(ps))
	for i, p := range ps {
		out[i] = to64(p.Value)
	}
	return out
}

// runGraph runs g once and returns a copy of out's value.
func runGraph(t testing.TB, g *G.ExprGraph, out *G.Node) *tensor.Dense {
	t.Helper()
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("run: %v", err)
	}
	return out.Value().(*tensor.Dense).Clone().(*tensor.Dense)
}

func input(g *G.ExprGraph, name string, v *tensor.Dense) *G.Node {
	return G.NewTensor(g, v.Dtype(), v.Shape().Dims(), G.WithShape(v.Shape()...), G.WithName(name), G.WithValue(v))
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

func maxAbsDiff32(a, b []float32) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i])-float64(b[i])))
	}
	return m
}

// adam steps the parameters of nodes bound to a machine with
// G.BindDualValues, pairing them with their gradients after the first run.
type adam struct {
	opt *optim.Adam
	ps  []optim.Param
}

func newAdam(lr float64) *adam { return &adam{opt: optim.NewAdam(lr)} }

func (a *adam) step(t testing.TB, nodes []*G.Node) {
	t.Helper()
	if a.ps == nil {
		var err error
		if a.ps, err = optim.FromNodes(nodes); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.opt.Step(a.ps); err != nil {
		t.Fatal(err)
	}
}

func mustPredictor(t testing.TB, cfg Config, seed int64) *Predictor {
	t.Helper()
	p, err := NewPredictor(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func mustDiscriminator(t testing.TB, cfg DiscriminatorConfig, seed int64) *Discriminator {
	t.Helper()
	d, err := NewDiscriminator(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func tinyConfig(k, c, width, depth int, residual bool) Config {
	cfg := DefaultConfig()
	cfg.Context, cfg.Channels, cfg.Width, cfg.Depth, cfg.Residual = k, c, width, depth, residual
	return cfg
}

// fit trains a predictor on a fixed batch with one loss and Adam.
type fit struct {
	vm    G.VM
	x, y  *tensor.Dense // the input nodes' values: copy new data in
	loss  *G.Node
	nodes []*G.Node
	adam  *adam
}

func newFit(t testing.TB, p *Predictor, x, y *tensor.Dense, loss func(a, b *G.Node) (*G.Node, error), lr float64) *fit {
	t.Helper()
	g := G.NewGraph()
	xn, yn := input(g, "x", x.Clone().(*tensor.Dense)), input(g, "y", y.Clone().(*tensor.Dense))
	raw, err := p.Build(g, xn)
	if err != nil {
		t.Fatal(err)
	}
	l, err := loss(raw, yn)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := p.ParamNodes(g)
	if err != nil {
		t.Fatal(err)
	}
	grads, err := G.Grad(l, nodes...)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(ops.Needed(l, grads...), G.BindDualValues(nodes...))
	t.Cleanup(func() { vm.Close() })
	return &fit{vm: vm, x: xn.Value().(*tensor.Dense), y: yn.Value().(*tensor.Dense), loss: l, nodes: nodes, adam: newAdam(lr)}
}

// step runs one forward, backward and Adam update and returns the loss
// before the update.
func (f *fit) step(t testing.TB) float64 {
	t.Helper()
	f.vm.Reset()
	if err := f.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	f.adam.step(t, f.nodes)
	return float64(*f.loss.Value().(*G.F32))
}

// contexts returns each clip's context frames.
func contexts(clips []frame.Clip) [][]frame.Frame {
	out := make([][]frame.Frame, len(clips))
	for i, c := range clips {
		out[i] = c.Context
	}
	return out
}
