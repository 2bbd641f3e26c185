package ops

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// UpConv2d is Conv2d(Upsample2x(x), w, 1, pad) as one op: x is In×N×h×w, the
// result Out×N×OH×OW for the 2h×2w upsampled input. With 3×3 filters and
// padding 1 (the U-Net decoder's layers) it never builds the upsampled
// tensor: each of the four output phases (even/odd row, even/odd column) is a
// 2×2 convolution of x with sums of the 3×3 taps, which is 4/9 of the
// arithmetic of the plain pair of ops, in every pass. Other kernels and
// paddings run the pair inside the op. Both inputs are differentiable.
func UpConv2d(x, w *G.Node, pad int) (*G.Node, error) {
	xs, ws := x.Shape(), w.Shape()
	if xs.Dims() != 4 || ws.Dims() != 4 {
		return nil, fmt.Errorf("ops: UpConv2d: want a 4-D input and 4-D filters, got %v and %v", xs, ws)
	}
	if xs[0] != ws[1] {
		return nil, fmt.Errorf("ops: UpConv2d: input has %d channels (shape %v), filters want %d (shape %v)", xs[0], xs, ws[1], ws)
	}
	g := ConvGeom{N: xs[1], In: xs[0], H: 2 * xs[2], W: 2 * xs[3], Out: ws[0], KH: ws[2], KW: ws[3], Stride: 1, PadH: pad, PadW: pad}
	if err := g.Check(); err != nil {
		return nil, err
	}
	op := newConvOp(g)
	op.up = true
	op.desc = "UpConv2d(" + geomDesc(g) + ")"
	return G.ApplyOp(op, x, w)
}

// upFast reports whether an upsampling convolution takes the phase path.
func upFast[T Float](g ConvGeom) bool {
	return !noDirect && kernels[T]() && g.KH == 3 && g.KW == 3 && g.PadH == 1 && g.PadW == 1 && g.Stride == 1
}

// UpConvForward computes out = conv(upsample2x(x), w) for g, the geometry of
// the convolution on the upsampled input (x is In×N×(H/2)×(W/2)).
func UpConvForward[T Float](g ConvGeom, x, w, out []T) { upConvForward(g, x, w, out, nil) }

func upConvForward[T Float](g ConvGeom, x, w, out []T, c *convCache) {
	if upFast[T](g) {
		upForward(g, as[float32](x), as[float32](w), as[float32](out), c)
		return
	}
	up := upsampled(g, x)
	defer putScratch(up)
	ConvForward(g, up, w, out)
}

// upsampled returns x upsampled 2× into a scratch buffer (H×W planes), for
// the caller to put back.
func upsampled[T Float](g ConvGeom, x []T) []T {
	up := getScratch[T](g.In * g.N * g.H * g.W)
	runPlanes(upsample, planes{n: g.In * g.N, h: g.H, w: g.W, sh: g.H / 2, sw: g.W / 2}, nil, x, up)
	return up
}

// UpConvBackwardInput computes dx (In×N×(H/2)×(W/2)) from dOut.
func UpConvBackwardInput[T Float](g ConvGeom, w, dout, dx []T) {
	upConvBackwardInput(g, w, dout, dx, nil)
}

func upConvBackwardInput[T Float](g ConvGeom, w, dout, dx []T, c *convCache) {
	if upFast[T](g) {
		upInput(g, as[float32](w), as[float32](dout), as[float32](dx), c)
		return
	}
	dup := getScratch[T](g.In * g.N * g.H * g.W)
	defer putScratch(dup)
	ConvBackwardInput(g, w, dout, dup)
	runPlanes(upsampleGrad, planes{n: g.In * g.N, h: g.H / 2, w: g.W / 2, sh: g.H, sw: g.W}, nil, dup, dx)
}

// UpConvBackwardFilter computes dw from x (low resolution) and dOut.
func UpConvBackwardFilter[T Float](g ConvGeom, x, dout, dw []T) {
	upConvBackwardFilter(g, x, dout, dw, nil)
}

func upConvBackwardFilter[T Float](g ConvGeom, x, dout, dw []T, c *convCache) {
	if upFast[T](g) {
		upFilter(g, as[float32](x), as[float32](dout), as[float32](dw), c)
		return
	}
	up := upsampled(g, x)
	defer putScratch(up)
	ConvBackwardFilter(g, up, dout, dw)
}

// taps[a][u] lists the 3×3 kernel rows i that, for output rows of parity a,
// read low-resolution row y+a+u-1: output row 2y+a, tap i reads upsampled
// row 2y+a+i-1, which is low-resolution row y+⌊(a+i-1)/2⌋.
var taps = [2][2][]int{{{0}, {1, 2}}, {{0, 1}, {2}}}

// phaseWeights returns the 2×2 filters of output phase (a, b): Out4 rows of
// In·4 taps (c, u, v), rows past Out zero.
func phaseWeights(g ConvGeom, w []float32, a, b int) []float32 {
	out4, k := (g.Out+3)&^3, g.In*4
	wp := getScratch[float32](out4 * k)
	clear(wp)
	for o := 0; o < g.Out; o++ {
		for c := 0; c < g.In; c++ {
			src := w[(o*g.In+c)*9:][:9]
			for u := 0; u < 2; u++ {
				for v := 0; v < 2; v++ {
					s := float32(0)
					for _, i := range taps[a][u] {
						for _, j := range taps[b][v] {
							s += src[i*3+j]
						}
					}
					wp[o*k+(c*2+u)*2+v] = s
				}
			}
		}
	}
	return wp
}

// lowGeom is the 3×3, padding-1 geometry of x itself, whose padded buffer
// (one zero pixel around each image) the phase filters read.
func lowGeom(g ConvGeom) ConvGeom {
	return ConvGeom{N: g.N, In: g.In, H: g.H / 2, W: g.W / 2, Out: g.Out, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}
}

