package gpu

import (
	"fmt"
	"strings"

	G "gorgonia.org/gorgonia"

	"framepred/cuda"
	"framepred/ops"
)

// needs are the workspaces a step uses, in float32 values.
type needs struct{ work, red int }

func convOf(d ops.Desc) cuda.Conv {
	g := d.Geom
	return cuda.Conv{N: g.N, In: g.In, H: g.H, W: g.W, Out: g.Out, KH: g.KH, KW: g.KW,
		Stride: g.Stride, PadH: g.PadH, PadW: g.PadW, Up: d.Up}
}

var lossKinds = map[ops.LossKind]cuda.LossKind{
	ops.LossMSE: cuda.LossMSE, ops.LossMAE: cuda.LossMAE, ops.LossMSETo: cuda.LossMSETo, ops.LossBCE: cuda.LossBCE,
}

var kindNames = map[ops.Kind]string{
	ops.KindConv: "conv", ops.KindConvGradInput: "conv input grad", ops.KindConvGradFilter: "conv filter grad",
	ops.KindBiasAct: "bias+act", ops.KindActGrad: "act grad", ops.KindChannelSum: "channel sum",
	ops.KindUpsample2x: "upsample", ops.KindUpsample2xGrad: "upsample grad", ops.KindMaxPool2: "max pool",
	ops.KindMaxPool2Grad: "max pool grad", ops.KindAvgPool2: "avg pool", ops.KindAvgPool2Grad: "avg pool grad",
	ops.KindConcat: "concat", ops.KindSlice0: "slice", ops.KindSlice0Grad: "slice grad", ops.KindAdd: "add",
	ops.KindScale: "scale", ops.KindChannelAffine: "channel affine", ops.KindClamp01: "clamp",
	ops.KindClamp01Grad: "clamp grad", ops.KindLoss: "loss", ops.KindLossGrad: "loss grad",
}

// stepFor maps one node onto the device: the kernels that compute its
// value out from its inputs' values in.
func (p *program) stepFor(n *G.Node, in []cuda.Buffer, out cuda.Buffer) (step, needs, error) {
	c := p.c
	d, ok := ops.Describe(n.Op())
	if !ok {
		return p.stockStep(n, in, out)
	}
	switch d.Kind {
	case ops.KindConcat, ops.KindLoss, ops.KindLossGrad: // checked below
	default:
		want := 1
		switch d.Kind {
		case ops.KindConv, ops.KindConvGradInput, ops.KindConvGradFilter, ops.KindBiasAct, ops.KindActGrad,
			ops.KindMaxPool2Grad, ops.KindAdd, ops.KindClamp01Grad:
			want = 2
		}
		if len(in) != want {
			return step{}, needs{}, fmt.Errorf("%s with %d inputs, want %d", n.Op(), len(in), want)
		}
	}
	label := kindNames[d.Kind]
	mk := func(run func() error) step { return step{label, run} }
	var inShape []int
	if ch := children(n); len(ch) > 0 {
		inShape = ch[len(ch)-1].Shape() // the data input (the gradient, for backward ops)
	}
	switch d.Kind {
	case ops.KindConv:
		g := convOf(d)
		return mk(func() error { return c.ConvForward(g, in[0], in[1], out, p.work) }), needs{work: g.WorkLen(p.workLimit)}, nil
	case ops.KindConvGradInput:
		g := convOf(d)
		return mk(func() error { return c.ConvBackwardInput(g, in[0], in[1], out, p.work) }), needs{work: g.WorkLen(p.workLimit)}, nil
	case ops.KindConvGradFilter:
		g := convOf(d)
		return mk(func() error { return c.ConvBackwardFilter(g, in[0], in[1], out, p.work) }), needs{work: g.WorkLen(p.workLimit)}, nil
	case ops.KindBiasAct:
		slope := float32(d.Slope)
		return mk(func() error { return c.BiasAct(out, in[0], in[1], slope) }), needs{}, nil
	case ops.KindActGrad:
		slope := float32(d.Slope)
		return mk(func() error { return c.LeakyReLUGrad(out, in[0], in[1], slope) }), needs{}, nil
	case ops.KindChannelSum:
		ch := out.Len()
		return mk(func() error { return c.ChannelSum(out, in[0], p.red) }), needs{red: cuda.ReduceWork(ch, in[0].Len()/ch)}, nil
	case ops.KindUpsample2x:
		h, w := inShape[2], inShape[3]
		return mk(func() error { return c.Upsample2x(out, in[0], h, w) }), needs{}, nil
	case ops.KindUpsample2xGrad:
		return mk(func() error { return c.Upsample2xGrad(out, in[0], d.OutH, d.OutW) }), needs{}, nil
	case ops.KindMaxPool2, ops.KindAvgPool2:
		avg, h, w := d.Kind == ops.KindAvgPool2, inShape[2], inShape[3]
		return mk(func() error { return c.Pool2(out, in[0], avg, h, w) }), needs{}, nil
	case ops.KindMaxPool2Grad:
		return mk(func() error { return c.Pool2Grad(out, in[0], in[1], false, d.OutH, d.OutW) }), needs{}, nil
	case ops.KindAvgPool2Grad:
		return mk(func() error { return c.Pool2Grad(out, cuda.Buffer{}, in[0], true, d.OutH, d.OutW) }), needs{}, nil
	case ops.KindConcat:
		return mk(func() error {
			off := 0
			for _, b := range in {
				if err := c.Copy(out.Slice(off, off+b.Len()), b); err != nil {
					return err
				}
				off += b.Len()
			}
			return nil
		}), needs{}, nil
	case ops.KindSlice0:
		plane := in[0].Len() / d.Full
		return mk(func() error { return c.Copy(out, in[0].Slice(d.From*plane, d.To*plane)) }), needs{}, nil
	case ops.KindSlice0Grad:
		plane := in[0].Len() / (d.To - d.From)
		return mk(func() error {
			if err := c.Zero(out.Slice(0, d.From*plane)); err != nil {
				return err
			}
			if err := c.Copy(out.Slice(d.From*plane, d.To*plane), in[0]); err != nil {
				return err
			}
			return c.Zero(out.Slice(d.To*plane, d.Full*plane))
		}), needs{}, nil
	case ops.KindAdd:
		return mk(func() error { return c.Add(out, in[0], in[1]) }), needs{}, nil
	case ops.KindScale:
		a := float32(d.C)
		return mk(func() error { return c.Scale(out, in[0], a) }), needs{}, nil
	case ops.KindChannelAffine:
		ss := make([]float32, 0, 2*len(d.Scale))
		for _, v := range d.Scale {
			ss = append(ss, float32(v))
		}
		for _, v := range d.Shift {
			ss = append(ss, float32(v))
		}
		sb, err := c.Upload(ss)
		if err != nil {
			return step{}, needs{}, err
		}
		p.owned = append(p.owned, sb)
		return mk(func() error { return c.ChannelAffine(out, in[0], sb) }), needs{}, nil
	case ops.KindClamp01:
		return mk(func() error { return c.Clamp01(out, in[0]) }), needs{}, nil
	case ops.KindClamp01Grad:
		return mk(func() error { return c.Clamp01Grad(out, in[0], in[1]) }), needs{}, nil
	case ops.KindLoss:
		return p.lossStep(n, d, in, out)
	case ops.KindLossGrad:
		return p.lossGradStep(n, d, in, out)
	}
	return step{}, needs{}, fmt.Errorf("no kernel for %s", n.Op())
}

