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

// direct reports whether g's forward pass runs on the direct path for T.
func direct[T Float](g ConvGeom) bool {
	return !noDirect && kernels[T]() && g.Stride == 1 && !g.pointwise() && g.Out%4 == 0
}

// directFilterOK reports whether g's filter gradient runs on the direct
// path: it also needs output rows of whole eights of pixels.
func directFilterOK[T Float](g ConvGeom) bool { return direct[T](g) && g.OW()%8 == 0 }

// padded is an input copied into a zero border: In × N × Hp × Wp.
type padded struct {
	hp, wp int
	data   []float32
	offs   []int // byte offset of tap (c, i, j) from a pixel's top-left
}

// pad copies x into a pooled buffer with the geometry's padding; release
// returns it to the pool.
func pad(g ConvGeom, x []float32) padded {
	p := padded{hp: g.H + 2*g.PadH, wp: g.W + 2*g.PadW}
	plane := p.hp * p.wp
	// 32 spare zeros at the end: the last block of 24 columns may run past
	// the last pixel.
	p.data = getScratch[float32](g.In*g.N*plane + 32)
	clear(p.data[g.In*g.N*plane:])
	parallelUnits(g.In*g.N, plane, func(lo, hi int) {
		for q := lo; q < hi; q++ {
			dst := p.data[q*plane:][:plane]
			src := x[q*g.H*g.W:][:g.H*g.W]
			clear(dst[:g.PadH*p.wp])
			for y := 0; y < g.H; y++ {
				row := dst[(y+g.PadH)*p.wp:][:p.wp]
				clear(row[:g.PadW])
				copy(row[g.PadW:], src[y*g.W:][:g.W])
				clear(row[g.PadW+g.W:])
			}
			clear(dst[(g.H+g.PadH)*p.wp:])
		}
	})
	p.offs = make([]int, g.Rows())
	for c := 0; c < g.In; c++ {
		for i := 0; i < g.KH; i++ {
			for j := 0; j < g.KW; j++ {
				p.offs[(c*g.KH+i)*g.KW+j] = 4 * (c*g.N*plane + i*p.wp + j)
			}
		}
	}
	return p
}

func (p padded) release() { putScratch(p.data) }

// directForward is ConvForward on the direct path. It walks the padded
// input's pixels as one run per image ("virtual" columns, each a top-left
// corner of a kernel window), 24 at a time, including the few per row whose
// window hangs over the right padding; those results are dropped when the
// block is scattered into the output. So narrow rows (16 or 8 pixels) still
// fill the wide 4×24 kernel.
func directForward(g ConvGeom, x, w, out []float32) {
	p := pad(g, x)
	defer p.release()
	oh, ow, rows, cols := g.OH(), g.OW(), g.Rows(), g.Cols()
	img := p.hp * p.wp
	per := max(1, 2048/p.wp) // output rows per task
	tasksPerImg := (oh + per - 1) / per
	parallelTasks(0, g.N*tasksPerImg, 1, 0, func(t, _ int, _ []float32) {
		n, y0 := t/tasksPerImg, (t%tasksPerImg)*per
		y1 := min(oh, y0+per)
		v0, v1 := n*img+y0*p.wp, n*img+(y1-1)*p.wp+ow
		var tmp [4 * 24]float32
		var dst [24]int // output pixel of each column of the block, or -1
		y, q := y0, 0
		for v := v0; v < v1; v += 24 {
			for c := range dst {
				dst[c] = -1
				if v+c < v1 && q < ow {
					dst[c] = (n*oh+y)*ow + q
				}
				if q++; q == p.wp {
					q, y = 0, y+1
				}
			}
			for o := 0; o < g.Out; o += 4 {
				kernNNI4x24(rows, &w[o*rows], rows, &p.data[v], &p.offs[0], &tmp[0], 24, 0)
				for c, d := range dst {
					if d >= 0 {
						out[o*cols+d] = tmp[c]
						out[(o+1)*cols+d] = tmp[24+c]
						out[(o+2)*cols+d] = tmp[48+c]
						out[(o+3)*cols+d] = tmp[72+c]
					}
				}
			}
		}
	})
}

// directFilter is ConvBackwardFilter on the direct path: each worker sums
// whole images into its own partial gradient.
func directFilter(g ConvGeom, x, dout, dw []float32) {
	p := pad(g, x)
	defer p.release()
	oh, ow, rows, cols := g.OH(), g.OW(), g.Rows(), g.Cols()
	size := g.Out * rows
	nw := Workers()
	partial := getScratch[float32](size * nw)
	defer putScratch(partial)
	used := make([]bool, nw)
	parallelTasks(0, g.N, 1, 0, func(n, wk int, _ []float32) {
		part := partial[wk*size:][:size]
		if !used[wk] {
			clear(part)
			used[wk] = true
		}
		var out [12]float32
		var offs [3]int
		b := &p.data[n*p.hp*p.wp]
		k := 0
		for ; k+3 <= rows; k += 3 {
			offs = [3]int{p.offs[k], p.offs[k+1], p.offs[k+2]}
			for o := 0; o+4 <= g.Out; o += 4 {
				kernNTI4x3(oh, ow, &dout[o*cols+n*oh*ow], cols, b, &offs, 4*p.wp, &out)
				for i := 0; i < 4; i++ {
					row := part[(o+i)*rows+k:][:3]
					row[0] += out[3*i]
					row[1] += out[3*i+1]
					row[2] += out[3*i+2]
				}
			}
		}
		for ; k < rows; k++ { // taps beyond a multiple of three
			for o := 0; o < g.Out; o++ {
				s := float32(0)
				for y := 0; y < oh; y++ {
					d := dout[o*cols+(n*oh+y)*ow:][:ow]
					src := p.data[n*p.hp*p.wp+y*p.wp+p.offs[k]/4:][:ow]
					for q := range d {
						s += d[q] * src[q]
					}
				}
				part[o*rows+k] += s
			}
		}
	})
	clear(dw[:size])
	for wk := 0; wk < nw; wk++ {
		if used[wk] {
			addTo(dw[:size], partial[wk*size:][:size])
		}
	}
}
