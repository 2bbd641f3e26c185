package ops

import (
	"fmt"
	"unsafe"
)

// ConvGeom describes one 2-D convolution over CNHW activations: the input is
// In×N×H×W, the filters are Out×In×KH×KW (PyTorch's order), the output is
// Out×N×OH×OW. Padding is zeros, PadH rows above and below, PadW columns left
// and right.
type ConvGeom struct {
	N, In, H, W int
	Out, KH, KW int
	Stride      int
	PadH, PadW  int
}

// OH is the output height.
func (g ConvGeom) OH() int { return (g.H+2*g.PadH-g.KH)/g.Stride + 1 }

// OW is the output width.
func (g ConvGeom) OW() int { return (g.W+2*g.PadW-g.KW)/g.Stride + 1 }

// Rows is the height of the im2col matrix, In·KH·KW.
func (g ConvGeom) Rows() int { return g.In * g.KH * g.KW }

// Cols is the width of the im2col matrix and of the output, N·OH·OW.
func (g ConvGeom) Cols() int { return g.N * g.OH() * g.OW() }

// FLOPs is the multiply-add count of the forward pass, times two.
func (g ConvGeom) FLOPs() float64 { return 2 * float64(g.Out) * float64(g.Rows()) * float64(g.Cols()) }

// Check reports a geometry that gives no output or an impossible padding.
func (g ConvGeom) Check() error {
	switch {
	case g.N < 1 || g.In < 1 || g.Out < 1 || g.KH < 1 || g.KW < 1 || g.Stride < 1:
		return fmt.Errorf("ops: conv: sizes must be positive: %+v", g)
	case g.PadH < 0 || g.PadW < 0 || g.PadH >= g.KH || g.PadW >= g.KW:
		return fmt.Errorf("ops: conv: padding %d×%d must be below the kernel size %d×%d", g.PadH, g.PadW, g.KH, g.KW)
	case g.OH() < 1 || g.OW() < 1:
		return fmt.Errorf("ops: conv: a %d×%d kernel with padding %d does not fit a %d×%d input", g.KH, g.KW, g.PadH, g.H, g.W)
	}
	return nil
}

// pointwise reports a 1×1 convolution that is a plain matrix product.
func (g ConvGeom) pointwise() bool {
	return g.KH == 1 && g.KW == 1 && g.Stride == 1 && g.PadH == 0 && g.PadW == 0
}

// tileBytes is the size of one worker's im2col tile. Measured on the U-Net
// and probe layers: 1 MiB tiles (in L2/L3) run the products 1.3-1.6 times
// faster than 192 KiB ones, whose products are too narrow; 4 MiB gains
// nothing more.
var tileBytes = 1 << 20

// tileRows returns how many output rows (of OW pixels) one tile holds, at
// least min.
func tileRows[T Float](g ConvGeom, rows, minRows int) int {
	var zero T
	per := rows * g.OW() * int(unsafe.Sizeof(zero))
	return max(minRows, tileBytes/max(1, per))
}

// span is a run of output pixels of one output row: image n, row oh.
// im2col walks the global output rows r = n·OH + oh of a tile.

// im2col writes the columns of the output rows [r0, r1) into col, a
// Rows()×((r1-r0)·OW) row-major matrix: col[(c,i,j), p] is the input pixel
// under kernel tap (i, j) of channel c for output pixel p, or 0 in the
// padding.
func im2col[T Float](g ConvGeom, x []T, r0, r1 int, col []T) {
	oh, ow := g.OH(), g.OW()
	width := (r1 - r0) * ow
	// With stride 1 and OW = W, a tap's rows are one shifted run of x per
	// image: copy it whole, then zero the columns that wrapped around.
	fast := g.Stride == 1 && ow == g.W
	for c := 0; c < g.In; c++ {
		for i := 0; i < g.KH; i++ {
			for j := 0; j < g.KW; j++ {
				row := col[((c*g.KH+i)*g.KW+j)*width:][:width]
				for r := r0; r < r1; {
					n, y := r/oh, r%oh
					yEnd := min(oh, y+r1-r)
					seg := row[(r-r0)*ow:][:(yEnd-y)*ow]
					// rows whose input row y·s-PadH+i lies inside [0, H)
					ya := min(max(y, ceilDiv(g.PadH-i, g.Stride)), yEnd)
					yb := min(max(ya, ceilDiv(g.H+g.PadH-i, g.Stride)), yEnd)
					clear(seg[:(ya-y)*ow])
					clear(seg[(yb-y)*ow:])
					if yb > ya {
						d := seg[(ya-y)*ow : (yb-y)*ow]
						base := (c*g.N + n) * g.H * g.W
						if fast {
							tapFast(d, x, base+(ya-g.PadH+i)*g.W+j-g.PadW, j-g.PadW, g.W)
						} else {
							for k := ya; k < yb; k++ {
								tapRow(d[(k-ya)*ow:][:ow], x[base+(k*g.Stride-g.PadH+i)*g.W:][:g.W], j-g.PadW, g.Stride)
							}
						}
					}
					r += yEnd - y
				}
			}
		}
	}
}

