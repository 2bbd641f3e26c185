package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Conv2d convolves x (CNHW: In×N×H×W) with the filters w (Out×In×KH×KW, the
// order PyTorch uses) at the given stride, zero-padding pad pixels on every
// side; the result is Out×N×OH×OW with OH = (H+2·pad-KH)/stride+1. It has no
// bias: follow it with BiasAct. Both inputs are differentiable.
func Conv2d(x, w *G.Node, stride, pad int) (*G.Node, error) {
	xs, ws := x.Shape(), w.Shape()
	if xs.Dims() != 4 || ws.Dims() != 4 {
		return nil, fmt.Errorf("ops: Conv2d: want a 4-D input and 4-D filters, got %v and %v", xs, ws)
	}
	if xs[0] != ws[1] {
		return nil, fmt.Errorf("ops: Conv2d: input has %d channels (shape %v), filters want %d (shape %v)", xs[0], xs, ws[1], ws)
	}
	g := ConvGeom{N: xs[1], In: xs[0], H: xs[2], W: xs[3], Out: ws[0], KH: ws[2], KW: ws[3], Stride: stride, PadH: pad, PadW: pad}
	if err := g.Check(); err != nil {
		return nil, err
	}
	return G.ApplyOp(newConvOp(g), x, w)
}

func geomDesc(g ConvGeom) string {
	return fmt.Sprintf("%d×%d×%d×%d*%d×%d×%d s%d p%d,%d", g.In, g.N, g.H, g.W, g.Out, g.KH, g.KW, g.Stride, g.PadH, g.PadW)
}

func tensor4() hm.Type { return G.TensorType{Dims: 4, Of: hm.TypeVariable('a')} }

// convOp is the forward convolution; with up set, of the input upsampled
// twice (UpConv2d), g then being the geometry on the upsampled input.
type convOp struct {
	base
	g     ConvGeom
	up    bool
	cache *convCache // padded buffers shared with the two gradient ops
	out   buffer
}

// inShape is the shape of x: the upsampled input's halves when up.
func inShape(g ConvGeom, up bool) []int {
	if up {
		return []int{g.In, g.N, g.H / 2, g.W / 2}
	}
	return []int{g.In, g.N, g.H, g.W}
}

func newConvOp(g ConvGeom) *convOp {
	return &convOp{base: base{desc: "Conv2d(" + geomDesc(g) + ")", arity: 2}, g: g, cache: &convCache{}}
}

func (op *convOp) Type() hm.Type { return hm.NewFnType(tensor4(), tensor4(), tensor4()) }

func (op *convOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.g.Out, op.g.N, op.g.OH(), op.g.OW()}, nil
}

func (op *convOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denseArgs(op.desc, vs...)
	if err != nil {
		return nil, err
	}
	x, w := in[0], in[1]
	if err := wantShape(op.desc, x, inShape(op.g, op.up)...); err != nil {
		return nil, err
	}
	if err := wantShape(op.desc, w, op.g.Out, op.g.In, op.g.KH, op.g.KW); err != nil {
		return nil, err
	}
	s, _ := op.InferShape()
	out := op.out.get(x.Dtype(), s)
	forwardPass.run(op.g, op.up, x, w, out, op.cache)
	return out, nil
}

// convPass is one pass of the convolution (forward, input or filter
// gradient) for both element types, plain and upsampling: run(a, b, out)
// is the pass's kernel on the tensors' elements.
type convPass struct {
	plain32, up32 func(g ConvGeom, a, b, out []float32, c *convCache)
	plain64, up64 func(g ConvGeom, a, b, out []float64, c *convCache)
}

var (
	forwardPass    = convPass{convForward[float32], upConvForward[float32], convForward[float64], upConvForward[float64]}
	inputGradPass  = convPass{convBackwardInput[float32], upConvBackwardInput[float32], convBackwardInput[float64], upConvBackwardInput[float64]}
	filterGradPass = convPass{convBackwardFilter[float32], upConvBackwardFilter[float32], convBackwardFilter[float64], upConvBackwardFilter[float64]}
)

// run picks the kernel by a's dtype and up.
func (p *convPass) run(g ConvGeom, up bool, a, b, out *tensor.Dense, c *convCache) {
	switch {
	case up && a.Dtype() == tensor.Float32:
		p.up32(g, data[float32](a), data[float32](b), data[float32](out), c)
	case up:
		p.up64(g, data[float64](a), data[float64](b), data[float64](out), c)
	case a.Dtype() == tensor.Float32:
		p.plain32(g, data[float32](a), data[float32](b), data[float32](out), c)
	default:
		p.plain64(g, data[float64](a), data[float64](b), data[float64](out), c)
	}
}

func (op *convOp) DiffWRT(int) []bool { return []bool{true, true} }

func (op *convOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	name := "Conv2d"
	if op.up {
		name = "UpConv2d"
	}
	dx, err := G.ApplyOp(&convInputGradOp{base: base{desc: name + "GradInput(" + geomDesc(op.g) + ")", arity: 2}, g: op.g, up: op.up, cache: op.cache}, in[1], grad)
	if err != nil {
		return nil, err
	}
	dw, err := G.ApplyOp(&convFilterGradOp{base: base{desc: name + "GradFilter(" + geomDesc(op.g) + ")", arity: 2}, g: op.g, up: op.up, cache: op.cache}, in[0], grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dw}, nil
}

// convInputGradOp maps (w, dOut) to dx.
type convInputGradOp struct {
	base
	noGrad
	g     ConvGeom
	up    bool
	cache *convCache
	out   buffer
}

func (op *convInputGradOp) Type() hm.Type { return hm.NewFnType(tensor4(), tensor4(), tensor4()) }

func (op *convInputGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape(inShape(op.g, op.up)), nil
}

func (op *convInputGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denseArgs(op.desc, vs...)
	if err != nil {
		return nil, err
	}
	w, dout := in[0], in[1]
	if err := wantShape(op.desc, dout, op.g.Out, op.g.N, op.g.OH(), op.g.OW()); err != nil {
		return nil, err
	}
	s, _ := op.InferShape()
	dx := op.out.get(w.Dtype(), s)
	inputGradPass.run(op.g, op.up, w, dout, dx, op.cache)
	return dx, nil
}

// convFilterGradOp maps (x, dOut) to dw.
type convFilterGradOp struct {
	base
	noGrad
	g     ConvGeom
	up    bool
	cache *convCache
	out   buffer
}

func (op *convFilterGradOp) Type() hm.Type { return hm.NewFnType(tensor4(), tensor4(), tensor4()) }

func (op *convFilterGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.g.Out, op.g.In, op.g.KH, op.g.KW}, nil
}

func (op *convFilterGradOp) Do(vs ...G.Value) (G.Value, error) {
	in, err := denseArgs(op.desc, vs...)
	if err != nil {
		return nil, err
	}
	x, dout := in[0], in[1]
	if err := wantShape(op.desc, dout, op.g.Out, op.g.N, op.g.OH(), op.g.OW()); err != nil {
		return nil, err
	}
	s, _ := op.InferShape()
	dw := op.out.get(x.Dtype(), s)
	filterGradPass.run(op.g, op.up, x, dout, dw, op.cache)
	return dw, nil
}

// wantShape checks a value's shape at run time (values can be rebound).
func wantShape(op string, d *tensor.Dense, dims ...int) error {
	if !d.Shape().Eq(tensor.Shape(dims)) {
		return fmt.Errorf("ops: %s: input has shape %v, want %v", op, d.Shape(), tensor.Shape(dims))
	}
	return nil
}
