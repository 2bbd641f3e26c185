package ops

// The direct path runs stride-1 convolutions without im2col: the input is
// copied once into a zero-padded buffer, after which every kernel tap's row
// of the im2col matrix is a shifted run of that buffer, and the
// micro-kernels read those runs through a table of offsets. That replaces
// writing and reading In·KH·KW values per output pixel with one padded copy
// of the input. It covers every stride-1 layer of framepred's networks whose
// output channels come in fours and whose rows come in eights of pixels;
// the rest take the im2col path.

// noDirect turns the direct path off (for benchmarks comparing the paths).
var noDirect bool

// direct reports whether g's forward pass runs on the direct path for T:
// every float32 convolution where the micro-kernels run, 1×1 ones too
// (their padded copy is the price of never calling OpenBLAS, whose results
// vary with the CPU model it picks kernels for). Output channels not in
// fours (a 1-channel head) are padded with zero filters to the next four.
func direct[T Float](g ConvGeom) bool {
	return !noDirect && kernels[T]()
}

// directFilterOK reports whether g's filter gradient runs on the direct
// path (the same cases as the forward pass).
func directFilterOK[T Float](g ConvGeom) bool { return direct[T](g) }

// padded is an input copied into a zero border and, for stride s, split
// into s×s phase planes (phase (a, b) holds padded pixels (s·y+a, s·x+b)),
// so that a strided window's taps are again shifted runs: tap (i, j) of
// output pixel (y, x) is pixel (y+i/s, x+j/s) of phase (i%s, j%s). Layout:
// phase, channel, image, hq rows of wq.
type padded struct {
	hq, wq int
	data   []float32
	offs   []int // byte offset of tap (c, i, j) from an output pixel's origin
}

// pad copies x into a pooled buffer; release returns it to the pool.
func pad(g ConvGeom, x []float32) padded {
	s := g.Stride
	hp, wp := g.H+2*g.PadH, g.W+2*g.PadW
	p := padded{hq: (hp + s - 1) / s, wq: (wp + s - 1) / s}
	plane := p.hq * p.wq
	planes := s * s * g.In * g.N
	// 32 spare zeros at the end: the last block of 24 columns may run past
	// the last pixel.
	p.data = getScratch[float32](planes*plane + 32)
	clear(p.data[planes*plane:])
	cn := g.In * g.N
	parallelUnits(cn, s*s*plane, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			src := x[k*g.H*g.W:][:g.H*g.W]
			if s == 1 {
				padPlane(p.data[k*plane:][:plane], src, g.H, g.W, g.PadH, g.PadW, p.wq)
				continue
			}
			for ph := 0; ph < s*s; ph++ {
				clear(p.data[(ph*cn+k)*plane:][:plane])
			}
			// One pass over the input, each pixel to its phase plane.
			for iy := 0; iy < g.H; iy++ {
				ys := iy + g.PadH
				a, yq := ys%s, ys/s
				in := src[iy*g.W:][:g.W]
				if s == 2 {
					// Even columns go to phase PadW%2 from position PadW/2,
					// odd ones to the other phase from (PadW+1)/2.
					b := g.PadW % 2
					even := p.data[((a*s+b)*cn+k)*plane+yq*p.wq+g.PadW/2:][:(g.W+1)/2]
					odd := p.data[((a*s+1-b)*cn+k)*plane+yq*p.wq+(g.PadW+1)/2:][:g.W/2]
					for t := range odd {
						even[t], odd[t] = in[2*t], in[2*t+1]
					}
					if g.W%2 == 1 {
						even[len(even)-1] = in[g.W-1]
					}
					continue
				}
				for b := 0; b < s; b++ {
					// input columns ix with (ix+PadW) % s == b
					ix0 := ((b-g.PadW)%s + s) % s
					row := p.data[((a*s+b)*cn+k)*plane+yq*p.wq:][:p.wq]
					xq := (ix0 + g.PadW) / s
					for ix := ix0; ix < g.W; ix += s {
						row[xq] = in[ix]
						xq++
					}
				}
			}
		}
	})
	p.offs = make([]int, g.Rows())
	for c := 0; c < g.In; c++ {
		for i := 0; i < g.KH; i++ {
			for j := 0; j < g.KW; j++ {
				ph := (i%s)*s + j%s
				p.offs[(c*g.KH+i)*g.KW+j] = 4 * ((ph*g.In+c)*g.N*plane + (i/s)*p.wq + j/s)
			}
		}
	}
	return p
}

