package ops

import "math"

// gdlTerm returns ||db| - |da||^alpha and its derivatives with respect to
// da and db, for the differences da of a and db of b.
func gdlTerm(da, db, alpha float64) (t, dda, ddb float64) {
	u := math.Abs(db) - math.Abs(da)
	au := math.Abs(u)
	var k float64 // d|u|^alpha / du
	if alpha == 1 {
		t, k = au, sign(u)
	} else {
		t = math.Pow(au, alpha)
		if au > 0 {
			k = alpha * math.Pow(au, alpha-1) * sign(u)
		}
	}
	return t, -k * sign(da), k * sign(db)
}

// gdlForward evaluates GradDiff over the h×w planes of a and b.
func gdlForward[T Float](a, b []T, h, w int, alpha float64) float64 {
	planes := len(a) / (h * w)
	sx := make([]float64, planes)
	sy := make([]float64, planes)
	parallelUnits(planes, h*w, func(lo, hi int) {
		for q := lo; q < hi; q++ {
			pa, pb := a[q*h*w:][:h*w], b[q*h*w:][:h*w]
			var x, y float64
			for r := 0; r < h; r++ {
				for c := 0; c < w; c++ {
					i := r*w + c
					if c+1 < w {
						t, _, _ := gdlTerm(float64(pa[i+1]-pa[i]), float64(pb[i+1]-pb[i]), alpha)
						x += t
					}
					if r+1 < h {
						t, _, _ := gdlTerm(float64(pa[i+w]-pa[i]), float64(pb[i+w]-pb[i]), alpha)
						y += t
					}
				}
			}
			sx[q], sy[q] = x, y
		}
	})
	var x, y float64
	for q := range sx {
		x += sx[q]
		y += sy[q]
	}
	return x/float64(planes*h*(w-1)) + y/float64(planes*(h-1)*w)
}

// gdlBackward writes g·∂GradDiff/∂a (wrt 0) or ∂/∂b (wrt 1) into out.
func gdlBackward[T Float](a, b []T, h, w int, alpha float64, wrt int, g float64, out []T) {
	planes := len(a) / (h * w)
	cx := g / float64(planes*h*(w-1))
	cy := g / float64(planes*(h-1)*w)
	parallelUnits(planes, h*w, func(lo, hi int) {
		for q := lo; q < hi; q++ {
			pa, pb, po := a[q*h*w:][:h*w], b[q*h*w:][:h*w], out[q*h*w:][:h*w]
			clear(po)
			for r := 0; r < h; r++ {
				for c := 0; c < w; c++ {
					i := r*w + c
					if c+1 < w {
						_, da, db := gdlTerm(float64(pa[i+1]-pa[i]), float64(pb[i+1]-pb[i]), alpha)
						e := cx * pick(wrt, da, db)
						po[i+1] += T(e)
						po[i] -= T(e)
					}
					if r+1 < h {
						_, da, db := gdlTerm(float64(pa[i+w]-pa[i]), float64(pb[i+w]-pb[i]), alpha)
						e := cy * pick(wrt, da, db)
						po[i+w] += T(e)
						po[i] -= T(e)
					}
				}
			}
		}
	})
}

func pick(wrt int, da, db float64) float64 {
	if wrt == 0 {
		return da
	}
	return db
}
