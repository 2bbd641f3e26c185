package train

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/features"
	"framepred/losses"
	"framepred/model"
	"framepred/ops"
	"framepred/optim"
)

// executor runs the passes of a training step over the networks' weights.
// The Trainer owns the networks, the optimisers, the data and the loop; an
// executor owns what computes: cpuExecutor compiles gorgonia graphs, and a
// GPU executor can run the same passes on a device. Results are valid until
// the next call.
type executor interface {
	// load takes a batch: contexts x ((K·C)×N×H×W) and next frames y
	// (C×N×H×W); the mismatched pairs are y with its samples rotated by
	// roll (model.Roll).
	load(x, y *tensor.Dense, roll int) error
	// gen runs the predictor's objective forward and backward: the
	// reconstruction terms only, or with full the adversarial term
	// through the discriminator too. It keeps the clamped prediction for
	// disc.
	gen(full bool) (lossOut, error)
	// predict runs the predictor forward only and keeps the clamped
	// prediction for disc.
	predict() error
	// disc runs the discriminator's loss forward and backward on the real
	// next frames, the kept prediction and the mismatched pairs.
	disc() (float64, error)
	// updateG and updateD take an Adam step with the gradients of the
	// last gen and disc.
	updateG(a *optim.Adam) error
	updateD(a *optim.Adam) error
	// eval predicts a batch forward only, and gives the reconstruction
	// terms against y and the clamped prediction (C×N×H×W).
	eval(x, y *tensor.Dense) (lossOut, *tensor.Dense, error)
	// sync brings the networks' tensors and the optimisers' states up to
	// date with what the executor computed, for a checkpoint.
	sync() error
	close() error
}

// lossOut is the value of each term of an objective (unweighted, in the
// order of the weights) and of the weighted total.
type lossOut struct {
	names []string
	terms []float64
	total float64
}

// nets is what an executor computes with.
type nets struct {
	p        *model.Predictor
	d        *model.Discriminator // nil without an adversarial term
	weights  losses.Weights       // the generator's full objective
	recon    losses.Weights       // its terms but adv; nil if none
	gan      losses.GAN
	ext      features.Extractor // nil without a perceptual term
	mismatch float64
}

// cpuExecutor runs gorgonia tape machines. Its graphs are built on first
// use; every graph's input nodes share the executor's input tensors, and
// every network's parameter nodes its live weights, so an optimiser step
// is seen by every graph.
type cpuExecutor struct {
	nets
	x, y, fake, mis *tensor.Dense

	gFull, gRecon *genGraph
	fwd           *fwdGraph
	dg            *discGraph
	last          *genGraph // the graph gen ran last: its gradients
	evals         map[int]*evalGraph
}

func newCPUExecutor(n nets, batch, h, w int) *cpuExecutor {
	kc, c := n.p.Config().Context*n.p.Config().Channels, n.p.Config().Channels
	t := func(ch int) *tensor.Dense {
		return tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(ch, batch, h, w))
	}
	return &cpuExecutor{nets: n, x: t(kc), y: t(c), fake: t(c), mis: t(c), evals: map[int]*evalGraph{}}
}

// input adds a 4-D float32 node bound to t.
func input(g *G.ExprGraph, name string, t *tensor.Dense) *G.Node {
	return G.NewTensor(g, tensor.Float32, 4, G.WithShape(t.Shape()...), G.WithName(name), G.WithValue(t))
}

// scalar reads a scalar node's value.
func scalar(n *G.Node) (float64, error) {
	switch v := n.Value().(type) {
	case *G.F32:
		return float64(*v), nil
	case *G.F64:
		return float64(*v), nil
	case *tensor.Dense:
		if v.DataSize() == 1 {
			switch d := v.Data().(type) {
			case []float32:
				return float64(d[0]), nil
			case float32:
				return float64(d), nil
			}
		}
	}
	return 0, fmt.Errorf("train: %s holds %T, not a float32 scalar", n.Name(), n.Value())
}

// readLoss reads the total and each part of an objective.
func readLoss(total *G.Node, parts []losses.Part) (lossOut, error) {
	out := lossOut{names: make([]string, len(parts)), terms: make([]float64, len(parts))}
	var err error
	for i, p := range parts {
		out.names[i] = p.Name
		if out.terms[i], err = scalar(p.Node); err != nil {
			return lossOut{}, err
		}
	}
	out.total, err = scalar(total)
	return out, err
}

func clampedValue(n *G.Node) (*tensor.Dense, error) {
	v, ok := n.Value().(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("train: the prediction holds %T", n.Value())
	}
	return v, nil
}

