package cuda

import (
	"fmt"
	"math"
)

// redBlock is the thread-block size of the reductions (FP_RED in nnSource).
const redBlock = 256

// Reductions split their input into chunks of about redChunk values, at
// most maxChunks per row, each summed by one block: the split depends on
// the sizes alone, so results do not depend on the device.
const (
	redChunk  = 4096
	maxChunks = 1024
)

func chunks(n int) int { return max(1, min(maxChunks, (n+redChunk-1)/redChunk)) }

// ReduceWork is the length of the workspace (in float32 values) that
// ChannelSum needs for rows of plane values, and that Loss and GradDiff
// need for rows = 1 and plane = the input's length.
func ReduceWork(rows, plane int) int { return 2 * 2 * rows * chunks(plane) } // two doubles per chunk (GradDiff)

func sameLens(op string, n int, bufs ...Buffer) {
	for _, b := range bufs {
		if b.n != n {
			panic(fmt.Sprintf("cuda: %s on buffers of %d and %d values", op, n, b.n))
		}
	}
}

func planesOf(op string, n, h, w int) {
	if h < 1 || w < 1 || n%(h*w) != 0 {
		panic(fmt.Sprintf("cuda: %s: %d values are not planes of %d×%d", op, n, h, w))
	}
}

// BiasAct sets y = leaky(x + b[c]) for the channels c of a C×(N·H·W)
// layout (C = b.Len()): z where z = x + b[c] ≥ 0, slope·z below, as
// ops.BiasActForward. y may be x.
func (c *Context) BiasAct(y, x, b Buffer, slope float32) error {
	sameLens("BiasAct", x.n, y)
	if b.n == 0 || x.n%b.n != 0 {
		panic(fmt.Sprintf("cuda: BiasAct: %d values are not %d channels", x.n, b.n))
	}
	fits32("BiasAct", x.n)
	return c.nnLaunchRows("fp_bias_act", b.n, x.n/b.n, x, b, y, slope, int32(b.n), int32(x.n/b.n))
}

// ChannelSum sets s[c] to the sum of channel c's values of x, a
// C×(N·H·W) layout with C = s.Len(), as ops.ChannelSum: in float64, over
// chunks fixed by the size, so the result is the same on every run and
// device. work holds ReduceWork(C, plane) values at least.
func (c *Context) ChannelSum(s, x, work Buffer) error {
	if s.n == 0 || x.n%s.n != 0 {
		panic(fmt.Sprintf("cuda: ChannelSum: %d values are not %d channels", x.n, s.n))
	}
	plane := x.n / s.n
	wantLen("ChannelSum workspace", work, ReduceWork(s.n, plane))
	k := chunks(plane)
	if err := c.nnLaunchGrid("fp_channel_partial", Dim3{X: uint32(k), Y: uint32(s.n)}, x, work, int64(plane), int32(k)); err != nil {
		return err
	}
	return c.nnLaunchGrid("fp_partial_final", Dim3{X: uint32(s.n)}, work, int32(k), float64(1), s)
}

// Upsample2x sets y (planes of 2h×2w) to x (planes of h×w) upsampled 2×,
// nearest neighbour.
func (c *Context) Upsample2x(y, x Buffer, h, w int) error {
	planesOf("Upsample2x", x.n, h, w)
	sameLens("Upsample2x", 4*x.n, y)
	return c.nnLaunch("fp_upsample2x", y.n, x, y, int32(h), int32(w), fits32("Upsample2x", y.n))
}

// Upsample2xGrad sets dx (planes of h×w) to the sums of the 2×2 blocks of
// dy (planes of 2h×2w).
func (c *Context) Upsample2xGrad(dx, dy Buffer, h, w int) error {
	planesOf("Upsample2xGrad", dx.n, h, w)
	sameLens("Upsample2xGrad", 4*dx.n, dy)
	return c.nnLaunch("fp_upsample2x_grad", dx.n, dy, dx, int32(h), int32(w), fits32("Upsample2xGrad", dx.n))
}

// Pool2 sets y to the maximum, or with avg the mean, of every 2×2 block of
// x (planes of sh×sw; y planes of ⌊sh/2⌋×⌊sw/2⌋), as ops.MaxPool2 and
// ops.AvgPool2.
func (c *Context) Pool2(y, x Buffer, avg bool, sh, sw int) error {
	planesOf("Pool2", x.n, sh, sw)
	h, w := sh/2, sw/2
	sameLens("Pool2", x.n/(sh*sw)*h*w, y)
	fits32("Pool2", x.n)
	return c.nnLaunch("fp_pool2", y.n, x, y, int32(h), int32(w), int32(sh), int32(sw), boolArg(avg), int32(y.n))
}