func (p padded) release() { putScratch(p.data) }

// padPlane copies an h×w plane into dst, rows of wp, with ph zero rows above
// and pw zero columns left, and zeros everywhere else.
func padPlane(dst, src []float32, h, w, ph, pw, wp int) {
	clear(dst[:ph*wp])
	for y := 0; y < h; y++ {
		row := dst[(y+ph)*wp:][:wp]
		for i := range row[:pw] { // a pixel or two: no memclr call
			row[i] = 0
		}
		copy(row[pw:], src[y*w:][:w])
		for i := pw + w; i < len(row); i++ {
			row[i] = 0
		}
	}
	clear(dst[(h+ph)*wp:])
}

// directForward is ConvForward on the direct path; c, if not nil, keeps
// the padded input for the filter gradient.
func directForward(g ConvGeom, x, w, out []float32, c *convCache) {
	c.step()
	p, done := c.padded(0, g, x)
	defer done()
	oh, ow := g.OH(), g.OW()
	w4 := padRows(w, g.Out, g.Rows())
	defer w4.release()
	directRun(p, p.offs, w4.data, g.Out, g.N, oh, ow, outLayout{cols: g.Cols(), img: oh * ow, row: ow, step: 1}, out)
}

// directInput is a stride-1 input gradient on the direct path: the forward
// pass of t, the transposed geometry, over dOut, which it pads into the
// cache's slot 1 for the filter gradient to share.
func directInput(t ConvGeom, dout, flip, dx []float32, c *convCache) {
	p, done := c.padded(1, t, dout)
	defer done()
	w4 := padRows(flip, t.Out, t.Rows())
	defer w4.release()
	oh, ow := t.OH(), t.OW()
	directRun(p, p.offs, w4.data, t.Out, t.N, oh, ow, outLayout{cols: t.Cols(), img: oh * ow, row: ow, step: 1}, dx)
}

// directStridedInput is a strided convolution's input gradient on the
// direct path. Input pixels fall into stride×stride phases by (Y+P) mod s;
// phase (a, b) receives only the taps i ≡ a, j ≡ b (mod s), and for it the
// gradient is a small stride-1 correlation of dOut with those taps:
//
//	dx[c, s·yq+a-P, s·xq+b-P] = Σ_{o,u,v} W[o, c, a+s·u, b+s·v] · dOut[o, yq-u, xq-v]
//
// So each phase is one directRun over a zero-padded dOut, written to every
// s-th pixel of dx: no col2im scatter.
func directStridedInput(g ConvGeom, w, dout, dx []float32) {
	s, oh, ow := g.Stride, g.OH(), g.OW()
	// Padding of dOut: enough above for the largest u, enough below for
	// the largest yq; one value for all four sides.
	um := max((g.KH+s-1)/s, (g.KW+s-1)/s)
	pdd := max(um-1, (g.H-1+g.PadH)/s-oh+1, (g.W-1+g.PadW)/s-ow+1, 0)
	p := pad(ConvGeom{N: g.N, In: g.Out, H: oh, W: ow, Out: 1, KH: 1, KW: 1, Stride: 1, PadH: pdd, PadW: pdd}, dout)
	defer p.release()
	img := p.hq * p.wq
	if g.KH < s || g.KW < s { // some phases get no tap: their pixels are 0
		clear(dx)
	}
	for a := 0; a < s; a++ {
		for b := 0; b < s; b++ {
			nu, nv := (g.KH-a+s-1)/s, (g.KW-b+s-1)/s
			y0, x0 := max(0, ceilDiv(g.PadH-a, s)), max(0, ceilDiv(g.PadW-b, s))
			ph, pw := (g.H-1+g.PadH-a)/s-y0+1, (g.W-1+g.PadW-b)/s-x0+1
			if ph <= 0 || pw <= 0 {
				continue
			}
			if nu <= 0 || nv <= 0 {
				continue // cleared above
			}
			k := g.Out * nu * nv
			in4 := (g.In + 3) &^ 3
			at := getScratch[float32](in4 * k)
			clear(at)
			offs := make([]int, k)
			for o := 0; o < g.Out; o++ {
				for u := 0; u < nu; u++ {
					for v := 0; v < nv; v++ {
						col := (o*nu+u)*nv + v
						offs[col] = 4 * (o*g.N*img + (y0-u+pdd)*p.wq + (x0 - v + pdd))
						for c := 0; c < g.In; c++ {
							at[c*k+col] = w[((o*g.In+c)*g.KH+a+s*u)*g.KW+b+s*v]
						}
					}
				}
			}
			l := outLayout{cols: g.N * g.H * g.W, base: (s*y0+a-g.PadH)*g.W + s*x0 + b - g.PadW, img: g.H * g.W, row: s * g.W, step: s}
			directRun(p, offs, at, g.In, g.N, ph, pw, l, dx)
			putScratch(at)
		}
	}
}

