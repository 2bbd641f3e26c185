package encode

import (
	"image"
	"image/color"

	"framepred/frame"
)

// to8 maps a value in [0,1] to a byte, rounding; values outside are clamped.
func to8(v float32) uint8 { return uint8(clamp01(v)*255 + 0.5) }

// fitSize returns the size of an h x w picture scaled to fit a box x box
// square, its longer side filling it.
func fitSize(h, w, box int) (dh, dw int) {
	if w >= h {
		return max(1, (h*box+w/2)/w), box
	}
	return box, max(1, (w*box+h/2)/h)
}

// blitNearest draws f (gray or RGB) scaled by nearest neighbour to
// r's size into dst at r. Gray becomes equal R, G and B.
func blitNearest(dst *image.RGBA, r image.Rectangle, f frame.Frame) {
	dw, dh := r.Dx(), r.Dy()
	sx := make([]int, dw)
	for x := range sx {
		sx[x] = x * f.W / dw
	}
	plane := f.H * f.W
	g, b := 0, 0 // channel offsets of G and B
	if f.C == 3 {
		g, b = plane, 2*plane
	}
	for y := 0; y < dh; y++ {
		row := (y * f.H / dh) * f.W
		o := dst.PixOffset(r.Min.X, r.Min.Y+y)
		line := dst.Pix[o : o+4*dw]
		for x, s := range sx {
			i := row + s
			line[4*x] = to8(f.Pix[i])
			line[4*x+1] = to8(f.Pix[g+i])
			line[4*x+2] = to8(f.Pix[b+i])
			line[4*x+3] = 255
		}
	}
}

// fillRect paints r (clipped to dst) with c.
func fillRect(dst *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(dst.Rect)
	if r.Empty() {
		return
	}
	o := dst.PixOffset(r.Min.X, r.Min.Y)
	first := dst.Pix[o : o+4*r.Dx()]
	for i := 0; i < len(first); i += 4 {
		first[i], first[i+1], first[i+2], first[i+3] = c.R, c.G, c.B, c.A
	}
	for y := r.Min.Y + 1; y < r.Max.Y; y++ {
		o := dst.PixOffset(r.Min.X, y)
		copy(dst.Pix[o:o+4*r.Dx()], first)
	}
}

// frameFromRGBA turns an opaque RGBA picture into an RGB frame.
func frameFromRGBA(img *image.RGBA) frame.Frame {
	b := img.Rect
	f := frame.New(3, b.Dy(), b.Dx())
	n := b.Dx() * b.Dy()
	r, g, bl := f.Pix[:n], f.Pix[n:2*n], f.Pix[2*n:]
	for y := 0; y < b.Dy(); y++ {
		o := img.PixOffset(b.Min.X, b.Min.Y+y)
		line := img.Pix[o : o+4*b.Dx()]
		k := y * b.Dx()
		for x := 0; x < b.Dx(); x++ {
			r[k+x] = float32(line[4*x]) / 255
			g[k+x] = float32(line[4*x+1]) / 255
			bl[k+x] = float32(line[4*x+2]) / 255
		}
	}
	return f
}
