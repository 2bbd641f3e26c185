package bench

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/features"
	"framepred/losses"
	"framepred/model"
	"framepred/ops"
	"framepred/optim"
)

// Net is one network's training step: one compiled graph (forward, loss,
// backward) and its Adam optimiser, or two for adversarial training (the
// predictor's graph, then the discriminator's, fed the predictor's output).
type Net struct {
	Name   string
	Batch  int
	Params int // trainable parameters, to check against the PyTorch twin

	parts   []*part
	between func() // after parts[0], before parts[1]
	close   func() error
}

// part is one compiled graph and its optimiser.
type part struct {
	g      *G.ExprGraph
	vm     G.VM
	loss   *G.Node
	params []*G.Node
	ps     []optim.Param
	adam   *optim.Adam
}

func newPart(loss *G.Node, params []*G.Node, adam *optim.Adam) (*part, error) {
	grads, err := G.Grad(loss, params...)
	if err != nil {
		return nil, fmt.Errorf("bench: grad: %w", err)
	}
	g := ops.Needed(loss, grads...)
	return &part{g: g, vm: G.NewTapeMachine(g, G.BindDualValues(params...)), loss: loss, params: params, adam: adam}, nil
}

func (p *part) step() error {
	p.vm.Reset()
	if err := p.vm.RunAll(); err != nil {
		return err
	}
	if p.ps == nil {
		ps, err := optim.FromNodes(p.params)
		if err != nil {
			return err
		}
		p.ps = ps
	}
	return p.adam.Step(p.ps)
}

// Step runs one training step (forward, backward and Adam update of every
// part) and returns the first part's loss.
func (n *Net) Step() (float32, error) {
	for i, p := range n.parts {
		if i == 1 && n.between != nil {
			n.between()
		}
		if err := p.step(); err != nil {
			return 0, fmt.Errorf("bench: %s: %w", n.Name, err)
		}
	}
	return float32(*n.parts[0].loss.Value().(*G.F32)), nil
}

// Close releases the machines and the networks' compiled graphs.
func (n *Net) Close() error {
	for _, p := range n.parts {
		p.vm.Close()
	}
	if n.close != nil {
		return n.close()
	}
	return nil
}

// ConvFLOPs is the convolution arithmetic of one step (ops.ConvFLOPs of
// every part): nominal, as PyTorch computes the same layers, and performed,
// what framepred's kernels do.
func (n *Net) ConvFLOPs() (nominal, performed float64) {
	for _, p := range n.parts {
		a, b := ops.ConvFLOPs(p.g)
		nominal, performed = nominal+a, performed+b
	}
	return nominal, performed
}

// Nets lists the benchmark networks by name, in the order run.sh prints
// them; bench/pytorch/bench.py knows the same names.
var Nets = []struct {
	Name string
	New  func(seed uint64) (*Net, error)
}{
	{"probe", NewProbe},
	{"unet", NewUNet},
	{"unet+d", NewUNetAdversarial},
	{"unet+perc", NewUNetPerceptual},
	{"rgb64", NewRGB64},
}

// randInput adds a float32 input node of uniform [0, 1) values.
func randInput(g *G.ExprGraph, r *rand.Rand, name string, shape ...int) *G.Node {
	v := make([]float32, tensor.Shape(shape).TotalSize())
	for i := range v {
		v[i] = r.Float32()
	}
	return G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))))
}

// NewProbe builds the probe network: batch 8 of 4×64×64 (CNHW), convs
// 4→32→32→1, ReLU, ReLU, linear, MSE, Adam lr 1e-3. It is built from ops
// directly, with PyTorch's default initialisation.
func NewProbe(seed uint64) (*Net, error) {
	const n, hw = 8, 64
	g := G.NewGraph()
	r := rand.New(rand.NewPCG(seed, 1))
	var params []*G.Node
	uniform := func(name string, fanIn int, shape ...int) *G.Node {
		bound := 1 / math.Sqrt(float64(fanIn))
		v := make([]float32, tensor.Shape(shape).TotalSize())
		for i := range v {
			v[i] = float32((2*r.Float64() - 1) * bound)
		}
		p := G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))))
		params = append(params, p)
		return p
	}
	conv := func(x *G.Node, name string, out int, slope float64) *G.Node {
		in := x.Shape()[0]
		w, b := uniform(name+".weight", in*9, out, in, 3, 3), uniform(name+".bias", in*9, out)
		return G.Must(ops.BiasAct(G.Must(ops.Conv2d(x, w, 1, 1)), b, slope))
	}
	x := randInput(g, r, "x", 4, n, hw, hw)
	y := randInput(g, r, "y", 1, n, hw, hw)
	out := conv(conv(conv(x, "c1", 32, 0), "c2", 32, 0), "c3", 1, 1)
	loss, err := ops.MeanSquaredDiff(out, y)
	if err != nil {
		return nil, err
	}
	p, err := newPart(loss, params, optim.NewAdam(1e-3))
	if err != nil {
		return nil, err
	}
	count := 0
	for _, q := range params {
		count += q.Shape().TotalSize()
	}
	return &Net{Name: "probe", Batch: n, Params: count, parts: []*part{p}}, nil
}

// NewUNet builds the demo predictor (model.DefaultConfig) on a batch of 32
// random 4×32×32 contexts and 1×32×32 targets: MSE, Adam lr 1e-3.
func NewUNet(seed uint64) (*Net, error) {
	return predictorNet("unet", model.DefaultConfig(), 32, 32, seed, nil)
}

