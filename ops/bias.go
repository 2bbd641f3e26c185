package ops

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BiasAct adds the per-channel bias b (a vector of C values) to x (C×N×H×W)
// and applies LeakyReLU with the given negative slope in one pass:
// y = max(z, slope·z) with z = x + b[c]. Slope 1 makes it a plain bias add,
// slope 0 a ReLU; slopes outside [0, 1] are refused. Both inputs are
// differentiable; at z = 0 the gradient uses slope, as PyTorch's does.
func BiasAct(x, b *G.Node, slope float64) (*G.Node, error) {
	xs, bs := x.Shape(), b.Shape()
	if xs.Dims() != 4 {
		return nil, fmt.Errorf("ops: BiasAct: want a 4-D CNHW input, got shape %v", xs)
	}
	if bs.Dims() != 1 || bs[0] != xs[0] {
		return nil, fmt.Errorf("ops: BiasAct: bias has shape %v, want (%d) for input %v", bs, xs[0], xs)
	}
	if !(slope >= 0 && slope <= 1) {
		return nil, fmt.Errorf("ops: BiasAct: slope %v outside [0, 1]", slope)
	}
	return G.ApplyOp(&biasActOp{base: base{desc: fmt.Sprintf("BiasAct(%v)", slope), arity: 2}, slope: slope}, x, b)
}

func vector() hm.Type { return G.TensorType{Dims: 1, Of: hm.TypeVariable('a')} }

type biasActOp struct {
	base
	slope float64
	out   buffer
}

func (op *biasActOp) Type() hm.Type { return hm.NewFnType(tensor4(), vector(), tensor4()) }

func (op *biasActOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}

func (op *biasActOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denseArgs(op.desc, vs...)
	if err != nil {
		return nil, err
	}
	x, b := in[0], in[1]
	c := x.Shape()[0]
	if b.DataSize() != c {
		return nil, fmt.Errorf("ops: %s: bias of %d values for %d channels", op.desc, b.DataSize(), c)
	}
	y := op.out.get(x.Dtype(), x.Shape())
	if x.Dtype() == tensor.Float32 {
		BiasActForward(data[float32](x), data[float32](b), data[float32](y), float32(op.slope))
	} else {
		BiasActForward(data[float64](x), data[float64](b), data[float64](y), op.slope)
	}
	return y, nil
}

func (op *biasActOp) DiffWRT(int) []bool { return []bool{true, true} }

func (op *biasActOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	dx := grad
	if op.slope != 1 {
		var err error
		dx, err = G.ApplyOp(&actGradOp{base: base{desc: fmt.Sprintf("ActGrad(%v)", op.slope), arity: 2}, slope: op.slope}, out, grad)
		if err != nil {
			return nil, err
		}
	}
	db, err := G.ApplyOp(&channelSumOp{base: base{desc: "ChannelSum", arity: 1}}, dx)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, db}, nil
}

// BiasActForward computes y = leaky(x + b[c]) over a C×(N·H·W) layout:
// z for z ≥ 0 and slope·z below, so 0·z = 0 exactly at slope 0. In float32
// with AVX2 it runs vectors of 8 as max(z, slope·z), which is the same
// number for every z; elsewhere the factor (1 or slope) is picked by z's
// sign bit rather than branched on: signs of pre-activations are random,
// and the branch that Go compiles "if z < 0 { z *= slope }" to mispredicted
// often enough to run several times slower. Either way every element gets
// the same arithmetic wherever a worker's chunk begins.
func BiasActForward[T Float](x, b, y []T, slope T) {
	plane := len(x) / len(b)
	fs := [2]T{1, slope}
	parallelRange(len(x), func(lo, hi int) {
		for lo < hi {
			c := lo / plane
			end := min(hi, (c+1)*plane)
			bc := b[c]
			xs, ys := x[lo:end], y[lo:end]
			ys = ys[:len(xs)]
			if kernels[T]() {
				n8 := len(xs) &^ 7
				if n8 > 0 {
					biasActAVX(&as[float32](xs)[0], &as[float32](ys)[0], n8, float32(bc), float32(slope))
				}
				xs, ys = xs[n8:], ys[n8:]
			}
			if slope == 1 {
				for i, v := range xs {
					ys[i] = v + bc
				}
			} else {
				for i, v := range xs {
					z := v + bc
					ys[i] = z * fs[int(negative(z))]
				}
			}
			lo = end
		}
	})
}

// actGradOp maps (y, dy) to dx = dy where y > 0, slope·dy elsewhere.
type actGradOp struct {
	base
	noGrad
	slope float64
	out   buffer
}

func (op *actGradOp) Type() hm.Type { return hm.NewFnType(tensor4(), tensor4(), tensor4()) }

func (op *actGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}