func ceilDiv(a, b int) int {
	if a <= 0 {
		return -((-a) / b)
	}
	return (a + b - 1) / b
}

// tapFast fills d (whole rows of width w) with x[start:], then zeros the
// columns q with q+dj outside [0, w), which the flat copy took from the
// neighbouring row.
func tapFast[T Float](d, x []T, start, dj, w int) {
	lo, hi := max(0, -start), min(len(d), len(x)-start)
	clear(d[:lo])
	copy(d[lo:hi], x[start+lo:start+hi])
	clear(d[hi:])
	if dj < 0 {
		for k := 0; k < len(d); k += w {
			clear(d[k : k-dj])
		}
	} else if dj > 0 {
		for k := w; k <= len(d); k += w {
			clear(d[k-dj : k])
		}
	}
}

// tapRow fills one output row: seg[q] = src[q·s+off] where that lies inside
// the input row, 0 elsewhere.
func tapRow[T Float](seg, src []T, off, s int) {
	lo, hi := validRange(off, s, len(src), len(seg))
	clear(seg[:lo])
	if s == 1 {
		copy(seg[lo:hi], src[lo+off:hi+off])
	} else {
		for q := lo; q < hi; q++ {
			seg[q] = src[q*s+off]
		}
	}
	clear(seg[hi:])
}

// col2im adds the columns of output rows [r0, r1) in col back onto the input
// pixels they were read from: the adjoint of im2col.
func col2im[T Float](g ConvGeom, col []T, r0, r1 int, x []T) {
	oh, ow := g.OH(), g.OW()
	width := (r1 - r0) * ow
	s := g.Stride
	for c := 0; c < g.In; c++ {
		for i := 0; i < g.KH; i++ {
			for j := 0; j < g.KW; j++ {
				row := col[((c*g.KH+i)*g.KW+j)*width:][:width]
				lo, hi := validRange(j-g.PadW, s, g.W, ow)
				off := j - g.PadW
				for r := r0; r < r1; r++ {
					n, y := r/oh, r%oh
					ih := y*s - g.PadH + i
					if ih < 0 || ih >= g.H {
						continue
					}
					seg := row[(r-r0)*ow:][:ow]
					dst := x[((c*g.N+n)*g.H+ih)*g.W:][:g.W]
					for q := lo; q < hi; q++ {
						dst[q*s+off] += seg[q]
					}
				}
			}
		}
	}
}

// validRange returns the output columns [lo, hi) whose input column
// q·s + off lies inside [0, w).
func validRange(off, s, w, ow int) (lo, hi int) {
	if off < 0 {
		lo = (-off + s - 1) / s
	}
	hi = (w-1-off)/s + 1
	if w-1-off < 0 {
		hi = 0
	}
	lo, hi = min(lo, ow), min(max(hi, 0), ow)
	return lo, max(lo, hi)
}

// ConvForward computes out = conv(x, w) for the geometry g: one matrix product
// W(Out × Rows) × col(Rows × Cols) over the whole batch, split into tiles of
// output rows that the workers im2col and multiply independently.
func ConvForward[T Float](g ConvGeom, x, w, out []T) { convForward(g, x, w, out, nil) }

// convForward is ConvForward with the op's cache (nil for none).
func convForward[T Float](g ConvGeom, x, w, out []T, c *convCache) {
	if direct[T](g) {
		directForward(g, as[float32](x), as[float32](w), as[float32](out), c)
		return
	}
	cols := g.Cols()
	if g.pointwise() {
		parallelTasks[T](0, cols, pointwiseTile, 0, func(c0, _ int, _ []T) {
			n := min(pointwiseTile, cols-c0)
			gemmNN(g.Out, n, g.In, w, g.In, x[c0:], cols, 0, out[c0:], cols)
		})
		return
	}
	rows, ow, nr := g.Rows(), g.OW(), g.N*g.OH()
	tr := tileRows[T](g, rows, 1)
	parallelTasks(0, nr, tr, rows*tr*ow, func(r0, _ int, col []T) {
		r1 := min(r0+tr, nr)
		width := (r1 - r0) * ow
		im2col(g, x, r0, r1, col[:rows*width])
		gemmNN(g.Out, width, rows, w, rows, col, width, 0, out[r0*ow:], cols)
	})
}

// pointwiseTile is the column count of one task of a 1×1 convolution.
const pointwiseTile = 4096

// ConvBackwardFilter computes dw = dOut × colᵀ, the filter gradient. The
// result is bitwise the same for any number of workers: see reduceSlots.
func ConvBackwardFilter[T Float](g ConvGeom, x, dout, dw []T) {
	convBackwardFilter(g, x, dout, dw, nil)
}

// reduceSlots is the number of partial sums a reduction over tiles keeps
// (fewer when there are fewer tiles). Slot s sums a fixed, contiguous range
// of tiles in order and the slots are added in order, so the result does
// not depend on how many workers share the slots or which finishes first.
const reduceSlots = 8