// rows4 is a weight matrix with its row count rounded up to a multiple of
// four, zero rows added if needed (the micro-kernels work on four rows).
type rows4 struct {
	data   []float32
	pooled bool
}

func padRows(w []float32, rows, cols int) rows4 {
	r4 := (rows + 3) &^ 3
	if r4 == rows {
		return rows4{data: w}
	}
	d := getScratch[float32](r4 * cols)
	copy(d, w[:rows*cols])
	clear(d[rows*cols:])
	return rows4{data: d, pooled: true}
}

func (r rows4) release() {
	if r.pooled {
		putScratch(r.data)
	}
}

// outLayout places the result for output channel o and grid pixel (n, y, x)
// at o·cols + base + n·img + y·row + x·step.
type outLayout struct{ cols, base, img, row, step int }

// directRun computes out = w × B, where row k of B is the run of the padded
// buffer p starting at offs[k] bytes: w is out4×len(offs) (out4 = nOut
// rounded up to four, extra rows zero), the result covers the oh×ow pixels
// of each of n images of p's grid and is placed by l. It walks p's pixels as
// one run ("virtual" columns, each the origin of a kernel window), 24 at a
// time, including the few whose window hangs over the right or bottom
// padding; those results are dropped when the block is scattered out. So
// narrow rows (16 or 8 pixels) still fill the wide 4×24 kernel.
func directRun(p padded, offs []int, w []float32, nOut, n, oh, ow int, l outLayout, out []float32) {
	if ow%4 == 0 {
		segmentRun(p, offs, w, nOut, n, oh, ow, l, out)
		return
	}
	k := len(offs)
	img := p.hq * p.wq
	// Tasks of whole grid rows, about eight per worker for balance.
	nr := n * oh
	per := max(1, (nr+8*Workers()-1)/(8*Workers()))
	parallelTasks(0, nr, per, 0, func(r0, _ int, _ []float32) {
		r1 := min(nr, r0+per)
		n, y := r0/oh, r0%oh
		last := r1 - 1
		v0 := n*img + y*p.wq
		v1 := (last/oh)*img + (last%oh)*p.wq + ow
		var tmp [4 * 24]float32
		// The block's valid columns form a few runs, each a piece of one
		// grid row: (first column in the block, output index, length).
		var runs [24][3]int
		q := 0
		for v := v0; v < v1; v += 24 {
			nrun := 0
			for c := 0; c < 24 && v+c < v1; {
				var step int
				if y < oh && q < ow {
					step = min(ow-q, 24-c, v1-v-c)
					runs[nrun] = [3]int{c, l.base + n*l.img + y*l.row + q*l.step, step}
					nrun++
				} else { // right padding, or the bottom padding rows
					step = min(p.wq-q, 24-c)
				}
				c, q = c+step, q+step
				if q == p.wq {
					q, y = 0, y+1
					if y == p.hq {
						y, n = 0, n+1
					}
				}
			}
			// A block that is one whole run of a dense output row goes
			// straight to the output.
			whole := nrun == 1 && runs[0][2] == 24 && l.step == 1
			for o := 0; o < nOut; o += 4 {
				if whole && o+4 <= nOut {
					kernNNI4x24(k, &w[o*k], k, &p.data[v], &offs[0], &out[o*l.cols+runs[0][1]], l.cols, 0)
					continue
				}
				kernNNI4x24(k, &w[o*k], k, &p.data[v], &offs[0], &tmp[0], 24, 0)
				for _, r := range runs[:nrun] {
					for i := 0; i < min(4, nOut-o); i++ {
						src := tmp[i*24+r[0]:][:r[2]]
						if l.step == 1 {
							copy(out[(o+i)*l.cols+r[1]:][:r[2]], src)
							continue
						}
						dst := out[(o+i)*l.cols+r[1]:]
						for t, v := range src {
							dst[t*l.step] = v
						}
					}
				}
			}
		}
	})
}

