package decode

// RGB from Y'CbCr sources is computed here rather than by swscale: swscale
// scales the picture to the output size as 4:4:4 Y'CbCr (no colour
// conversion, so no rounding to 8-bit RGB and no dithering), and the
// conversion below applies the matrix the stream declares (BT.709 for most
// HD video; swscale alone would always use BT.601) and its range. It is
// also cheaper: swscale's accurate RGB output path costs more than this
// loop over the output pixels.

// AVColorSpace values (libavutil/pixfmt.h).
const (
	spcBT709     = 1
	spcFCC       = 4
	spcSMPTE240M = 7
	spcBT2020NCL = 9
	spcBT2020CL  = 10
)

// lumaCoefficients returns Kr and Kb of the matrix for an AVColorSpace.
// Unspecified and unknown matrices are taken as BT.601, as swscale does.
func lumaCoefficients(spc int) (kr, kb float64) {
	switch spc {
	case spcBT709:
		return 0.2126, 0.0722
	case spcFCC:
		return 0.30, 0.11
	case spcSMPTE240M:
		return 0.212, 0.087
	case spcBT2020NCL, spcBT2020CL:
		return 0.2627, 0.0593
	}
	return 0.299, 0.114
}

// yuvTables turns 8-bit Y'CbCr into R'G'B' in [0,1]:
//
//	R = y[Y] + rv[Cr]
//	G = y[Y] - gu[Cb] - gv[Cr]
//	B = y[Y] + bu[Cb]
type yuvTables struct {
	y, rv, gu, gv, bu [256]float32
}

// newYUVTables builds the tables for a matrix (an AVColorSpace) and range:
// TV range has Y' in 16-235 and Cb, Cr in 16-240; full range uses 0-255.
func newYUVTables(spc int, full bool) *yuvTables {
	kr, kb := lumaCoefficients(spc)
	kg := 1 - kr - kb
	yOff, yScale, cScale := 16.0, 219.0, 224.0
	if full {
		yOff, yScale, cScale = 0, 255, 255
	}
	t := new(yuvTables)
	for i := range 256 {
		y := (float64(i) - yOff) / yScale
		c := (float64(i) - 128) / cScale // Cb or Cr in [-0.5, 0.5]
		t.y[i] = float32(y)
		t.rv[i] = float32(2 * (1 - kr) * c)
		t.gu[i] = float32(2 * kb * (1 - kb) / kg * c)
		t.gv[i] = float32(2 * kr * (1 - kr) / kg * c)
		t.bu[i] = float32(2 * (1 - kb) * c)
	}
	return t
}

// toRGB converts planar 8-bit Y, Cb, Cr of n pixels into the R, G and B
// planes, clamped to [0,1].
func (t *yuvTables) toRGB(y, u, v []byte, r, g, b []float32) {
	n := len(r)
	y, u, v, g, b = y[:n], u[:n], v[:n], g[:n], b[:n]
	for i := range n {
		l := t.y[y[i]]
		r[i] = clamp01(l + t.rv[v[i]])
		g[i] = clamp01(l - t.gu[u[i]] - t.gv[v[i]])
		b[i] = clamp01(l + t.bu[u[i]])
	}
}

func clamp01(x float32) float32 { return min(1, max(0, x)) }
