package ops

import (
	"fmt"
	"strings"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Concat joins its inputs along axis 0, the channel axis of CNHW tensors; the
// other axes must agree. Each input is one contiguous block of the result,
// so this is a copy per input; the gradient of each input is a Slice0 of the
// output gradient.
func Concat(xs ...*G.Node) (*G.Node, error) {
	if len(xs) == 0 {
		return nil, fmt.Errorf("ops: Concat: no inputs")
	}
	first := xs[0].Shape()
	if first.Dims() < 1 {
		return nil, fmt.Errorf("ops: Concat: input 0 is a scalar")
	}
	sizes := make([]int, len(xs))
	for i, x := range xs {
		s := x.Shape()
		if s.Dims() != first.Dims() || !s[1:].Eq(first[1:]) {
			return nil, fmt.Errorf("ops: Concat: input %d has shape %v, input 0 %v: all but axis 0 must agree", i, s, first)
		}
		sizes[i] = s[0]
	}
	op := &concatOp{base: base{desc: fmt.Sprintf("Concat%v", sizes), arity: len(xs)}, dims: first.Dims(), sizes: sizes}
	return G.ApplyOp(op, xs...)
}

type concatOp struct {
	base
	dims  int
	sizes []int
	out   buffer
}

func (op *concatOp) Type() hm.Type {
	t := G.TensorType{Dims: op.dims, Of: hm.TypeVariable('a')}
	ts := make([]hm.Type, op.arity+1)
	for i := range ts {
		ts[i] = t
	}
	return hm.NewFnType(ts...)
}

func (op *concatOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s := in[0].(tensor.Shape).Clone()
	s[0] = 0
	for _, c := range op.sizes {
		s[0] += c
	}
	return s, nil
}

func (op *concatOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denseArgs(op.desc, vs...)
	if err != nil {
		return nil, err
	}
	shapes := make([]G.DimSizer, len(in))
	for i, d := range in {
		if d.Shape()[0] != op.sizes[i] {
			return nil, fmt.Errorf("ops: %s: input %d has shape %v", op.desc, i, d.Shape())
		}
		shapes[i] = d.Shape()
	}
	s, _ := op.InferShape(shapes...)
	out := op.out.get(in[0].Dtype(), s)
	off := 0
	for _, d := range in {
		n := d.DataSize()
		if d.Dtype() == tensor.Float32 {
			parallelCopy(data[float32](out)[off:off+n], data[float32](d))
		} else {
			parallelCopy(data[float64](out)[off:off+n], data[float64](d))
		}
		off += n
	}
	return out, nil
}

func parallelCopy[T Float](dst, src []T) {
	parallelRange(len(src), func(lo, hi int) { copy(dst[lo:hi], src[lo:hi]) })
}

func (op *concatOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}

func (op *concatOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	grads := make(G.Nodes, len(in))
	off := 0
	for i, c := range op.sizes {
		g, err := Slice0(grad, off, off+c)
		if err != nil {
			return nil, err
		}
		grads[i] = g
		off += c
	}
	return grads, nil
}

// Slice0 returns channels [from, to) of x (axis 0), a contiguous copy. Its
// gradient places the output gradient back into a zero tensor of x's shape.
func Slice0(x *G.Node, from, to int) (*G.Node, error) {
	s := x.Shape()
	if s.Dims() < 1 || from < 0 || to > s[0] || from >= to {
		return nil, fmt.Errorf("ops: Slice0: [%d, %d) is not a non-empty range of axis 0 of shape %v", from, to, s)
	}
	return G.ApplyOp(&sliceOp{base: base{desc: fmt.Sprintf("Slice0[%d:%d of %d]", from, to, s[0]), arity: 1}, dims: s.Dims(), from: from, to: to, full: s[0]}, x)
}

// sliceOp copies channels [from, to) out of a tensor of full channels; with
// pad set it is its adjoint, writing its input into channels [from, to) of a
// zero tensor with full channels.
type sliceOp struct {
	base
	dims           int
	from, to, full int
	pad            bool
	out            buffer
}

func (op *sliceOp) Type() hm.Type {
	t := G.TensorType{Dims: op.dims, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t)
}

func (op *sliceOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s := in[0].(tensor.Shape).Clone()
	if op.pad {
		s[0] = op.full
	} else {
		s[0] = op.to - op.from
	}
	return s, nil
}

func (op *sliceOp) Do(vs ...G.Value) (G.Value, error) {
	x, err := dense(op.desc, vs[0])
	if err != nil {
		return nil, err
	}
	want := op.full
	if op.pad {
		want = op.to - op.from
	}
	if x.Shape()[0] != want {
		return nil, fmt.Errorf("ops: %s: input has shape %v", op.desc, x.Shape())
	}
	s, _ := op.InferShape(x.Shape())
	out := op.out.get(x.Dtype(), s)
	plane := x.DataSize() / want
	lo, hi := op.from*plane, op.to*plane
	if x.Dtype() == tensor.Float32 {
		sliceKernel(op.pad, data[float32](x), data[float32](out), lo, hi)
	} else {
		sliceKernel(op.pad, data[float64](x), data[float64](out), lo, hi)
	}
	return out, nil
}

func sliceKernel[T Float](pad bool, x, out []T, lo, hi int) {
	if !pad {
		parallelCopy(out, x[lo:hi])
		return
	}
	clear(out[:lo])
	parallelCopy(out[lo:hi], x)
	clear(out[hi:])
}

func (op *sliceOp) DiffWRT(int) []bool { return []bool{!op.pad} }

func (op *sliceOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if op.pad {
		return nil, fmt.Errorf("ops: second derivatives are not implemented")
	}
	p := *op
	p.pad, p.out = true, buffer{}
	p.desc = strings.Replace(op.desc, "Slice0", "Slice0Grad", 1)
	g, err := G.ApplyOp(&p, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{g}, nil
}
