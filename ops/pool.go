package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Upsample2x repeats every pixel of x (C×N×H×W) into a 2×2 block, giving
// C×N×2H×2W: PyTorch's interpolate(scale_factor=2, mode="nearest").
func Upsample2x(x *G.Node) (*G.Node, error) {
	if err := want4D("Upsample2x", x, 1); err != nil {
		return nil, err
	}
	return G.ApplyOp(newPlaneOp("Upsample2x", upsample), x)
}

// MaxPool2 takes the maximum of every 2×2 block (stride 2, no padding) of x
// (C×N×H×W), giving C×N×⌊H/2⌋×⌊W/2⌋; an odd last row or column is dropped,
// as in PyTorch's max_pool2d(x, 2). The gradient goes to the first maximum
// of each block in row-major order, as PyTorch's does.
func MaxPool2(x *G.Node) (*G.Node, error) {
	if err := want4D("MaxPool2", x, 2); err != nil {
		return nil, err
	}
	return G.ApplyOp(newPlaneOp("MaxPool2", maxPool), x)
}

// AvgPool2 averages every 2×2 block (stride 2, no padding) of x, giving
// C×N×⌊H/2⌋×⌊W/2⌋ like PyTorch's avg_pool2d(x, 2). (gorgonia's own
// AveragePool2D is wrong in both directions in v0.9.18.)
func AvgPool2(x *G.Node) (*G.Node, error) {
	if err := want4D("AvgPool2", x, 2); err != nil {
		return nil, err
	}
	return G.ApplyOp(newPlaneOp("AvgPool2", avgPool), x)
}

func want4D(name string, x *G.Node, minHW int) error {
	s := x.Shape()
	if s.Dims() != 4 || s[2] < minHW || s[3] < minHW {
		return fmt.Errorf("ops: %s: want a 4-D CNHW input of at least %d×%d pixels, got shape %v", name, minHW, minHW, s)
	}
	return nil
}

// planeKind selects what a planeOp computes; every kind works on the H×W
// planes of a C×N×H×W tensor independently.
type planeKind int

const (
	upsample     planeKind = iota // x → 2x
	maxPool                       // x → x/2
	avgPool                       // x → x/2
	upsampleGrad                  // dy (2x) → dx: sums of 2×2 blocks
	avgPoolGrad                   // dy (x/2) → dx (x): dy/4 in each block
	maxPoolGrad                   // x, dy → dx
)

type planeOp struct {
	base
	noGrad // replaced for the differentiable kinds below
	kind   planeKind
	outH   int // for the gradient kinds: the forward input's size
	outW   int
	out    buffer
}

func newPlaneOp(name string, k planeKind) *planeOp {
	return &planeOp{base: base{desc: name, arity: 1}, kind: k}
}

func (op *planeOp) Type() hm.Type {
	if op.kind == maxPoolGrad {
		return hm.NewFnType(tensor4(), tensor4(), tensor4())
	}
	return hm.NewFnType(tensor4(), tensor4())
}

func (op *planeOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s := in[0].(tensor.Shape).Clone()
	switch op.kind {
	case upsample:
		s[2], s[3] = 2*s[2], 2*s[3]
	case maxPool, avgPool:
		s[2], s[3] = s[2]/2, s[3]/2
	default:
		s[2], s[3] = op.outH, op.outW
	}
	return s, nil
}

func (op *planeOp) DiffWRT(n int) []bool {
	if op.kind <= avgPool {
		return []bool{true}
	}
	return make([]bool, n)
}

