package metrics

import (
	"fmt"
	"math"

	"framepred/frame"
)

// Plane8 is one plane of 8-bit samples, W×H row by row without padding:
// what FFmpeg's filters see of a gray, planar YUV or planar RGB (gbrp) frame.
type Plane8 struct {
	W, H int
	Pix  []uint8 // len W*H
}

// NewPlane8 returns a black w×h plane.
// It panics if a dimension is not positive.
func NewPlane8(w, h int) Plane8 {
	if w <= 0 || h <= 0 {
		panic(fmt.Sprintf("metrics: bad plane size %dx%d", w, h))
	}
	return Plane8{W: w, H: h, Pix: make([]uint8, w*h)}
}

func (p Plane8) validate() error {
	if p.W <= 0 || p.H <= 0 {
		return fmt.Errorf("bad plane size %dx%d", p.W, p.H)
	}
	if len(p.Pix) != p.W*p.H {
		return fmt.Errorf("%dx%d plane has %d samples, want %d", p.W, p.H, len(p.Pix), p.W*p.H)
	}
	return nil
}

// Quantize returns channel c of f as 8-bit samples, each
// round(clamp(v, 0, 1)·255) with halves rounded up; NaN becomes 0. It is the
// exact inverse of the k/255 that turns decoded 8-bit video into frames, so
// a decoded frame quantises back to the samples FFmpeg decoded.
// It panics if c is not a channel of f.
func Quantize(f frame.Frame, c int) Plane8 {
	if c < 0 || c >= f.C {
		panic(fmt.Sprintf("metrics: Quantize channel %d of a %s frame", c, f.Shape()))
	}
	p := NewPlane8(f.W, f.H)
	for i, v := range f.Plane(c) {
		p.Pix[i] = quantize8(v)
	}
	return p
}

func quantize8(v float32) uint8 {
	switch {
	case !(v > 0): // also NaN
		return 0
	case v >= 1:
		return 255
	}
	return uint8(math.Floor(float64(v)*255 + 0.5))
}

// Planes8 returns every channel of f quantised by [Quantize], in f's order:
// [Y] for gray frames, [R, G, B] for RGB frames. FFmpeg's planar RGB format
// gbrp stores the same planes in the order G, B, R (and prints them as R, G, B).
func Planes8(f frame.Frame) []Plane8 {
	ps := make([]Plane8, f.C)
	for c := range ps {
		ps[c] = Quantize(f, c)
	}
	return ps
}

// checkPlanes checks that deg and ref hold the same number of valid planes
// of matching sizes, each at least min×min.
func checkPlanes(op string, deg, ref []Plane8, min int) error {
	if len(deg) == 0 || len(deg) != len(ref) {
		return fmt.Errorf("metrics: %s: %d degraded and %d reference planes", op, len(deg), len(ref))
	}
	for i := range deg {
		for _, p := range []Plane8{deg[i], ref[i]} {
			if err := p.validate(); err != nil {
				return fmt.Errorf("metrics: %s: plane %d: %w", op, i, err)
			}
		}
		if deg[i].W != ref[i].W || deg[i].H != ref[i].H {
			return fmt.Errorf("metrics: %s: plane %d is %dx%d degraded but %dx%d reference",
				op, i, deg[i].W, deg[i].H, ref[i].W, ref[i].H)
		}
		if deg[i].W < min || deg[i].H < min {
			return fmt.Errorf("metrics: %s: plane %d is %dx%d, needs at least %dx%d",
				op, i, deg[i].W, deg[i].H, min, min)
		}
	}
	return nil
}

// planeWeights returns each plane's share of all samples, as FFmpeg weights
// planes in its combined SSIM and PSNR.
func planeWeights(ps []Plane8) []float64 {
	var sum int
	for _, p := range ps {
		sum += p.W * p.H
	}
	w := make([]float64, len(ps))
	for i, p := range ps {
		w[i] = float64(p.H) * float64(p.W) / float64(sum)
	}
	return w
}