// NewRGB64 builds model.RGB64Config's predictor on a batch of 16 random
// 12×64×64 contexts (4 RGB frames) and 3×64×64 targets: MSE, Adam lr 1e-3.
func NewRGB64(seed uint64) (*Net, error) {
	return predictorNet("rgb64", model.RGB64Config(), 16, 64, seed, nil)
}

// NewUNetPerceptual is NewUNet with the loss MSE + the perceptual loss of
// the default extractor (features.Edges) at weight 1.
func NewUNetPerceptual(seed uint64) (*Net, error) {
	ext := features.Edges()
	return predictorNet("unet+perc", model.DefaultConfig(), 32, 32, seed, func(raw, y *G.Node) (*G.Node, error) {
		mse, err := losses.MSE(raw, y)
		if err != nil {
			return nil, err
		}
		perc, err := losses.Perceptual(ext, raw, y)
		if err != nil {
			return nil, err
		}
		return G.Add(mse, perc)
	})
}

// predictorNet trains a fresh predictor of cfg on n random samples of
// hw×hw frames with loss(raw, target), MSE when nil.
func predictorNet(name string, cfg model.Config, n, hw int, seed uint64, loss func(raw, y *G.Node) (*G.Node, error)) (*Net, error) {
	p, err := model.NewPredictor(cfg, int64(seed))
	if err != nil {
		return nil, err
	}
	g := G.NewGraph()
	r := rand.New(rand.NewPCG(seed, 1))
	x := randInput(g, r, "x", cfg.Context*cfg.Channels, n, hw, hw)
	y := randInput(g, r, "y", cfg.Channels, n, hw, hw)
	raw, err := p.Build(g, x)
	if err != nil {
		return nil, err
	}
	if loss == nil {
		loss = ops.MeanSquaredDiff
	}
	l, err := loss(raw, y)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", name, err)
	}
	params, err := p.ParamNodes(g)
	if err != nil {
		return nil, err
	}
	pt, err := newPart(l, params, optim.NewAdam(1e-3))
	if err != nil {
		return nil, err
	}
	return &Net{Name: name, Batch: n, Params: p.NumParams(), parts: []*part{pt}, close: p.Close}, nil
}

// NewUNetAdversarial builds the demo's adversarial step on a batch of 32
// random 32×32 samples: the predictor (model.DefaultConfig) and the patch
// discriminator (model.DefaultDiscriminatorConfig), the predictor's loss
// MSE + 0.05·LSGAN (losses.Reference), the discriminator's LSGAN loss on
// real, fake and mismatched pairs (weight 1), Adam with betas (0.5, 0.999),
// lr 2e-4 and 1e-3. A step is the predictor's graph (whose clamped
// prediction is the fake), then the discriminator's.
func NewUNetAdversarial(seed uint64) (*Net, error) {
	const n, hw = 32, 32
	cfg, dcfg := model.DefaultConfig(), model.DefaultDiscriminatorConfig()
	p, err := model.NewPredictor(cfg, int64(seed))
	if err != nil {
		return nil, err
	}
	d, err := model.NewDiscriminator(dcfg, int64(seed)+1)
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(seed, 1))
	k := cfg.Context * cfg.Channels
	gg := G.NewGraph()
	x, y := randInput(gg, r, "x", k, n, hw, hw), randInput(gg, r, "y", 1, n, hw, hw)
	raw, err := p.Build(gg, x)
	if err != nil {
		return nil, err
	}
	fake, err := ops.Clamp01(raw)
	if err != nil {
		return nil, err
	}
	scores, err := d.Build(gg, x, fake)
	if err != nil {
		return nil, err
	}
	weights, err := losses.ParseWeights(losses.Reference)
	if err != nil {
		return nil, err
	}
	lossG, _, err := weights.Build(losses.Inputs{Pred: raw, Truth: y, DFake: scores})
	if err != nil {
		return nil, err
	}
	gParams, err := p.ParamNodes(gg)
	if err != nil {
		return nil, err
	}
	adamG, adamD := optim.NewAdam(2e-4), optim.NewAdam(1e-3)
	adamG.Beta1, adamD.Beta1 = 0.5, 0.5
	partG, err := newPart(lossG, gParams, adamG)
	if err != nil {
		return nil, err
	}

	dg := G.NewGraph()
	xv, yv := x.Value().(*tensor.Dense), y.Value().(*tensor.Dense)
	input := func(name string, v *tensor.Dense) *G.Node {
		return G.NewTensor(dg, tensor.Float32, 4, G.WithShape(v.Shape()...), G.WithName(name), G.WithValue(v))
	}
	mis, err := model.Roll(yv, 1)
	if err != nil {
		return nil, err
	}
	xd, realD, fakeD, misD := input("x", xv), input("real", yv), input("fake", yv.Clone().(*tensor.Dense)), input("mismatched", mis)
	var s [3]*G.Node
	for i, cand := range []*G.Node{realD, fakeD, misD} {
		if s[i], err = d.Build(dg, xd, cand); err != nil {
			return nil, err
		}
	}
	lossD, err := losses.AdversarialD(losses.LSGAN, s[0], s[1], s[2], 1)
	if err != nil {
		return nil, err
	}
	dParams, err := d.ParamNodes(dg)
	if err != nil {
		return nil, err
	}
	partD, err := newPart(lossD, dParams, adamD)
	if err != nil {
		return nil, err
	}
	fakeV, fakeDV := fake.Value, fakeD.Value().(*tensor.Dense).Float32s()
	return &Net{
		Name: "unet+d", Batch: n, Params: p.NumParams() + d.NumParams(),
		parts: []*part{partG, partD},
		between: func() {
			copy(fakeDV, fakeV().(*tensor.Dense).Float32s())
		},
		close: p.Close,
	}, nil
}