func (op *planeOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if op.kind > avgPool {
		return op.noGrad.SymDiff(in, out, grad)
	}
	s := in[0].Shape()
	g := &planeOp{outH: s[2], outW: s[3]}
	g.base = base{desc: fmt.Sprintf("%sGrad(%d×%d)", op.desc, s[2], s[3]), arity: 1}
	args := G.Nodes{grad}
	switch op.kind {
	case upsample:
		g.kind = upsampleGrad
	case avgPool:
		g.kind = avgPoolGrad
	case maxPool:
		g.kind, g.arity = maxPoolGrad, 2
		args = G.Nodes{in[0], grad}
	}
	dx, err := G.ApplyOp(g, args...)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

func (op *planeOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denseArgs(op.desc, vs...)
	if err != nil {
		return nil, err
	}
	src := in[len(in)-1] // the gradient, for maxPoolGrad
	ss := src.Shape()
	if ss.Dims() != 4 {
		return nil, fmt.Errorf("ops: %s: input has shape %v, want 4-D", op.desc, ss)
	}
	var shape tensor.Shape
	if op.kind == maxPoolGrad {
		shape = in[0].Shape().Clone()
	} else {
		shape, _ = op.InferShape(ss)
	}
	out := op.out.get(src.Dtype(), shape)
	p := planes{n: ss[0] * ss[1], h: shape[2], w: shape[3], sh: ss[2], sw: ss[3]}
	if src.Dtype() == tensor.Float32 {
		var x []float32
		if op.kind == maxPoolGrad {
			x = data[float32](in[0])
		}
		runPlanes(op.kind, p, x, data[float32](src), data[float32](out))
	} else {
		var x []float64
		if op.kind == maxPoolGrad {
			x = data[float64](in[0])
		}
		runPlanes(op.kind, p, x, data[float64](src), data[float64](out))
	}
	return out, nil
}

// planes describes n planes: the result is h×w, the source sh×sw.
type planes struct{ n, h, w, sh, sw int }

func runPlanes[T Float](k planeKind, p planes, x, src, dst []T) {
	parallelUnits(p.n*p.h, p.w, func(lo, hi int) {
		for r := lo; r < hi; r++ { // output rows, each computed on its own
			q, y := r/p.h, r%p.h
			row := dst[r*p.w:][:p.w]
			switch k {
			case upsample:
				s := src[(q*p.sh+y/2)*p.sw:][:p.sw]
				for i := range row {
					row[i] = s[i/2]
				}
			case maxPool, avgPool:
				a := src[(q*p.sh+2*y)*p.sw:][:p.sw]
				b := src[(q*p.sh+2*y+1)*p.sw:][:p.sw]
				for i := range row {
					v0, v1, v2, v3 := a[2*i], a[2*i+1], b[2*i], b[2*i+1]
					if k == avgPool {
						row[i] = (v0 + v1 + v2 + v3) / 4
					} else {
						row[i] = max(max(v0, v1), max(v2, v3))
					}
				}
			case upsampleGrad:
				a := src[(q*p.sh+2*y)*p.sw:][:p.sw]
				b := src[(q*p.sh+2*y+1)*p.sw:][:p.sw]
				for i := range row {
					row[i] = a[2*i] + a[2*i+1] + b[2*i] + b[2*i+1]
				}
			case avgPoolGrad, maxPoolGrad:
				maxPoolGradRow(k, p, q, y, x, src, row)
			}
		}
	})
}

// maxPoolGradRow fills one row y of plane q of a pooling input gradient:
// each pixel of a 2×2 block gets dy/4 (average) or, for max, dy if it is
// the block's first maximum and 0 otherwise. Pixels of a dropped odd row or
// column get 0.
func maxPoolGradRow[T Float](k planeKind, p planes, q, y int, x, dy, row []T) {
	if y/2 >= p.sh {
		clear(row)
		return
	}
	g := dy[(q*p.sh+y/2)*p.sw:][:p.sw]
	n := min(p.sw, p.w/2) * 2
	clear(row[n:])
	if k == avgPoolGrad {
		for i := 0; i < n; i++ {
			row[i] = g[i/2] / 4
		}
		return
	}
	base := q * p.h * p.w
	top := x[base+(y&^1)*p.w:][:p.w]
	bot := x[base+(y|1)*p.w:][:p.w]
	for i := 0; i < n; i += 2 {
		v0, v1, v2, v3 := top[i], top[i+1], bot[i], bot[i+1]
		// first maximum in row-major order: 0, 1, 2, 3
		arg, m := 0, v0
		if v1 > m {
			arg, m = 1, v1
		}
		if v2 > m {
			arg, m = 2, v2
		}
		if v3 > m {
			arg = 3
		}
		var l, r T
		if y&1 == 0 && arg == 0 || y&1 == 1 && arg == 2 {
			l = g[i/2]
		}
		if y&1 == 0 && arg == 1 || y&1 == 1 && arg == 3 {
			r = g[i/2]
		}
		row[i], row[i+1] = l, r
	}
}