func (e *cpuExecutor) load(x, y *tensor.Dense, roll int) error {
	if !x.Shape().Eq(e.x.Shape()) || !y.Shape().Eq(e.y.Shape()) {
		return fmt.Errorf("train: batch of shapes %v and %v, the graphs take %v and %v", x.Shape(), y.Shape(), e.x.Shape(), e.y.Shape())
	}
	copy(e.x.Float32s(), x.Float32s())
	copy(e.y.Float32s(), y.Float32s())
	if e.d == nil || e.mismatch == 0 {
		return nil
	}
	r, err := model.Roll(y, roll)
	if err != nil {
		return fmt.Errorf("train: mismatched pairs: %w", err)
	}
	copy(e.mis.Float32s(), r.Float32s())
	return nil
}

// genGraph is the predictor's objective with its gradients.
type genGraph struct {
	vm     G.VM
	total  *G.Node
	parts  []losses.Part
	fake   *G.Node
	params []*G.Node
	ps     []optim.Param
}

func (e *cpuExecutor) buildGen(full bool) (*genGraph, error) {
	g := G.NewGraph()
	x, y := input(g, "x", e.x), input(g, "y", e.y)
	raw, err := e.p.Build(g, x)
	if err != nil {
		return nil, err
	}
	fake, err := ops.Clamp01(raw)
	if err != nil {
		return nil, err
	}
	in := losses.Inputs{Pred: raw, Truth: y, Extractor: e.ext, GAN: e.gan}
	w := e.recon
	if full {
		if in.DFake, err = e.d.Build(g, x, fake); err != nil {
			return nil, err
		}
		w = e.weights
	}
	total, parts, err := w.Build(in)
	if err != nil {
		return nil, err
	}
	params, err := e.p.ParamNodes(g)
	if err != nil {
		return nil, err
	}
	grads, err := G.Grad(total, params...)
	if err != nil {
		return nil, fmt.Errorf("train: predictor gradients: %w", err)
	}
	vm := G.NewTapeMachine(ops.Needed(total, append(grads, fake)...), G.BindDualValues(params...))
	return &genGraph{vm: vm, total: total, parts: parts, fake: fake, params: params}, nil
}

func (e *cpuExecutor) gen(full bool) (lossOut, error) {
	gg := &e.gRecon
	if full {
		gg = &e.gFull
	}
	if *gg == nil {
		g, err := e.buildGen(full)
		if err != nil {
			return lossOut{}, err
		}
		*gg = g
	}
	g := *gg
	g.vm.Reset()
	if err := g.vm.RunAll(); err != nil {
		return lossOut{}, fmt.Errorf("train: predictor step: %w", err)
	}
	e.last = g
	if err := e.keep(g.fake); err != nil {
		return lossOut{}, err
	}
	return readLoss(g.total, g.parts)
}

// keep copies the clamped prediction into the discriminator's fake input.
func (e *cpuExecutor) keep(fake *G.Node) error {
	v, err := clampedValue(fake)
	if err != nil {
		return err
	}
	copy(e.fake.Float32s(), v.Float32s())
	return nil
}

// fwdGraph is the predictor forward only, for a frozen predictor.
type fwdGraph struct {
	vm   G.VM
	fake *G.Node
}

func (e *cpuExecutor) predict() error {
	if e.fwd == nil {
		g := G.NewGraph()
		raw, err := e.p.Build(g, input(g, "x", e.x))
		if err != nil {
			return err
		}
		fake, err := ops.Clamp01(raw)
		if err != nil {
			return err
		}
		e.fwd = &fwdGraph{vm: G.NewTapeMachine(ops.Needed(fake)), fake: fake}
	}
	e.fwd.vm.Reset()
	if err := e.fwd.vm.RunAll(); err != nil {
		return fmt.Errorf("train: prediction: %w", err)
	}
	return e.keep(e.fwd.fake)
}

// discGraph is the discriminator's loss with its gradients.
type discGraph struct {
	vm     G.VM
	loss   *G.Node
	params []*G.Node
	ps     []optim.Param
}

