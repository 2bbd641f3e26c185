package gpu

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/features"
	"framepred/losses"
	"framepred/model"
	"framepred/ops"
)

// Nets are the networks and objectives of a training step, as
// framepred/train sets them up.
type Nets struct {
	P        *model.Predictor
	D        *model.Discriminator // nil without an adversarial term
	Weights  losses.Weights       // the predictor's full objective
	Recon    losses.Weights       // its terms but adv; nil if none
	GAN      losses.GAN
	Ext      features.Extractor // nil without a perceptual term
	Mismatch float64            // weight of the mismatched pairs in D's loss
}

func (n Nets) adversarial() bool { return n.D != nil }

// inputs are a batch's tensors: contexts x ((K·C)×N×H×W), next frames y
// and, for the discriminator, the clamped prediction and the mismatched
// next frames (C×N×H×W). A nil tensor gives a node without a value, which
// is all the GPU needs.
type inputs struct {
	x, y, fake, mis *tensor.Dense
}

// pass is one pass of a step as a gorgonia graph: the part of it that the
// roots need, its parameter nodes and their gradients, and what to read.
type pass struct {
	g      *G.ExprGraph // the needed subgraph
	total  *G.Node      // the objective, nil for a forward pass
	parts  []losses.Part
	fake   *G.Node   // the clamped prediction (generator passes)
	params []*G.Node // the trained network's parameter nodes, in Params order
	grads  []*G.Node // their gradients
	frozen []*G.Node // the other network's parameter nodes, read only
	in     map[string]*G.Node
}

func (p *pass) roots() []*G.Node {
	var r []*G.Node
	if p.total != nil {
		r = append(r, p.total)
	}
	r = append(r, p.grads...)
	if p.fake != nil {
		r = append(r, p.fake)
	}
	return r
}

type graphBuilder struct {
	g  *G.ExprGraph
	in map[string]*G.Node
}

func newBuilder() *graphBuilder { return &graphBuilder{g: G.NewGraph(), in: map[string]*G.Node{}} }

// input adds a 4-D float32 input node of the given shape, bound to t when
// t is not nil.
func (b *graphBuilder) input(name string, t *tensor.Dense, shape ...int) *G.Node {
	opts := []G.NodeConsOpt{G.WithShape(shape...), G.WithName(name)}
	if t != nil {
		opts = append(opts, G.WithValue(t))
	}
	n := G.NewTensor(b.g, tensor.Float32, 4, opts...)
	b.in[name] = n
	return n
}

// shapes are the batch's tensor shapes.
type shapes struct {
	x, y []int
}

func shapesOf(n Nets, batch, h, w int) shapes {
	c := n.P.Config()
	return shapes{x: []int{c.Context * c.Channels, batch, h, w}, y: []int{c.Channels, batch, h, w}}
}

// buildGen builds the predictor's objective and its gradients: the
// reconstruction terms only, or with full the whole objective through the
// discriminator, exactly as framepred/train's CPU executor does.
func buildGen(n Nets, s shapes, in inputs, full bool) (*pass, error) {
	b := newBuilder()
	x, y := b.input("x", in.x, s.x...), b.input("y", in.y, s.y...)
	raw, err := n.P.Build(b.g, x)
	if err != nil {
		return nil, err
	}
	fake, err := ops.Clamp01(raw)
	if err != nil {
		return nil, err
	}
	li := losses.Inputs{Pred: raw, Truth: y, Extractor: n.Ext, GAN: n.GAN}
	w := n.Recon
	if full {
		if !n.adversarial() {
			return nil, errors.New("gpu: the full objective needs a discriminator")
		}
		if li.DFake, err = n.D.Build(b.g, x, fake); err != nil {
			return nil, err
		}
		w = n.Weights
	}
	if w == nil {
		return nil, errors.New("gpu: the predictor's objective has no terms")
	}
	total, parts, err := w.Build(li)
	if err != nil {
		return nil, err
	}
	params, err := n.P.ParamNodes(b.g)
	if err != nil {
		return nil, err
	}
	grads, err := G.Grad(total, params...)
	if err != nil {
		return nil, fmt.Errorf("gpu: predictor gradients: %w", err)
	}
	p := &pass{total: total, parts: parts, fake: fake, params: params, grads: grads, in: b.in}
	if full {
		if p.frozen, err = n.D.ParamNodes(b.g); err != nil {
			return nil, err
		}
	}
	p.g = ops.Needed(total, append(grads, fake)...)
	return p, nil
}

// buildPredict builds the predictor forward only, to the clamped
// prediction.
func buildPredict(n Nets, s shapes, in inputs) (*pass, error) {
	b := newBuilder()
	raw, err := n.P.Build(b.g, b.input("x", in.x, s.x...))
	if err != nil {
		return nil, err
	}
	fake, err := ops.Clamp01(raw)
	if err != nil {
		return nil, err
	}
	frozen, err := n.P.ParamNodes(b.g)
	if err != nil {
		return nil, err
	}
	return &pass{g: ops.Needed(fake), fake: fake, frozen: frozen, in: b.in}, nil
}

// buildDisc builds the discriminator's loss on real next frames, the kept
// prediction and (with a mismatch weight) the mismatched pairs, and its
// gradients.
func buildDisc(n Nets, s shapes, in inputs) (*pass, error) {
	if !n.adversarial() {
		return nil, errors.New("gpu: no discriminator")
	}
	b := newBuilder()
	x := b.input("x", in.x, s.x...)
	real, err := n.D.Build(b.g, x, b.input("real", in.y, s.y...))
	if err != nil {
		return nil, err
	}
	fake, err := n.D.Build(b.g, x, b.input("fake", in.fake, s.y...))
	if err != nil {
		return nil, err
	}
	var mis *G.Node
	if n.Mismatch > 0 {
		if mis, err = n.D.Build(b.g, x, b.input("mismatched", in.mis, s.y...)); err != nil {
			return nil, err
		}
	}
	loss, err := losses.AdversarialD(n.GAN, real, fake, mis, n.Mismatch)
	if err != nil {
		return nil, err
	}
	params, err := n.D.ParamNodes(b.g)
	if err != nil {
		return nil, err
	}
	grads, err := G.Grad(loss, params...)
	if err != nil {
		return nil, fmt.Errorf("gpu: discriminator gradients: %w", err)
	}
	return &pass{g: ops.Needed(loss, grads...), total: loss, params: params, grads: grads, in: b.in}, nil
}
