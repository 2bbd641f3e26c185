package encode

import (
	"math"

	"framepred/frame"
)

// BT.601 limited-range ("tv") coefficients for R, G, B in [0,1]
// (ITU-R BT.601-7, table 3, scaled to 8 bits: Y in [16,235], Cb/Cr in [16,240]).
const (
	yR, yG, yB    = 65.481, 128.553, 24.966
	cbR, cbG, cbB = -37.797, -74.203, 112.0
	crR, crG, crB = 112.0, -93.786, -18.214
)

// yuvPlanes is a yuv420p picture of an even width and height: full-size
// luma, chroma halved both ways. Each plane has its own stride.
type yuvPlanes struct {
	w, h       int // even luma size
	y, u, v    []byte
	ys, us, vs int // strides
}

// evenSize returns the size libx264 is given for a w x h frame: odd sides
// grow by one.
func evenSize(w, h int) (int, int) { return w + w&1, h + h&1 }

// oneBits is math.Float32bits(1). A float32's bits, read as a uint32, are
// at most oneBits exactly when it lies in [0,1]: negatives (-0 included)
// have the top bit set and NaNs sit above +Inf. One integer maximum thus
// tells whether a block needs clamping, which it seldom does.
const oneBits = 0x3F800000

// clamp01 limits v to [0,1]; NaN becomes 0.
func clamp01(v float32) float32 {
	if v > 0 {
		if v < 1 {
			return v
		}
		return 1
	}
	return 0
}

// toYUV420 converts f (C 1 or 3) into p, whose size must be evenSize(f.W, f.H).
// Padding rows and columns repeat the frame's last row and column. Gray
// frames give neutral chroma. Chroma is the mean of each 2x2 block.
func toYUV420(f frame.Frame, p yuvPlanes) {
	if f.C == 1 {
		grayToYUV420(f, p)
		return
	}
	r, g, b := f.Plane(0), f.Plane(1), f.Plane(2)
	// Blocks whose right column lies inside the frame: all of them, or all
	// but the last when the width is odd.
	full := f.W / 2
	for cy := 0; cy < p.h/2; cy++ {
		y0 := 2 * cy
		y1 := min(y0+1, f.H-1)
		var rows blockRows
		rows.r0, rows.r1 = r[y0*f.W:(y0+1)*f.W], r[y1*f.W:(y1+1)*f.W]
		rows.g0, rows.g1 = g[y0*f.W:(y0+1)*f.W], g[y1*f.W:(y1+1)*f.W]
		rows.b0, rows.b1 = b[y0*f.W:(y0+1)*f.W], b[y1*f.W:(y1+1)*f.W]
		rows.y0 = p.y[y0*p.ys : y0*p.ys+p.w]
		rows.y1 = p.y[(y0+1)*p.ys : (y0+1)*p.ys+p.w]
		rows.u = p.u[cy*p.us : cy*p.us+p.w/2]
		rows.v = p.v[cy*p.vs : cy*p.vs+p.w/2]
		done := rgbBlocksFast(&rows, full)
		rgbBlocks(&rows, f.W, done, len(rows.u))
	}
}

// blockRows are two rows of an RGB frame and the yuv420p rows they become:
// two luma rows and one row each of Cb and Cr.
type blockRows struct {
	r0, r1, g0, g1, b0, b1 []float32
	y0, y1, u, v           []byte
}

// rgbBlocks converts the 2x2 blocks from, from+1, ..., to-1 of rows, whose
// source rows are w pixels wide (a block past the last column repeats it).
func rgbBlocks(rows *blockRows, w, from, to int) {
	r0, r1, g0, g1, b0, b1 := rows.r0, rows.r1, rows.g0, rows.g1, rows.b0, rows.b1
	ly0, ly1, lu, lv := rows.y0, rows.y1, rows.u, rows.v
	for cx := from; cx < to; cx++ {
		x0 := 2 * cx
		x1 := min(x0+1, w-1)
		ra, rb, rc, rd := r0[x0], r0[x1], r1[x0], r1[x1]
		ga, gb, gc, gd := g0[x0], g0[x1], g1[x0], g1[x1]
		ba, bb, bc, bd := b0[x0], b0[x1], b1[x0], b1[x1]
		if max(bits(ra), bits(rb), bits(rc), bits(rd), bits(ga), bits(gb), bits(gc), bits(gd),
			bits(ba), bits(bb), bits(bc), bits(bd)) > oneBits {
			ra, rb, rc, rd = clamp01(ra), clamp01(rb), clamp01(rc), clamp01(rd)
			ga, gb, gc, gd = clamp01(ga), clamp01(gb), clamp01(gc), clamp01(gd)
			ba, bb, bc, bd = clamp01(ba), clamp01(bb), clamp01(bc), clamp01(bd)
		}
		ly0[x0] = uint8(16.5 + yR*ra + yG*ga + yB*ba)
		ly0[x0+1] = uint8(16.5 + yR*rb + yG*gb + yB*bb)
		ly1[x0] = uint8(16.5 + yR*rc + yG*gc + yB*bc)
		ly1[x0+1] = uint8(16.5 + yR*rd + yG*gd + yB*bd)
		rs := (ra + rb + rc + rd) * 0.25
		gs := (ga + gb + gc + gd) * 0.25
		bs := (ba + bb + bc + bd) * 0.25
		lu[cx] = uint8(128.5 + cbR*rs + cbG*gs + cbB*bs)
		lv[cx] = uint8(128.5 + crR*rs + crG*gs + crB*bs)
	}
}

func bits(v float32) uint32 { return math.Float32bits(v) }

func grayToYUV420(f frame.Frame, p yuvPlanes) {
	for y := 0; y < p.h; y++ {
		src := f.Pix[min(y, f.H-1)*f.W:][:f.W]
		dst := p.y[y*p.ys : y*p.ys+p.w]
		for x, v := range src {
			dst[x] = uint8(16.5 + 219*clamp01(v))
		}
		if p.w > f.W {
			dst[f.W] = dst[f.W-1]
		}
	}
	for cy := 0; cy < p.h/2; cy++ {
		fill(p.u[cy*p.us:cy*p.us+p.w/2], 128)
		fill(p.v[cy*p.vs:cy*p.vs+p.w/2], 128)
	}
}

func fill(b []byte, v byte) {
	for i := range b {
		b[i] = v
	}
}