// segmentRun is directRun for output rows of a multiple of 4 pixels: the
// kernel takes any three runs of 8 valid pixels at a time (rows of a
// multiple of 8), or six runs of 4, from one row or from several, of one
// image or of two, so no arithmetic goes to the padding, and writes them
// straight to the output when it is dense.
func segmentRun(p padded, offs []int, w []float32, nOut, n, oh, ow int, l outLayout, out []float32) {
	k := len(offs)
	img := p.hq * p.wq
	sw := 8 // segment width
	if ow%8 != 0 {
		sw = 4
	}
	ns := 24 / sw // segments per call
	perRow := ow / sw
	nseg := n * oh * perRow
	calls := (nseg + ns - 1) / ns
	per := max(1, (calls+8*Workers()-1)/(8*Workers()))
	var tmpOffs [6]int
	for s := range ns {
		tmpOffs[s] = 4 * sw * s
	}
	parallelTasks[float32](0, calls, per, 0, func(c0, _ int, _ []float32) {
		var tmp [4 * 24]float32
		var segs, dst, dstB [6]int
		// The segment walk: image im, row y, first pixel x.
		q := ns * c0
		im, y, x := q/(oh*perRow), q/perRow%oh, q%perRow*sw
		for c := c0; c < min(calls, c0+per); c++ {
			valid := min(ns, nseg-ns*c)
			for s := range ns {
				if s < valid { // a short last call repeats its last segment
					segs[s] = 4 * (im*img + y*p.wq + x)
					dst[s] = l.base + im*l.img + y*l.row + x*l.step
					if x += sw; x == ow {
						if x, y = 0, y+1; y == oh {
							y, im = 0, im+1
						}
					}
				} else {
					segs[s], dst[s] = segs[s-1], dst[s-1]
				}
				dstB[s] = 4 * dst[s]
			}
			for o := 0; o < nOut; o += 4 {
				if l.step == 1 && valid == ns && o+4 <= nOut {
					segmentKernel(sw, k, &w[o*k], &p.data[0], &offs[0], &segs, &out[o*l.cols], &dstB, l.cols)
					continue
				}
				segmentKernel(sw, k, &w[o*k], &p.data[0], &offs[0], &segs, &tmp[0], &tmpOffs, 24)
				for i := 0; i < min(4, nOut-o); i++ {
					for s := 0; s < valid; s++ {
						src := tmp[i*24+sw*s:][:sw]
						if l.step == 1 {
							copy(out[(o+i)*l.cols+dst[s]:][:sw], src)
							continue
						}
						d := out[(o+i)*l.cols+dst[s]:]
						if l.step == 2 { // upsampling phases, stride-2 input gradients
							scatter2(d, src)
							continue
						}
						for t, v := range src {
							d[t*l.step] = v
						}
					}
				}
			}
		}
	})
}

// scatter2 writes src (4 or 8 values) to every other element of d,
// unrolled: this loop runs for every output value of an upsampling
// convolution's forward pass and of a stride-2 input gradient.
func scatter2(d, src []float32) {
	if len(src) == 8 {
		dd, ss := (*[15]float32)(d), (*[8]float32)(src)
		dd[0], dd[2], dd[4], dd[6] = ss[0], ss[1], ss[2], ss[3]
		dd[8], dd[10], dd[12], dd[14] = ss[4], ss[5], ss[6], ss[7]
		return
	}
	dd, ss := (*[7]float32)(d), (*[4]float32)(src)
	dd[0], dd[2], dd[4], dd[6] = ss[0], ss[1], ss[2], ss[3]
}