// phaseOffsets returns the byte offsets of taps (c, u, v) of phase (a, b) in
// x's padded buffer.
func phaseOffsets(g ConvGeom, p padded, a, b int) []int {
	img := p.hq * p.wq
	offs := make([]int, g.In*4)
	for c := 0; c < g.In; c++ {
		for u := 0; u < 2; u++ {
			for v := 0; v < 2; v++ {
				offs[(c*2+u)*2+v] = 4 * (c*g.N*img + (a+u)*p.wq + (b + v))
			}
		}
	}
	return offs
}

func upForward(g ConvGeom, x, w, out []float32, c *convCache) {
	c.step()
	p, done := c.padded(0, lowGeom(g), x)
	defer done()
	h, wd := g.H/2, g.W/2
	for a := 0; a < 2; a++ {
		for b := 0; b < 2; b++ {
			wp := phaseWeights(g, w, a, b)
			l := outLayout{cols: g.Cols(), base: a*g.W + b, img: g.H * g.W, row: 2 * g.W, step: 2}
			directRun(p, phaseOffsets(g, p, a, b), wp, g.Out, g.N, h, wd, l, out)
			putScratch(wp)
		}
	}
}

// upInput computes dx as one direct pass over the four phases of dOut, each
// zero-padded by one pixel: x's pixel (y, x) received phase (a, b)'s tap
// (u, v) at phase pixel (y-a-u+1, x-b-v+1).
func upInput(g ConvGeom, w, dout, dx []float32, c *convCache) {
	pd, done := c.padded(1, phaseGeom(g), dout)
	defer done()
	h, wd := g.H/2, g.W/2
	img := pd.hq * pd.wq
	k := 16 * g.Out
	in4 := (g.In + 3) &^ 3
	at := getScratch[float32](in4 * k)
	defer putScratch(at)
	clear(at)
	offs := make([]int, k)
	for a := 0; a < 2; a++ {
		for b := 0; b < 2; b++ {
			ph := a*2 + b
			wp := phaseWeights(g, w, a, b)
			for o := 0; o < g.Out; o++ {
				for u := 0; u < 2; u++ {
					for v := 0; v < 2; v++ {
						col := ((ph*g.Out+o)*2+u)*2 + v
						offs[col] = 4 * ((ph*g.Out+o)*g.N*img + (2-a-u)*pd.wq + (2 - b - v))
						for c := 0; c < g.In; c++ {
							at[c*k+col] = wp[o*g.In*4+(c*2+u)*2+v]
						}
					}
				}
			}
			putScratch(wp)
		}
	}
	directRun(pd, offs, at, g.In, g.N, h, wd, outLayout{cols: g.N * h * wd, img: h * wd, row: wd, step: 1}, dx)
}

// phaseGeom pads dOut with stride 2 and padding 2, which splits it into its
// four phases, each with a one-pixel zero border: planes on x's padded grid.
func phaseGeom(g ConvGeom) ConvGeom {
	return ConvGeom{N: g.N, In: g.Out, H: g.H, W: g.W, Out: 1, KH: 1, KW: 1, Stride: 2, PadH: 2, PadW: 2}
}

// upFilter computes dw: for each phase, the 2×2 filter gradient of that
// phase of dOut against x's padded buffer, folded back onto the 3×3 taps.
// The phases of dOut come from the cache's slot 1 (shared with upInput)
// when the output channels come in fours.
func upFilter(g ConvGeom, x, dout, dw []float32, c *convCache) {
	p, done := c.padded(0, lowGeom(g), x)
	defer done()
	h, wd := g.H/2, g.W/2
	img := p.hq * p.wq
	var pd padded
	if g.Out%4 == 0 {
		var doneD func()
		pd, doneD = c.padded(1, phaseGeom(g), dout)
		defer doneD()
	}
	k := g.In * 4
	dp := getScratch[float32](g.Out * k)
	defer putScratch(dp)
	clear(dw[:g.Out*g.In*9])
	for a := 0; a < 2; a++ {
		for b := 0; b < 2; b++ {
			ph := a*2 + b
			var pre padded
			if run := ((h-1)*p.wq + wd + 7) &^ 7; pd.data != nil && p.wq+1+run <= img {
				pre = padded{hq: pd.hq, wq: pd.wq, data: pd.data[ph*g.Out*g.N*img:]}
			}
			// Otherwise dOut's phase (a, b) is gathered here: its pixel (y, x)
			// is output pixel (2y+a, 2x+b).
			var phase []float32
			if pre.data == nil {
				phase = getScratch[float32](g.Out * g.N * h * wd)
				for o := 0; o < g.Out; o++ {
					for n := 0; n < g.N; n++ {
						for y := 0; y < h; y++ {
							src := dout[((o*g.N+n)*g.H+2*y+a)*g.W:][:g.W]
							dst := phase[((o*g.N+n)*h+y)*wd:][:wd]
							for xx := range dst {
								dst[xx] = src[2*xx+b]
							}
						}
					}
				}
			}
			filterRun(p, phaseOffsets(g, p, a, b), phase, g.N*h*wd, g.Out, g.N, h, wd, pre, p.wq+1, dp)
			putScratch(phase) // a nil slice is ignored
			for o := 0; o < g.Out; o++ {
				for c := 0; c < g.In; c++ {
					dst := dw[(o*g.In+c)*9:][:9]
					for u := 0; u < 2; u++ {
						for v := 0; v < 2; v++ {
							s := dp[o*k+(c*2+u)*2+v]
							for _, i := range taps[a][u] {
								for _, j := range taps[b][v] {
									dst[i*3+j] += s
								}
							}
						}
					}
				}
			}
		}
	}
}