func convBackwardFilter[T Float](g ConvGeom, x, dout, dw []T, c *convCache) {
	if directFilterOK[T](g) {
		directFilter(g, as[float32](x), as[float32](dout), as[float32](dw), c)
		return
	}
	cols, rows := g.Cols(), g.Rows()
	size := g.Out * rows
	// tile t covers output columns (pointwise) or output rows [t·per, …).
	per, nt, scratch := pointwiseTile, (cols+pointwiseTile-1)/pointwiseTile, 0
	if !g.pointwise() {
		ow, nr := g.OW(), g.N*g.OH()
		per = tileRows[T](g, rows, 1)
		nt, scratch = (nr+per-1)/per, rows*per*ow
	}
	slots := min(nt, reduceSlots)
	partial := getScratch[T](size * slots)
	defer putScratch(partial)
	parallelTasks(0, slots, 1, scratch, func(s, _ int, col []T) {
		part := partial[s*size:][:size]
		for t := nt * s / slots; t < nt*(s+1)/slots; t++ {
			acc := beta[T](t > nt*s/slots)
			if g.pointwise() {
				c0 := t * per
				n := min(per, cols-c0)
				gemmNT(g.Out, g.In, n, dout[c0:], cols, x[c0:], cols, acc, part, g.In)
				continue
			}
			ow, nr := g.OW(), g.N*g.OH()
			r0, r1 := t*per, min((t+1)*per, nr)
			width := (r1 - r0) * ow
			im2col(g, x, r0, r1, col[:rows*width])
			gemmNT(g.Out, rows, width, dout[r0*ow:], cols, col, width, acc, part, rows)
		}
	})
	copy(dw[:size], partial[:size])
	for s := 1; s < slots; s++ {
		addTo(dw[:size], partial[s*size:][:size])
	}
}

func beta[T Float](accumulate bool) T {
	if accumulate {
		return 1
	}
	return 0
}

func addTo[T Float](dst, src []T) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += src[i]
	}
}

// ConvBackwardInput computes dx, the input gradient. A stride-1 convolution's
// input gradient is itself a stride-1 convolution of dOut with the filters
// flipped in space and transposed in channels, padded by K-1-P; that keeps
// the product's inner dimension at Out·KH·KW and needs no scatter. Strided
// convolutions multiply Wᵀ × dOut tile by tile and scatter with col2im,
// working on every other tile at a time so no two workers add to the same
// input row.
func ConvBackwardInput[T Float](g ConvGeom, w, dout, dx []T) { convBackwardInput(g, w, dout, dx, nil) }

func convBackwardInput[T Float](g ConvGeom, w, dout, dx []T, c *convCache) {
	cols, rows := g.Cols(), g.Rows()
	// Wᵀ (Rows × Out), so the products below are plain NN ones.
	wt := getScratch[T](len(w))
	defer putScratch(wt)
	for o := 0; o < g.Out; o++ {
		for r := 0; r < rows; r++ {
			wt[r*g.Out+o] = w[o*rows+r]
		}
	}
	if g.pointwise() && !direct[T](g) {
		parallelTasks[T](0, cols, pointwiseTile, 0, func(c0, _ int, _ []T) {
			n := min(pointwiseTile, cols-c0)
			gemmNN(g.In, n, g.Out, wt, g.Out, dout[c0:], cols, 0, dx[c0:], cols)
		})
		return
	}
	if g.Stride == 1 {
		flip := getScratch[T](len(w))
		defer putScratch(flip)
		for o := 0; o < g.Out; o++ {
			for c := 0; c < g.In; c++ {
				for i := 0; i < g.KH; i++ {
					for j := 0; j < g.KW; j++ {
						flip[((c*g.Out+o)*g.KH+(g.KH-1-i))*g.KW+(g.KW-1-j)] = w[((o*g.In+c)*g.KH+i)*g.KW+j]
					}
				}
			}
		}
		if t := transposed(g); direct[T](t) {
			directInput(t, as[float32](dout), as[float32](flip), as[float32](dx), c)
		} else {
			convForward(t, dout, flip, dx, nil)
		}
		return
	}
	if direct[T](g) {
		directStridedInput(g, as[float32](w), as[float32](dout), as[float32](dx))
		return
	}
	parallelRange(len(dx), func(lo, hi int) { clear(dx[lo:hi]) })
	ow, nr := g.OW(), g.N*g.OH()
	// A tile of tr output rows reads input rows spanning (tr-1)·s+KH; tiles
	// two apart are disjoint when the tile between holds ≥ ceil(KH/s)-1 rows.
	tr := tileRows[T](g, rows, (g.KH+g.Stride-1)/g.Stride)
	for phase := 0; phase < 2; phase++ {
		parallelTasks(phase*tr, nr, 2*tr, rows*tr*ow, func(r0, _ int, col []T) {
			r1 := min(r0+tr, nr)
			width := (r1 - r0) * ow
			gemmNN(rows, width, g.Out, wt, g.Out, dout[r0*ow:], cols, 0, col, width)
			col2im(g, col[:rows*width], r0, r1, dx)
		})
	}
}