// planeSize is the size of the planes of a loss's input: its last two axes.
func planeSize(n *G.Node) (h, w int) {
	s := n.Shape()
	return s[s.Dims()-2], s[s.Dims()-1]
}

func (p *program) lossStep(n *G.Node, d ops.Desc, in []cuda.Buffer, out cuda.Buffer) (step, needs, error) {
	c, label := p.c, "loss "+lossLabel(d.Loss)
	a := in[0]
	red := needs{red: cuda.ReduceWork(1, a.Len())}
	if d.Loss == ops.LossGDL {
		if len(in) != 2 {
			return step{}, needs{}, fmt.Errorf("%s with %d inputs", n.Op(), len(in))
		}
		h, w := planeSize(children(n)[0])
		return step{label, func() error { return c.GradDiff(out, a, in[1], h, w, d.P, p.red) }}, red, nil
	}
	k := lossKinds[d.Loss]
	var b cuda.Buffer
	if pair := d.Loss == ops.LossMSE || d.Loss == ops.LossMAE; pair != (len(in) == 2) || len(in) < 1 {
		return step{}, needs{}, fmt.Errorf("%s with %d inputs", n.Op(), len(in))
	} else if pair {
		b = in[1]
	}
	return step{label, func() error { return c.Loss(k, out, a, b, d.P, p.red) }}, red, nil
}

func (p *program) lossGradStep(n *G.Node, d ops.Desc, in []cuda.Buffer, out cuda.Buffer) (step, needs, error) {
	c, label := p.c, "loss grad "+lossLabel(d.Loss)
	pair := d.Loss == ops.LossMSE || d.Loss == ops.LossMAE || d.Loss == ops.LossGDL
	if want := map[bool]int{true: 3, false: 2}[pair]; len(in) != want {
		return step{}, needs{}, fmt.Errorf("%s with %d inputs", n.Op(), len(in))
	}
	a, g := in[0], in[len(in)-1]
	if d.Loss == ops.LossGDL {
		h, w := planeSize(children(n)[0])
		return step{label, func() error { return c.GradDiffGrad(out, a, in[1], h, w, d.P, d.Wrt, g) }}, needs{}, nil
	}
	var b cuda.Buffer
	if pair {
		b = in[1]
	}
	k := lossKinds[d.Loss]
	return step{label, func() error { return c.LossGrad(k, out, a, b, d.P, d.Wrt, g) }}, needs{}, nil
}

func lossLabel(k ops.LossKind) string {
	return map[ops.LossKind]string{ops.LossMSE: "mse", ops.LossMAE: "mae", ops.LossMSETo: "mse-to", ops.LossBCE: "bce", ops.LossGDL: "gdl"}[k]
}

// stockStep maps the ops of gorgonia's own that G.Grad and the loss
// combination add: elementwise + and ⊙ (Hadamard product) of operands of
// one shape, which weight the loss terms, add them up and accumulate
// gradients of values used more than once.
func (p *program) stockStep(n *G.Node, in []cuda.Buffer, out cuda.Buffer) (step, needs, error) {
	if opType(n) != "gorgonia.elemBinOp" || len(in) != 2 {
		return step{}, needs{}, fmt.Errorf("no GPU kernel for gorgonia's %s (%s)", n.Op(), opType(n))
	}
	for _, ch := range children(n) {
		if !ch.Shape().Eq(n.Shape()) {
			return step{}, needs{}, fmt.Errorf("no GPU kernel for %s on shapes %v and %v (broadcasting)", n.Op(), children(n)[0].Shape(), children(n)[1].Shape())
		}
	}
	c := p.c
	sym, _, _ := strings.Cut(n.Op().String(), " ")
	switch sym {
	case "+":
		return step{"add", func() error { return c.Add(out, in[0], in[1]) }}, needs{}, nil
	case "⊙":
		return step{"mul", func() error { return c.Mul(out, in[0], in[1]) }}, needs{}, nil
	}
	return step{}, needs{}, fmt.Errorf("no GPU kernel for gorgonia's elementwise %q", sym)
}