// segmentKernel runs kernNNS4x24 (segments of 8, the first three of segs
// and coffs) or kernNNH4x24 (segments of 4).
func segmentKernel(sw, k int, a *float32, b *float32, offs *int, segs *[6]int, c *float32, coffs *[6]int, ldc int) {
	if sw == 8 {
		kernNNS4x24(k, a, k, b, offs, (*[3]int)(segs[:3]), c, (*[3]int)(coffs[:3]), ldc, 0)
		return
	}
	kernNNH4x24(k, a, k, b, offs, segs, c, coffs, ldc)
}

// directFilter is ConvBackwardFilter on the direct path. With a cache it
// reuses the forward pass's padded input and, for a "same" convolution,
// the padded dOut that the input gradient reads too.
func directFilter(g ConvGeom, x, dout, dw []float32, c *convCache) {
	p, done := c.padded(0, g, x)
	defer done()
	var pre padded
	shift := 0
	if t := transposed(g); g.OW()%8 != 0 && sameGrid(g) && c != nil && g.Out%4 == 0 {
		d, doneD := c.padded(1, t, dout)
		defer doneD()
		pre, shift = d, g.PadH*p.wq+g.PadW
		if run := ((g.OH()-1)*p.wq + g.OW() + 7) &^ 7; shift+run > p.hq*p.wq {
			pre = padded{} // the run would leave the image: lay dOut out afresh
		}
	}
	filterRun(p, p.offs, dout, g.Cols(), g.Out, g.N, g.OH(), g.OW(), pre, shift, dw)
}

// transposed is the geometry of a stride-1 convolution's input gradient: a
// convolution of dOut with the flipped filters, padded by K-1-P.
func transposed(g ConvGeom) ConvGeom {
	return ConvGeom{N: g.N, In: g.Out, H: g.OH(), W: g.OW(), Out: g.In, KH: g.KH, KW: g.KW,
		Stride: 1, PadH: g.KH - 1 - g.PadH, PadW: g.KW - 1 - g.PadW}
}

// sameGrid reports a stride-1 "same" convolution (K = 2P+1), whose padded
// dOut (for the input gradient) lies on the padded input's grid.
func sameGrid(g ConvGeom) bool {
	return g.Stride == 1 && g.KH == 2*g.PadH+1 && g.KW == 2*g.PadW+1
}

// convCache carries padded buffers between one convolution's forward pass
// and its two gradients within a training step: slot 0 the padded input,
// slot 1 the padded dOut. Entries are valid for the step (forward run) that
// made them and for the slice they were made from.
type convCache struct {
	gen   int
	slots [2]struct {
		p   padded
		gen int
		key *float32
	}
}

// step starts a new forward run: everything cached before is stale.
func (c *convCache) step() {
	if c != nil {
		c.gen++
	}
}

// padded returns s padded for g from the cache's slot, padding it first if
// the slot holds something else; done releases it when there is no cache.
func (c *convCache) padded(slot int, g ConvGeom, s []float32) (padded, func()) {
	if c == nil {
		p := pad(g, s)
		return p, p.release
	}
	e := &c.slots[slot]
	if e.p.data != nil && e.gen == c.gen && e.key == &s[0] {
		return e.p, func() {}
	}
	if e.p.data != nil {
		e.p.release()
	}
	e.p, e.gen, e.key = pad(g, s), c.gen, &s[0]
	return e.p, func() {}
}

