package bench

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/ops"
	"framepred/optim"
)

// Net is one network's training step: a compiled graph (forward, MSE loss,
// backward) and an Adam optimiser.
type Net struct {
	Name     string
	Batch    int
	ConvGeom []ops.ConvGeom // every convolution, in order
	NoInGrad int            // how many leading convolutions need no input gradient

	g      *G.ExprGraph
	vm     G.VM
	loss   *G.Node
	params []*G.Node
	ps     []optim.Param
	adam   *optim.Adam
}

// Step runs one forward, backward and Adam update and returns the loss.
func (n *Net) Step() (float32, error) {
	n.vm.Reset()
	if err := n.vm.RunAll(); err != nil {
		return 0, fmt.Errorf("bench: %s: run: %w", n.Name, err)
	}
	if n.ps == nil {
		ps, err := optim.FromNodes(n.params)
		if err != nil {
			return 0, err
		}
		n.ps = ps
	}
	if err := n.adam.Step(n.ps); err != nil {
		return 0, err
	}
	return float32(*n.loss.Value().(*G.F32)), nil
}

// Close releases the machine.
func (n *Net) Close() error { return n.vm.Close() }

// ConvFLOPs is the convolution arithmetic of one step: forward, filter
// gradient, and input gradient for every convolution but the leading ones
// whose input is data.
func (n *Net) ConvFLOPs() float64 {
	f := 0.0
	for i, g := range n.ConvGeom {
		k := 3.0
		if i < n.NoInGrad {
			k = 2
		}
		f += k * g.FLOPs()
	}
	return f
}

// builder accumulates a network's parameters with PyTorch's default
// initialisation (uniform in ±1/√fan-in for weights and biases).
type builder struct {
	g      *G.ExprGraph
	r      *rand.Rand
	params []*G.Node
	geoms  []ops.ConvGeom
}

func (b *builder) uniform(name string, fanIn int, shape ...int) *G.Node {
	bound := 1 / math.Sqrt(float64(fanIn))
	v := make([]float32, tensor.Shape(shape).TotalSize())
	for i := range v {
		v[i] = float32((2*b.r.Float64() - 1) * bound)
	}
	n := G.NewTensor(b.g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))))
	b.params = append(b.params, n)
	return n
}

// conv adds a convolution with bias followed by LeakyReLU(slope).
func (b *builder) conv(x *G.Node, name string, out, k, stride int, slope float64) *G.Node {
	return b.convOp(x, name, out, k, stride, slope, false)
}

// upConv adds nearest 2× upsampling and a 3×3 convolution with bias and
// LeakyReLU, fused into one ops.UpConv2d. Its FLOPs are counted as those of
// the convolution on the upsampled input, what PyTorch computes.
func (b *builder) upConv(x *G.Node, name string, out int, slope float64) *G.Node {
	return b.convOp(x, name, out, 3, 1, slope, true)
}

func (b *builder) convOp(x *G.Node, name string, out, k, stride int, slope float64, up bool) *G.Node {
	s := x.Shape()
	in := s[0]
	w := b.uniform(name+".w", in*k*k, out, in, k, k)
	bias := b.uniform(name+".b", in*k*k, out)
	pad := (k - 1) / 2
	h, wd := s[2], s[3]
	var y *G.Node
	if up {
		y = G.Must(ops.UpConv2d(x, w, pad))
		h, wd = 2*h, 2*wd
	} else {
		y = G.Must(ops.Conv2d(x, w, stride, pad))
	}
	b.geoms = append(b.geoms, ops.ConvGeom{N: s[1], In: in, H: h, W: wd, Out: out, KH: k, KW: k, Stride: stride, PadH: pad, PadW: pad})
	return G.Must(ops.BiasAct(y, bias, slope))
}

func randInput(g *G.ExprGraph, r *rand.Rand, name string, shape ...int) *G.Node {
	v := make([]float32, tensor.Shape(shape).TotalSize())
	for i := range v {
		v[i] = r.Float32()
	}
	return G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))))
}

// finish adds the MSE loss, differentiates and compiles what is needed.
func (b *builder) finish(name string, batch int, pred, target *G.Node) (*Net, error) {
	loss, err := ops.MeanSquaredDiff(pred, target)
	if err != nil {
		return nil, err
	}
	grads, err := G.Grad(loss, b.params...)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: grad: %w", name, err)
	}
	vm := G.NewTapeMachine(ops.Needed(loss, grads...), G.BindDualValues(b.params...))
	return &Net{Name: name, Batch: batch, ConvGeom: b.geoms, NoInGrad: 1, g: b.g, vm: vm, loss: loss,
		params: b.params, adam: optim.NewAdam(1e-3)}, nil
}

// NewProbe builds the probe network: batch 8 of 4×64×64 (CNHW), convs
// 4→32→32→1, ReLU, ReLU, linear, MSE, Adam lr 1e-3.
func NewProbe(seed uint64) (*Net, error) {
	const n, hw = 8, 64
	b := &builder{g: G.NewGraph(), r: rand.New(rand.NewPCG(seed, 1))}
	x := randInput(b.g, b.r, "x", 4, n, hw, hw)
	y := randInput(b.g, b.r, "y", 1, n, hw, hw)
	h := b.conv(x, "c1", 32, 3, 1, 0)
	h = b.conv(h, "c2", 32, 3, 1, 0)
	out := b.conv(h, "c3", 1, 3, 1, 1)
	return b.finish("probe", n, out, y)
}

// NewUNet builds the demo predictor: width 16, batch 32 of 4×32×32 → 1×32×32.
// Its decoder's "nearest upsampling, then 3×3 convolution" steps are
// ops.UpConv2d, the same function computed with 4/9 of the arithmetic.
func NewUNet(seed uint64) (*Net, error) {
	const n, hw, c, a = 32, 32, 16, 0.2
	b := &builder{g: G.NewGraph(), r: rand.New(rand.NewPCG(seed, 1))}
	x := randInput(b.g, b.r, "x", 4, n, hw, hw)
	y := randInput(b.g, b.r, "y", 1, n, hw, hw)
	e1 := b.conv(b.conv(x, "e1a", c, 3, 1, a), "e1b", c, 3, 1, a)
	e2 := b.conv(b.conv(e1, "e2a", 2*c, 3, 2, a), "e2b", 2*c, 3, 1, a)
	e3 := b.conv(b.conv(e2, "e3a", 4*c, 3, 2, a), "e3b", 4*c, 3, 1, a)
	u2 := b.upConv(e3, "u2", 2*c, a)
	d2 := b.conv(G.Must(ops.Concat(u2, e2)), "m2", 2*c, 3, 1, a)
	u1 := b.upConv(d2, "u1", c, a)
	d1 := b.conv(G.Must(ops.Concat(u1, e1)), "m1", c, 3, 1, a)
	out := b.conv(d1, "out", 1, 1, 1, 1)
	return b.finish("unet", n, out, y)
}
