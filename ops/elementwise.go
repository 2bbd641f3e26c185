package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Add returns a + b for two tensors of the same shape.
func Add(a, b *G.Node) (*G.Node, error) {
	if !a.Shape().Eq(b.Shape()) {
		return nil, fmt.Errorf("ops: Add: shapes %v and %v differ", a.Shape(), b.Shape())
	}
	return G.ApplyOp(&ewOp{base: base{desc: "Add", arity: 2}, kind: ewAdd, dims: a.Shape().Dims()}, a, b)
}

// Scale returns c·x for a constant c.
func Scale(x *G.Node, c float64) (*G.Node, error) {
	return G.ApplyOp(&ewOp{base: base{desc: fmt.Sprintf("Scale(%v)", c), arity: 1}, kind: ewScale, c: c, dims: x.Shape().Dims()}, x)
}

// ChannelAffine returns x·scale[c] + shift[c] for every channel c (axis 0)
// of x, with constant scale and shift: the input normalisation of a
// perceptual feature extractor, for instance. The gradient is
// ChannelAffine(dy, scale, 0).
func ChannelAffine(x *G.Node, scale, shift []float64) (*G.Node, error) {
	s := x.Shape()
	if s.Dims() < 1 || len(scale) != s[0] || len(shift) != s[0] {
		return nil, fmt.Errorf("ops: ChannelAffine: %d scales and %d shifts for shape %v, want one per channel (axis 0)", len(scale), len(shift), s)
	}
	return G.ApplyOp(&ewOp{base: base{desc: fmt.Sprintf("ChannelAffine(%v,%v)", scale, shift), arity: 1}, kind: ewAffine,
		scale: append([]float64(nil), scale...), shift: append([]float64(nil), shift...), dims: s.Dims()}, x)
}

// Clamp01 clamps x to [0, 1]. Its gradient passes where 0 ≤ x ≤ 1 and is 0
// elsewhere, as PyTorch's clamp(x, 0, 1) does (boundaries included).
func Clamp01(x *G.Node) (*G.Node, error) {
	return G.ApplyOp(&ewOp{base: base{desc: "Clamp01", arity: 1}, kind: ewClamp, dims: x.Shape().Dims()}, x)
}

type ewKind int

const (
	ewAdd ewKind = iota
	ewScale
	ewAffine
	ewClamp
	ewClampGrad // (x, dy) → dy where 0 ≤ x ≤ 1
)

// ewOp is an elementwise op whose output has its first input's shape.
type ewOp struct {
	base
	kind         ewKind
	dims         int
	c            float64
	scale, shift []float64
	out          buffer
}

func (op *ewOp) Type() hm.Type {
	t := G.TensorType{Dims: op.dims, Of: hm.TypeVariable('a')}
	if op.arity == 2 {
		return hm.NewFnType(t, t, t)
	}
	return hm.NewFnType(t, t)
}

func (op *ewOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}

func (op *ewOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denseArgs(op.desc, vs...)
	if err != nil {
		return nil, err
	}
	if len(in) == 2 && !in[0].Shape().Eq(in[1].Shape()) {
		return nil, fmt.Errorf("ops: %s: shapes %v and %v differ", op.desc, in[0].Shape(), in[1].Shape())
	}
	if op.kind == ewAffine && in[0].Shape()[0] != len(op.scale) {
		return nil, fmt.Errorf("ops: %s: input has shape %v", op.desc, in[0].Shape())
	}
	out := op.out.get(in[0].Dtype(), in[0].Shape())
	if out.Dtype() == tensor.Float32 {
		ewRun(op, in, data[float32](out))
	} else {
		ewRun(op, in, data[float64](out))
	}
	return out, nil
}

func ewRun[T Float](op *ewOp, in []*tensor.Dense, out []T) {
	a := data[T](in[0])
	var b []T
	if len(in) == 2 {
		b = data[T](in[1])
	}
	c := T(op.c)
	plane := len(a) / max(1, len(op.scale))
	parallelRange(len(a), func(lo, hi int) {
		as, os := a[lo:hi], out[lo:hi]
		os = os[:len(as)]
		switch op.kind {
		case ewAdd:
			bs := b[lo:hi][:len(as)]
			for i, v := range as {
				os[i] = v + bs[i]
			}
		case ewScale:
			for i, v := range as {
				os[i] = c * v
			}
		case ewAffine:
			for i, v := range as {
				ch := (lo + i) / plane
				os[i] = v*T(op.scale[ch]) + T(op.shift[ch])
			}
		case ewClamp:
			for i, v := range as {
				os[i] = min(max(v, 0), 1)
			}
		case ewClampGrad:
			bs := b[lo:hi][:len(as)]
			for i, v := range as {
				if v >= 0 && v <= 1 {
					os[i] = bs[i]
				} else {
					os[i] = 0
				}
			}
		}
	})
}

func (op *ewOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = op.kind != ewClampGrad
	}
	return d
}

func (op *ewOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	var dx *G.Node
	var err error
	switch op.kind {
	case ewAdd:
		return G.Nodes{grad, grad}, nil
	case ewScale:
		dx, err = Scale(grad, op.c)
	case ewAffine:
		dx, err = ChannelAffine(grad, op.scale, make([]float64, len(op.shift)))
	case ewClamp:
		dx, err = G.ApplyOp(&ewOp{base: base{desc: "Clamp01Grad", arity: 2}, kind: ewClampGrad, dims: op.dims}, in[0], grad)
	default:
		return nil, fmt.Errorf("ops: second derivatives are not implemented")
	}
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}
