package model

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/frame"
	"framepred/ops"
)

// maxMachines bounds Predict's cache of compiled graphs, one per input
// shape; a caller that keeps changing the batch size pays a rebuild.
const maxMachines = 8

// inference is a forward-only graph for one input shape: the context node,
// the clamped prediction and the machine that runs them.
type inference struct {
	x   *tensor.Dense // the context node's value, filled before each run
	out *G.Node       // Clamp01 of the raw prediction
	vm  G.VM
}

// Predict returns the next frame for each sample of a batch: contexts[i]
// holds sample i's K context frames, oldest first, all of one shape. The
// predictions are clamped to [0,1] and are new frames. The compiled graph
// for each input shape is kept for the next call (see Close).
func (p *Predictor) Predict(contexts [][]frame.Frame) ([]frame.Frame, error) {
	if len(contexts) == 0 {
		return nil, nil
	}
	for i, fs := range contexts {
		if len(fs) != p.cfg.Context {
			return nil, fmt.Errorf("model: Predict: sample %d has %d context frames, the predictor takes %d", i, len(fs), p.cfg.Context)
		}
		if fs[0].C != p.cfg.Channels {
			return nil, fmt.Errorf("model: Predict: sample %d has %d-channel frames, the predictor takes %d", i, fs[0].C, p.cfg.Channels)
		}
	}
	x, err := ContextTensor(contexts)
	if err != nil {
		return nil, fmt.Errorf("model: Predict: %w", err)
	}
	s := x.Shape()
	m, err := p.machine(s[1], s[2], s[3])
	if err != nil {
		return nil, err
	}
	copy(m.x.Float32s(), x.Float32s())
	m.vm.Reset()
	if err := m.vm.RunAll(); err != nil {
		return nil, fmt.Errorf("model: Predict: %w", err)
	}
	out, ok := m.out.Value().(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("model: Predict: the prediction is a %T", m.out.Value())
	}
	return TensorFrames(out)
}

// machine returns the cached inference graph for n samples of h×w frames,
// building it on first use.
func (p *Predictor) machine(n, h, w int) (*inference, error) {
	key := [3]int{n, h, w}
	if m, ok := p.infer[key]; ok {
		return m, nil
	}
	if err := p.cfg.CheckSize(h, w); err != nil {
		return nil, err
	}
	if len(p.infer) >= maxMachines {
		if err := p.Close(); err != nil {
			return nil, err
		}
	}
	g := G.NewGraph()
	xv := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(p.cfg.Context*p.cfg.Channels, n, h, w))
	x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(xv.Shape()...), G.WithName("context"), G.WithValue(xv))
	raw, err := p.Build(g, x)
	if err != nil {
		return nil, err
	}
	out, err := ops.Clamp01(raw)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	m := &inference{x: xv, out: out, vm: G.NewTapeMachine(g)}
	if p.infer == nil {
		p.infer = make(map[[3]int]*inference)
	}
	p.infer[key] = m
	return m, nil
}

// Close releases Predict's compiled graphs. The Predictor stays usable: a
// later Predict builds them again.
func (p *Predictor) Close() error {
	var errs []error
	for k, m := range p.infer {
		if err := m.vm.Close(); err != nil {
			errs = append(errs, err)
		}
		delete(p.infer, k)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("model: closing the predictor: %w", err)
	}
	return nil
}

// Rollout forecasts T frames from one context autoregressively: each
// prediction (clamped) becomes the newest context frame for the next. The
// context may be longer than K; its last K frames are used.
func (p *Predictor) Rollout(context []frame.Frame, T int) ([]frame.Frame, error) {
	out, err := p.RolloutBatch([][]frame.Frame{context}, T)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// RolloutBatch is Rollout for a batch: out[i] holds the T frames forecast
// from contexts[i], predicted together one step at a time.
func (p *Predictor) RolloutBatch(contexts [][]frame.Frame, T int) ([][]frame.Frame, error) {
	if T < 0 {
		return nil, fmt.Errorf("model: Rollout: horizon %d is negative", T)
	}
	k := p.cfg.Context
	win := make([][]frame.Frame, len(contexts))
	out := make([][]frame.Frame, len(contexts))
	for i, c := range contexts {
		if len(c) < k {
			return nil, fmt.Errorf("model: Rollout: sample %d has %d context frames, the predictor needs %d", i, len(c), k)
		}
		win[i] = append([]frame.Frame(nil), c[len(c)-k:]...)
		out[i] = make([]frame.Frame, 0, T)
	}
	for range T {
		next, err := p.Predict(win)
		if err != nil {
			return nil, err
		}
		for i, f := range next {
			out[i] = append(out[i], f)
			win[i] = append(win[i][1:k:k], f)
		}
	}
	return out, nil
}