// Pool2Grad sets dx (planes of h×w, the pooled input's size) from dy
// (planes of ⌊h/2⌋×⌊w/2⌋): dy/4 to each pixel of a block with avg, else
// dy to the block's first maximum of x (the pooled input) in row-major
// order; 0 to rows and columns pooling dropped.
func (c *Context) Pool2Grad(dx, x, dy Buffer, avg bool, h, w int) error {
	planesOf("Pool2Grad", dx.n, h, w)
	sh, sw := h/2, w/2
	sameLens("Pool2Grad", dx.n/(h*w)*sh*sw, dy)
	if !avg {
		sameLens("Pool2Grad", dx.n, x)
	}
	return c.nnLaunch("fp_pool2_grad", dx.n, x, dy, dx, int32(h), int32(w), int32(sh), int32(sw), boolArg(avg), fits32("Pool2Grad", dx.n))
}

func boolArg(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// Add sets z = x + y.
func (c *Context) Add(z, x, y Buffer) error {
	sameLens("Add", x.n, y, z)
	return c.nnLaunch("fp_add", x.n, x, y, z, fits32("Add", x.n))
}

// Mul sets z = x·y, elementwise.
func (c *Context) Mul(z, x, y Buffer) error {
	sameLens("Mul", x.n, y, z)
	return c.nnLaunch("fp_mul", x.n, x, y, z, fits32("Mul", x.n))
}

// Scale sets y = a·x.
func (c *Context) Scale(y, x Buffer, a float32) error {
	sameLens("Scale", x.n, y)
	return c.nnLaunch("fp_scale", x.n, x, y, a, fits32("Scale", x.n))
}

// ChannelAffine sets y = x·scale[c] + shift[c] for the channels of a
// C×(rest) layout, with ss holding the C scales, then the C shifts.
func (c *Context) ChannelAffine(y, x, ss Buffer) error {
	sameLens("ChannelAffine", x.n, y)
	ch := ss.n / 2
	if ss.n%2 != 0 || ch == 0 || x.n%ch != 0 {
		panic(fmt.Sprintf("cuda: ChannelAffine: %d values and %d scales and shifts", x.n, ss.n))
	}
	fits32("ChannelAffine", x.n)
	return c.nnLaunchRows("fp_channel_affine", ch, x.n/ch, x, ss, y, int32(ch), int32(x.n/ch))
}

// Clamp01 sets y to x clamped to [0, 1].
func (c *Context) Clamp01(y, x Buffer) error {
	sameLens("Clamp01", x.n, y)
	return c.nnLaunch("fp_clamp01", x.n, x, y, fits32("Clamp01", x.n))
}

// Clamp01Grad sets dx = dy where 0 ≤ x ≤ 1 and 0 elsewhere.
func (c *Context) Clamp01Grad(dx, x, dy Buffer) error {
	sameLens("Clamp01Grad", x.n, dx, dy)
	return c.nnLaunch("fp_clamp01_grad", x.n, x, dy, dx, fits32("Clamp01Grad", x.n))
}

// LossKind selects a fused loss, as framepred/ops defines them.
type LossKind int32

const (
	LossMSE   LossKind = iota // mean((a-b)²)
	LossMAE                   // mean(|a-b|)
	LossMSETo                 // mean((a-p)²) for a constant p
	LossBCE                   // mean binary cross-entropy of sigmoid(a) against a constant p
)

func (k LossKind) pair() bool { return k == LossMSE || k == LossMAE }

// Loss sets out[0] to the loss of a (against b for the pair losses, else
// the constant p), summed in float64 over fixed chunks and divided by the
// count. work holds ReduceWork(1, a.Len()) values at least.
func (c *Context) Loss(kind LossKind, out, a, b Buffer, p float64, work Buffer) error {
	if kind.pair() {
		sameLens("Loss", a.n, b)
	}
	wantLen("Loss output", out, 1)
	wantLen("Loss workspace", work, ReduceWork(1, a.n))
	if a.n == 0 {
		panic("cuda: Loss of no values")
	}
	k := chunks(a.n)
	if err := c.nnLaunchGrid("fp_loss_partial", Dim3{X: uint32(k)}, int32(kind), a, b, p, fits32("Loss", a.n), work); err != nil {
		return err
	}
	return c.nnLaunchGrid("fp_partial_final", Dim3{X: 1}, work, int32(k), float64(a.n), out)
}

// LossGrad sets out to g[0]·∂loss/∂a (wrt 0) or ∂loss/∂b (wrt 1, pair
// losses only), g being the loss's gradient, one value on the device.
func (c *Context) LossGrad(kind LossKind, out, a, b Buffer, p float64, wrt int, g Buffer) error {
	sameLens("LossGrad", a.n, out)
	if kind.pair() {
		sameLens("LossGrad", a.n, b)
	} else if wrt != 0 {
		panic("cuda: LossGrad: a loss against a constant has one input")
	}
	wantLen("LossGrad loss gradient", g, 1)
	return c.nnLaunch("fp_loss_grad", a.n, int32(kind), a, b, p, g, float64(a.n), int32(wrt), out, fits32("LossGrad", a.n))
}

// gdlCounts are the numbers of horizontal and vertical differences.
func gdlCounts(n, h, w int) (float64, float64) {
	planes := n / (h * w)
	return float64(planes * h * (w - 1)), float64(planes * (h - 1) * w)
}

// GradDiff sets out[0] to the gradient difference loss of a and b
// (ops.GradDiff) over planes of h×w. work holds ReduceWork(1, a.Len()).
func (c *Context) GradDiff(out, a, b Buffer, h, w int, alpha float64, work Buffer) error {
	sameLens("GradDiff", a.n, b)
	planesOf("GradDiff", a.n, h, w)
	if h < 2 || w < 2 {
		panic(fmt.Sprintf("cuda: GradDiff on planes of %d×%d", h, w))
	}
	wantLen("GradDiff output", out, 1)
	wantLen("GradDiff workspace", work, ReduceWork(1, a.n))
	k := chunks(a.n)
	if err := c.nnLaunchGrid("fp_gdl_partial", Dim3{X: uint32(k)}, a, b, int32(h), int32(w), alpha, fits32("GradDiff", a.n), work); err != nil {
		return err
	}
	cx, cy := gdlCounts(a.n, h, w)
	return c.nnLaunchGrid("fp_gdl_final", Dim3{X: 1}, work, int32(k), cx, cy, out)
}

// GradDiffGrad sets out to g[0]·∂GradDiff/∂a (wrt 0) or ∂/∂b (wrt 1).
func (c *Context) GradDiffGrad(out, a, b Buffer, h, w int, alpha float64, wrt int, g Buffer) error {
	sameLens("GradDiffGrad", a.n, b, out)
	planesOf("GradDiffGrad", a.n, h, w)
	wantLen("GradDiffGrad loss gradient", g, 1)
	cx, cy := gdlCounts(a.n, h, w)
	return c.nnLaunch("fp_gdl_grad", a.n, a, b, int32(h), int32(w), alpha, int32(wrt), g, cx, cy, out, fits32("GradDiffGrad", a.n))
}

// AdamStep holds the float32 scalars of one Adam step, formed as
// torch.optim.Adam and framepred/optim form them: in float64, then
// rounded.
type AdamStep struct {
	Beta1, Beta2, C1, C2 float32 // β1, β2, 1-β1, 1-β2
	StepSize             float32 // lr / (1 - β1^t)
	BC2Sqrt              float32 // √(1 - β2^t)
	Eps, WeightDecay     float32
}

// NewAdamStep returns the scalars of step t (1 for the first).
func NewAdamStep(lr, beta1, beta2, eps, weightDecay float64, t int) AdamStep {
	bc1 := 1 - math.Pow(beta1, float64(t))
	bc2 := 1 - math.Pow(beta2, float64(t))
	return AdamStep{
		Beta1: float32(beta1), Beta2: float32(beta2), C1: float32(1 - beta1), C2: float32(1 - beta2),
		StepSize: float32(lr / bc1), BC2Sqrt: float32(math.Sqrt(bc2)),
		Eps: float32(eps), WeightDecay: float32(weightDecay),
	}
}

// Adam applies one Adam step to the parameters p with gradients g and
// moments m and v (all the same length), zeroes g, and sets bad[0] to 1 if
// a parameter became NaN or infinite (bad is left alone otherwise).
func (c *Context) Adam(p, g, m, v Buffer, s AdamStep, bad Buffer) error {
	sameLens("Adam", p.n, g, m, v)
	wantLen("Adam flag", bad, 1)
	return c.nnLaunch("fp_adam", p.n, p, g, m, v, s.Beta1, s.Beta2, s.C1, s.C2, s.StepSize, s.BC2Sqrt,
		s.Eps, s.WeightDecay, bad, fits32("Adam", p.n))
}
