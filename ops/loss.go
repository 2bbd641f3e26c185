package ops

import (
	"fmt"
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The losses below return scalar nodes (shape (), which Grad needs: a loss
// reshaped to (1) breaks gorgonia's backward pass). Each is fused: one pass
// over its inputs forward, one backward, with sums in float64.

// MeanSquaredDiff returns mean((a-b)²) over all elements; PyTorch's
// mse_loss(a, b).
func MeanSquaredDiff(a, b *G.Node) (*G.Node, error) { return pairLoss(lossMSE, a, b, 0) }

// MeanAbsDiff returns mean(|a-b|); PyTorch's l1_loss(a, b). The gradient at
// a = b is 0, as PyTorch's subgradient is.
func MeanAbsDiff(a, b *G.Node) (*G.Node, error) { return pairLoss(lossMAE, a, b, 0) }

// MeanSquaredTo returns mean((a-target)²) for a constant target: the
// least-squares GAN losses ((D-1)², D²).
func MeanSquaredTo(a *G.Node, target float64) (*G.Node, error) {
	return unaryLoss(lossMSETo, a, target)
}

// BCEWithLogitsMean returns mean(max(a,0) - a·t + log(1+exp(-|a|))), the
// binary cross-entropy of sigmoid(a) against a constant target t, computed
// without overflow; PyTorch's binary_cross_entropy_with_logits(a, t).
func BCEWithLogitsMean(a *G.Node, target float64) (*G.Node, error) {
	return unaryLoss(lossBCE, a, target)
}

// GradDiff is the gradient difference loss of Mathieu, Couprie and LeCun
// (2016) with forward differences inside each H×W plane (the last two axes):
//
//	mean over (·, y, x<W-1) of ||b[y,x+1]-b[y,x]| - |a[y,x+1]-a[y,x]||^alpha
//	+ mean over (·, y<H-1, x) of ||b[y+1,x]-b[y,x]| - |a[y+1,x]-a[y,x]||^alpha
//
// Each direction is averaged over its own count of valid differences, so for
// alpha = 1 it equals the reference gdl(a, b) of the two-futures experiment
// ((dxt-dxp).abs().mean() + (dyt-dyp).abs().mean()). alpha must be at least
// 1; where a difference or an inner absolute value is 0 its subgradient is 0.
func GradDiff(a, b *G.Node, alpha float64) (*G.Node, error) {
	s := a.Shape()
	if s.Dims() < 2 || s[s.Dims()-1] < 2 || s[s.Dims()-2] < 2 {
		return nil, fmt.Errorf("ops: GradDiff: want planes of at least 2×2 in the last two axes, got shape %v", s)
	}
	if !(alpha >= 1) {
		return nil, fmt.Errorf("ops: GradDiff: alpha %v must be at least 1", alpha)
	}
	return pairLoss(lossGDL, a, b, alpha)
}

type lossKind int

const (
	lossMSE lossKind = iota
	lossMAE
	lossMSETo
	lossBCE
	lossGDL
)

var lossNames = [...]string{"MeanSquaredDiff", "MeanAbsDiff", "MeanSquaredTo", "BCEWithLogitsMean", "GradDiff"}

func pairLoss(k lossKind, a, b *G.Node, alpha float64) (*G.Node, error) {
	if !a.Shape().Eq(b.Shape()) {
		return nil, fmt.Errorf("ops: %s: shapes %v and %v differ", lossNames[k], a.Shape(), b.Shape())
	}
	return G.ApplyOp(newLossOp(k, a.Shape(), alpha), a, b)
}

func unaryLoss(k lossKind, a *G.Node, target float64) (*G.Node, error) {
	if a.Shape().TotalSize() == 0 {
		return nil, fmt.Errorf("ops: %s: empty input", lossNames[k])
	}
	return G.ApplyOp(newLossOp(k, a.Shape(), target), a)
}

// lossOp is a fused loss; p is GradDiff's alpha or the constant target.
type lossOp struct {
	base
	kind lossKind
	dims int
	p    float64
	val  scalarBuf
}

func newLossOp(k lossKind, s tensor.Shape, p float64) *lossOp {
	arity := 2
	if k == lossMSETo || k == lossBCE {
		arity = 1
	}
	return &lossOp{base: base{desc: fmt.Sprintf("%s(%v)", lossNames[k], p), arity: arity}, kind: k, dims: s.Dims(), p: p}
}

func (op *lossOp) tensorType() hm.Type { return G.TensorType{Dims: op.dims, Of: hm.TypeVariable('a')} }

func (op *lossOp) Type() hm.Type {
	t := op.tensorType()
	if op.arity == 2 {
		return hm.NewFnType(t, t, hm.TypeVariable('a'))
	}
	return hm.NewFnType(t, hm.TypeVariable('a'))
}

func (op *lossOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return tensor.ScalarShape(), nil }

func (op *lossOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denseArgs(op.desc, vs...)
	if err != nil {
		return nil, err
	}
	if len(in) == 2 && !in[0].Shape().Eq(in[1].Shape()) {
		return nil, fmt.Errorf("ops: %s: shapes %v and %v differ", op.desc, in[0].Shape(), in[1].Shape())
	}
	var v float64
	if in[0].Dtype() == tensor.Float32 {
		v = lossForward[float32](op.kind, op.p, in)
	} else {
		v = lossForward[float64](op.kind, op.p, in)
	}
	return op.val.set(in[0].Dtype(), v), nil
}

func (op *lossOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}

func (op *lossOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	grads := make(G.Nodes, len(in))
	for i := range in {
		g := &lossGradOp{base: base{desc: fmt.Sprintf("%sGrad%d", op.desc, i), arity: len(in) + 1}, loss: op, wrt: i}
		args := append(append(G.Nodes{}, in...), grad)
		n, err := G.ApplyOp(g, args...)
		if err != nil {
			return nil, err
		}
		grads[i] = n
	}
	return grads, nil
}

// lossGradOp maps (inputs..., dLoss) to the gradient of input wrt.
type lossGradOp struct {
	base
	noGrad
	loss *lossOp
	wrt  int
	out  buffer
}

func (op *lossGradOp) Type() hm.Type {
	t := op.loss.tensorType()
	if op.arity == 3 {
		return hm.NewFnType(t, t, hm.TypeVariable('a'), t)
	}
	return hm.NewFnType(t, hm.TypeVariable('a'), t)
}

func (op *lossGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}

func (op *lossGradOp) Do(vs ...G.Value) (G.Value, error) {
	g, err := scalarOf(op.desc, vs[len(vs)-1])
	if err != nil {
		return nil, err
	}
	in, err := denseArgs(op.desc, vs[:len(vs)-1]...)
	if err != nil {
		return nil, err
	}
	out := op.out.get(in[0].Dtype(), in[0].Shape())
	if out.Dtype() == tensor.Float32 {
		lossBackward(op.loss.kind, op.loss.p, op.wrt, g, in, data[float32](out))
	} else {
		lossBackward(op.loss.kind, op.loss.p, op.wrt, g, in, data[float64](out))
	}
	return out, nil
}

// lossForward evaluates a loss, summing per worker chunk in float64.
func lossForward[T Float](k lossKind, p float64, in []*tensor.Dense) float64 {
	a := data[T](in[0])
	var b []T
	if len(in) == 2 {
		b = data[T](in[1])
	}
	if k == lossGDL {
		s := in[0].Shape()
		return gdlForward(a, b, s[s.Dims()-2], s[s.Dims()-1], p)
	}
	n := len(a)
	sum := parallelSum(n, func(lo, hi int) float64 {
		acc := 0.0
		for i := lo; i < hi; i++ {
			x := float64(a[i])
			switch k {
			case lossMSE:
				d := x - float64(b[i])
				acc += d * d
			case lossMAE:
				acc += math.Abs(x - float64(b[i]))
			case lossMSETo:
				d := x - p
				acc += d * d
			case lossBCE:
				acc += max(x, 0) - x*p + math.Log1p(math.Exp(-math.Abs(x)))
			}
		}
		return acc
	})
	return sum / float64(n)
}

// lossBackward writes g·∂loss/∂(input wrt) into out.
func lossBackward[T Float](k lossKind, p float64, wrt int, g float64, in []*tensor.Dense, out []T) {
	a := data[T](in[0])
	var b []T
	if len(in) == 2 {
		b = data[T](in[1])
	}
	if k == lossGDL {
		s := in[0].Shape()
		gdlBackward(a, b, s[s.Dims()-2], s[s.Dims()-1], p, wrt, g, out)
		return
	}
	scale := g / float64(len(a))
	if wrt == 1 {
		scale = -scale // every pair loss here depends on a-b
	}
	parallelRange(len(a), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			x := float64(a[i])
			var d float64
			switch k {
			case lossMSE:
				d = 2 * (x - float64(b[i]))
			case lossMAE:
				d = sign(x - float64(b[i]))
			case lossMSETo:
				d = 2 * (x - p)
			case lossBCE:
				d = sigmoid(x) - p
			}
			out[i] = T(scale * d)
		}
	})
}

func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// parallelSum adds fn's partial sums over chunks of [0, n), in order. The
// chunks depend on n alone, so the sum does not depend on the workers.
func parallelSum(n int, fn func(lo, hi int) float64) float64 {
	w := min(reduceSlots, max(1, n/minChunk))
	parts := make([]float64, w)
	parallelTasks[float64](0, w, 1, 0, func(i, _ int, _ []float64) {
		parts[i] = fn(n*i/w, n*(i+1)/w)
	})
	s := 0.0
	for _, v := range parts {
		s += v
	}
	return s
}