// filterRun sets dw (nOut×len(offs)) to the products of a's rows with the
// rows of B that directRun would multiply: dw[o][k] = Σ over the oh×ow
// pixels of every image of a[o, n, y, x]·B_k[n, y, x], where a is
// nOut×(n·oh·ow) with channel stride aCols. pre, when it has data, is a
// laid out on p's padded grid (a padded buffer of nOut channels, pixel
// (0, 0) at element shift, zeros around), and a may then be nil.
//
// Rows of a multiple of 8 pixels are read where they lie, row by row.
// Other widths are summed as one run per image on p's grid, from its first
// pixel to its last valid one: pre, or a laid out so first.
//
// The sums are deterministic: the images fall into groups fixed by the
// geometry alone (filterGroup), each group's sums are added to dw in group
// order, and the tasks the workers share out are ranges of dw's columns,
// which split no sum. So dw is bitwise the same for any number of workers
// and any scheduling.
func filterRun(p padded, offs []int, a []float32, aCols, nOut, n, oh, ow int, pre padded, shift int, dw []float32) {
	k := len(offs)
	out4 := (nOut + 3) &^ 3
	img := p.hq * p.wq
	// The A operand (lda, image and row strides in elements) and the rows
	// and width of each image the kernel sums.
	var av []float32
	var lda, aImg, aRow, rows, width, bRow int
	switch {
	case ow%8 == 0 && a != nil:
		av, lda, aImg, aRow, rows, width, bRow = a, aCols, oh*ow, ow, oh, ow, 4*p.wq
		if out4 != nOut { // the kernel reads four rows
			av = getScratch[float32](out4 * aCols)
			defer putScratch(av)
			copy(av, a[:nOut*aCols])
			clear(av[nOut*aCols:])
		}
	case ow%8 == 0:
		av, lda, aImg, aRow, rows, width, bRow = pre.data[shift:], n*img, img, p.wq, oh, ow, 4*p.wq
	default:
		// One image's run: from its first pixel to its last valid one,
		// rounded up to whole vectors of 8.
		run := ((oh-1)*p.wq + ow + 7) &^ 7
		av, lda, aImg, rows, width = pre.data[min(shift, len(pre.data)):], n*img, img, 1, run
		if pre.data == nil {
			av, lda, aImg = getScratch[float32](out4*n*run), n*run, run
			defer putScratch(av)
			parallelUnits(out4*n, run, func(lo, hi int) {
				for q := lo; q < hi; q++ {
					dst := av[q*run:][:run]
					clear(dst)
					if o := q / n; o < nOut {
						src := a[o*aCols+(q%n)*oh*ow:][:oh*ow]
						for y := 0; y < oh; y++ {
							copy(dst[y*p.wq:][:ow], src[y*ow:][:ow])
						}
					}
				}
			})
		}
	}
	gi := filterGroup(n, rows*width)
	clear(dw[:nOut*k])
	// Tasks: ranges of tap triples (the last one padded with repeats of the
	// last tap, whose extra sums are dropped) by ranges of output rows.
	k3 := (k + 2) / 3
	ob := out4 / 4
	nw := Workers()
	oSplit := 1
	if k3 < 4*nw {
		oSplit = min(ob, (4*nw+k3-1)/k3)
	}
	jPer := max(1, k3*oSplit/(8*nw))
	jTasks := (k3 + jPer - 1) / jPer
	parallelTasks[float32](0, jTasks*oSplit, 1, 0, func(t, _ int, _ []float32) {
		jt, ot := t/oSplit, t%oSplit
		j0, j1 := 3*jt*jPer, min(k, 3*(jt+1)*jPer)
		o0, o1 := 4*(ob*ot/oSplit), 4*(ob*(ot+1)/oSplit)
		var out [12]float32
		var o3 [3]int
		for im0 := 0; im0 < n; im0 += gi {
			imgs := min(gi, n-im0)
			b := &p.data[im0*img]
			for j := j0; j < j1; j += 3 {
				nj := min(3, k-j)
				o3 = [3]int{offs[j], offs[j+min(1, nj-1)], offs[j+nj-1]}
				for o := o0; o < o1; o += 4 {
					kernNTS4x3(imgs, rows, width, &av[o*lda+im0*aImg], lda, aImg, aRow, b, &o3, 4*img, bRow, &out)
					for i := 0; i < min(4, nOut-o); i++ {
						row := dw[(o+i)*k+j:][:nj]
						for s := range row {
							row[s] += out[3*i+s]
						}
					}
				}
			}
		}
	})
}

// filterGroupPixels bounds how many pixels one kernel call of filterRun
// sums in its float32 lanes (each lane an eighth of them) before the sum is
// added to dw. Measured on the U-Net's layers, larger calls run no slower
// than cache-sized ones (the hardware prefetchers keep the streams coming),
// so the bound is set by accuracy alone.
const filterGroupPixels = 1 << 16

// filterGroup returns how many images of px pixels each filterRun sums in
// one kernel call. It depends on the geometry only, never on the workers,
// so the order of the sums is fixed.
func filterGroup(n, px int) int { return min(n, max(1, filterGroupPixels/px)) }
