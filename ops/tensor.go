package ops

import (
	"fmt"
	"hash"
	"hash/fnv"
	"unsafe"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Float is the element type every kernel is written for.
type Float interface{ float32 | float64 }

// data returns a dense tensor's elements as a []T without copying.
func data[T Float](d *tensor.Dense) []T {
	raw := d.Header.Raw
	var zero T
	n := len(raw) / int(unsafe.Sizeof(zero))
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(raw))), n)
}

// dense checks that v is a contiguous *tensor.Dense of a float dtype.
func dense(op string, v G.Value) (*tensor.Dense, error) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("ops: %s: input is a %T, want *tensor.Dense", op, v)
	}
	if d.Dtype() != tensor.Float32 && d.Dtype() != tensor.Float64 {
		return nil, fmt.Errorf("ops: %s: dtype %v, want float32 or float64", op, d.Dtype())
	}
	if d.RequiresIterator() {
		return nil, fmt.Errorf("ops: %s: input of shape %v is a strided view; materialise it first", op, d.Shape())
	}
	return d, nil
}

// denseArgs checks every input with dense, and that they share one dtype.
func denseArgs(op string, vs ...G.Value) ([]*tensor.Dense, error) {
	out := make([]*tensor.Dense, len(vs))
	for i, v := range vs {
		d, err := dense(op, v)
		if err != nil {
			return nil, err
		}
		if i > 0 && d.Dtype() != out[0].Dtype() {
			return nil, fmt.Errorf("ops: %s: inputs mix %v and %v", op, out[0].Dtype(), d.Dtype())
		}
		out[i] = d
	}
	return out, nil
}

// scalarOf reads a scalar gradient value (a gorgonia scalar or a one-element
// tensor) as float64.
func scalarOf(op string, v G.Value) (float64, error) {
	switch s := v.(type) {
	case *G.F64:
		return float64(*s), nil
	case *G.F32:
		return float64(*s), nil
	case *tensor.Dense:
		if s.Shape().TotalSize() == 1 {
			switch s.Dtype() {
			case tensor.Float64:
				return data[float64](s)[0], nil
			case tensor.Float32:
				return float64(data[float32](s)[0]), nil
			}
		}
	}
	return 0, fmt.Errorf("ops: %s: want a float scalar, got %T %v", op, v, v.Shape())
}

// buffer is an op's own output tensor, kept across runs so a training step
// allocates nothing once the first step has run. The value a node holds after
// a run is therefore overwritten by the next run: Clone it to keep it.
type buffer struct{ t *tensor.Dense }

// get returns the buffer reshaped for (dt, shape), allocating only when the
// size or dtype changed. Its contents are whatever the last run left.
func (b *buffer) get(dt tensor.Dtype, shape tensor.Shape) *tensor.Dense {
	if b.t == nil || b.t.Dtype() != dt || b.t.DataSize() != shape.TotalSize() {
		b.t = tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
		return b.t
	}
	if !b.t.Shape().Eq(shape) {
		if err := b.t.Reshape(shape...); err != nil {
			panic(fmt.Sprintf("ops: reshaping an output buffer: %v", err))
		}
	}
	return b.t
}

// scalarBuf is the output of a scalar (loss) op, reused across runs.
type scalarBuf struct {
	f32 G.F32
	f64 G.F64
}

func (s *scalarBuf) set(dt tensor.Dtype, v float64) G.Value {
	if dt == tensor.Float32 {
		s.f32 = G.F32(v)
		return &s.f32
	}
	s.f64 = G.F64(v)
	return &s.f64
}

// base holds what every framepred op shares: a description that names the
// op and all its parameters (used for String and for gorgonia's hashing, so
// two nodes merge only when they compute the same thing) and its arity.
type base struct {
	desc  string
	arity int
}

func (b base) Arity() int            { return b.arity }
func (b base) String() string        { return b.desc }
func (b base) ReturnsPtr() bool      { return false }
func (b base) CallsExtern() bool     { return false }
func (b base) OverwritesInput() int  { return -1 }
func (b base) WriteHash(h hash.Hash) { fmt.Fprint(h, b.desc) }
func (b base) Hashcode() uint32 {
	h := fnv.New32a()
	b.WriteHash(h)
	return h.Sum32()
}

// noGrad marks backward ops, which framepred never differentiates again.
type noGrad struct{}

func (noGrad) DiffWRT(n int) []bool { return make([]bool, n) }
func (noGrad) SymDiff(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
	return nil, fmt.Errorf("ops: second derivatives are not implemented")
}