func (op *actGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denseArgs(op.desc, vs...)
	if err != nil {
		return nil, err
	}
	y, dy := in[0], in[1]
	dx := op.out.get(y.Dtype(), y.Shape())
	if y.Dtype() == tensor.Float32 {
		ActBackward(data[float32](y), data[float32](dy), data[float32](dx), float32(op.slope))
	} else {
		ActBackward(data[float64](y), data[float64](dy), data[float64](dx), op.slope)
	}
	return dx, nil
}

// ActBackward computes the LeakyReLU input gradient from its output y:
// dy·f with f = 1 where y > 0 and slope elsewhere, the factor picked
// without a branch (as in BiasActForward). In float32 with AVX2, vectors of
// 8 compare y > 0 and the last few elements do the same in Go.
func ActBackward[T Float](y, dy, dx []T, slope T) {
	fs := [2]T{slope, 1}
	parallelRange(len(y), func(lo, hi int) {
		ys, ds, xs := y[lo:hi], dy[lo:hi], dx[lo:hi]
		ds, xs = ds[:len(ys)], xs[:len(ys)]
		if kernels[T]() {
			n8 := len(ys) &^ 7
			if n8 > 0 {
				actGradAVX(&as[float32](ys)[0], &as[float32](ds)[0], &as[float32](xs)[0], n8, float32(slope))
			}
			for i, v := range ys[n8:] {
				f := slope
				if v > 0 {
					f = 1
				}
				xs[n8+i] = ds[n8+i] * f
			}
			return
		}
		for i, v := range ys {
			xs[i] = ds[i] * fs[int(positive(v))]
		}
	})
}

// negative is 1 if v's sign bit is set (v < 0 or v = -0), else 0.
func negative[T Float](v T) T {
	if unsafe.Sizeof(v) == 4 {
		return T(math.Float32bits(float32(v)) >> 31)
	}
	return T(math.Float64bits(float64(v)) >> 63)
}

// positive is 1 if v > 0, else 0 (for -0 and NaN-free negatives too): the
// integer image b of a positive float is > 0, so b and b-1 both have a clear
// sign bit exactly then.
func positive[T Float](v T) T {
	if unsafe.Sizeof(v) == 4 {
		b := int32(math.Float32bits(float32(v)))
		return T(^uint32(b|(b-1)) >> 31)
	}
	b := int64(math.Float64bits(float64(v)))
	return T(^uint64(b|(b-1)) >> 63)
}

// channelSumOp sums a C×N×H×W tensor over all but its first axis.
type channelSumOp struct {
	base
	noGrad
	out buffer
}

func (op *channelSumOp) Type() hm.Type { return hm.NewFnType(tensor4(), vector()) }

func (op *channelSumOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{in[0].(tensor.Shape)[0]}, nil
}

func (op *channelSumOp) Do(vs ...G.Value) (G.Value, error) {
	x, err := dense(op.desc, vs[0])
	if err != nil {
		return nil, err
	}
	c := x.Shape()[0]
	s := op.out.get(x.Dtype(), tensor.Shape{c})
	if x.Dtype() == tensor.Float32 {
		ChannelSum(data[float32](x), data[float32](s))
	} else {
		ChannelSum(data[float64](x), data[float64](s))
	}
	return s, nil
}

// ChannelSum sets s[c] to the sum of channel c's block of x. Float32 sums
// run in eight float32 lanes over blocks of 256 values, each block's total
// added in float64.
func ChannelSum[T Float](x, s []T) {
	plane := len(x) / len(s)
	// Split every channel's block into chunks so even one channel uses all
	// workers; each chunk adds into its own slot, combined below in order.
	// The chunks depend on the size alone, so the sums do not depend on the
	// workers.
	chunks := max(1, min(reduceSlots, len(x)/minChunk))
	part := make([]float64, len(s)*chunks)
	parallelTasks(0, chunks, 1, 0, func(k, _ int, _ []T) {
		for c := range s {
			blk := x[c*plane:][:plane]
			part[c*chunks+k] = sum(blk[plane*k/chunks : plane*(k+1)/chunks])
		}
	})
	for c := range s {
		t := 0.0
		for k := 0; k < chunks; k++ {
			t += part[c*chunks+k]
		}
		s[c] = T(t)
	}
}

func sum[T Float](v []T) float64 {
	total := 0.0
	if kernels[T]() && len(v) >= 256 {
		total = sum256AVX(&as[float32](v)[0], len(v)/256)
		v = v[len(v)&^255:]
	}
	for len(v) >= 256 {
		var l [8]T
		for i := 0; i < 256; i += 8 {
			w := v[i : i+8 : i+8]
			l[0] += w[0]
			l[1] += w[1]
			l[2] += w[2]
			l[3] += w[3]
			l[4] += w[4]
			l[5] += w[5]
			l[6] += w[6]
			l[7] += w[7]
		}
		total += float64(l[0]+l[1]) + float64(l[2]+l[3]) + float64(l[4]+l[5]) + float64(l[6]+l[7])
		v = v[256:]
	}
	for _, e := range v {
		total += float64(e)
	}
	return total
}