func (e *cpuExecutor) buildDisc() (*discGraph, error) {
	if e.d == nil {
		return nil, errors.New("train: no discriminator")
	}
	g := G.NewGraph()
	x := input(g, "x", e.x)
	real, err := e.d.Build(g, x, input(g, "real", e.y))
	if err != nil {
		return nil, err
	}
	fake, err := e.d.Build(g, x, input(g, "fake", e.fake))
	if err != nil {
		return nil, err
	}
	var mis *G.Node
	if e.mismatch > 0 {
		if mis, err = e.d.Build(g, x, input(g, "mismatched", e.mis)); err != nil {
			return nil, err
		}
	}
	loss, err := losses.AdversarialD(e.gan, real, fake, mis, e.mismatch)
	if err != nil {
		return nil, err
	}
	params, err := e.d.ParamNodes(g)
	if err != nil {
		return nil, err
	}
	grads, err := G.Grad(loss, params...)
	if err != nil {
		return nil, fmt.Errorf("train: discriminator gradients: %w", err)
	}
	vm := G.NewTapeMachine(ops.Needed(loss, grads...), G.BindDualValues(params...))
	return &discGraph{vm: vm, loss: loss, params: params}, nil
}

func (e *cpuExecutor) disc() (float64, error) {
	if e.dg == nil {
		dg, err := e.buildDisc()
		if err != nil {
			return 0, err
		}
		e.dg = dg
	}
	e.dg.vm.Reset()
	if err := e.dg.vm.RunAll(); err != nil {
		return 0, fmt.Errorf("train: discriminator step: %w", err)
	}
	return scalar(e.dg.loss)
}

func step(a *optim.Adam, ps *[]optim.Param, nodes []*G.Node) error {
	if *ps == nil {
		p, err := optim.FromNodes(nodes)
		if err != nil {
			return err
		}
		*ps = p
	}
	return a.Step(*ps)
}

func (e *cpuExecutor) updateG(a *optim.Adam) error {
	if e.last == nil {
		return errors.New("train: updateG before gen")
	}
	return step(a, &e.last.ps, e.last.params)
}

func (e *cpuExecutor) updateD(a *optim.Adam) error {
	if e.dg == nil {
		return errors.New("train: updateD before disc")
	}
	return step(a, &e.dg.ps, e.dg.params)
}

// evalGraph is the predictor forward with the reconstruction terms, for
// one batch size.
type evalGraph struct {
	vm    G.VM
	x, y  *tensor.Dense
	total *G.Node // nil without reconstruction terms
	parts []losses.Part
	fake  *G.Node
}

func (e *cpuExecutor) eval(x, y *tensor.Dense) (lossOut, *tensor.Dense, error) {
	n := x.Shape()[1]
	eg := e.evals[n]
	if eg == nil {
		eg = &evalGraph{x: tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(x.Shape()...)),
			y: tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(y.Shape()...))}
		g := G.NewGraph()
		xn, yn := input(g, "x", eg.x), input(g, "y", eg.y)
		raw, err := e.p.Build(g, xn)
		if err != nil {
			return lossOut{}, nil, err
		}
		if eg.fake, err = ops.Clamp01(raw); err != nil {
			return lossOut{}, nil, err
		}
		if e.recon != nil {
			if eg.total, eg.parts, err = e.recon.Build(losses.Inputs{Pred: raw, Truth: yn, Extractor: e.ext}); err != nil {
				return lossOut{}, nil, err
			}
			eg.vm = G.NewTapeMachine(ops.Needed(eg.total, eg.fake))
		} else {
			eg.vm = G.NewTapeMachine(ops.Needed(eg.fake))
		}
		e.evals[n] = eg
	}
	copy(eg.x.Float32s(), x.Float32s())
	copy(eg.y.Float32s(), y.Float32s())
	eg.vm.Reset()
	if err := eg.vm.RunAll(); err != nil {
		return lossOut{}, nil, fmt.Errorf("train: validation: %w", err)
	}
	fake, err := clampedValue(eg.fake)
	if err != nil {
		return lossOut{}, nil, err
	}
	if eg.total == nil {
		return lossOut{}, fake, nil
	}
	out, err := readLoss(eg.total, eg.parts)
	return out, fake, err
}

// sync has nothing to do: the CPU executor trains the tensors in place.
func (e *cpuExecutor) sync() error { return nil }

func (e *cpuExecutor) close() error {
	var errs []error
	for _, vm := range e.machines() {
		errs = append(errs, vm.Close())
	}
	return errors.Join(errs...)
}

func (e *cpuExecutor) machines() []G.VM {
	var vms []G.VM
	for _, g := range []*genGraph{e.gFull, e.gRecon} {
		if g != nil {
			vms = append(vms, g.vm)
		}
	}
	if e.fwd != nil {
		vms = append(vms, e.fwd.vm)
	}
	if e.dg != nil {
		vms = append(vms, e.dg.vm)
	}
	for _, eg := range e.evals {
		vms = append(vms, eg.vm)
	}
	return vms
}
