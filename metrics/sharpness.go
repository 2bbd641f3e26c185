package metrics

import (
	"math"

	"framepred/frame"
)

// Gradients are forward differences within each channel:
// ∂x f(y,x) = f(y,x+1) − f(y,x) and ∂y f(y,x) = f(y+1,x) − f(y,x).
// The last column has no ∂x and the last row no ∂y.

// GradientMagnitude returns mean|∂x f| + mean|∂y f|, each mean taken over
// the differences that exist: C·H·(W−1) horizontal and C·(H−1)·W vertical
// ones (a frame one pixel wide contributes no horizontal term). Blur lowers
// it where it takes contrast from texture and from features narrower than
// the blur; a single wide edge keeps its total rise when it is spread over
// more pixels, so there it barely moves.
func GradientMagnitude(f frame.Frame) float64 {
	var sx, sy float64
	for c := 0; c < f.C; c++ {
		p := f.Plane(c)
		for y := 0; y < f.H; y++ {
			row := p[y*f.W : (y+1)*f.W]
			for x := 0; x+1 < f.W; x++ {
				sx += math.Abs(float64(row[x+1]) - float64(row[x]))
			}
			if y+1 < f.H {
				next := p[(y+1)*f.W : (y+2)*f.W]
				for x, v := range row {
					sy += math.Abs(float64(next[x]) - float64(v))
				}
			}
		}
	}
	var g float64
	if f.W > 1 {
		g += sx / float64(f.C*f.H*(f.W-1))
	}
	if f.H > 1 {
		g += sy / float64(f.C*(f.H-1)*f.W)
	}
	return g
}

// SharpnessRatio returns GradientMagnitude(pred) / GradientMagnitude(truth):
// 1 when the prediction has as much edge as the truth, below 1 when it is
// blurred. Two half-bright copies of an object have as much total gradient
// as one full copy, so the ratio does not see averaging between two places;
// [AveragingIndex] and [PeakIntensity] do. When truth is flat the ratio is 1
// if pred is flat too and +Inf otherwise. It panics if the shapes differ.
func SharpnessRatio(pred, truth frame.Frame) float64 {
	mustSameShape("SharpnessRatio", pred, truth)
	return sharpnessRatio(GradientMagnitude(pred), GradientMagnitude(truth))
}

func sharpnessRatio(gp, gt float64) float64 {
	if gt == 0 {
		if gp == 0 {
			return 1
		}
		return math.Inf(1)
	}
	return gp / gt
}

// SharpnessDiff returns the sharpness difference of Mathieu et al. (2016) in
// dB, 10·log10(1 / mean|G(truth) − G(pred)|) with the peak value 1.0 and
// G = |∂x| + |∂y| at each pixel. Here ∂x is 0 in the last column and ∂y in
// the last row (the border is continued, not padded with zeros, which would
// invent an edge along it), and the mean runs over all C·H·W values.
// Identical gradients give +Inf; blur lowers it from there. It compares
// gradients where they are, so it is not monotone in blur and it is no
// sharpness measure on its own: a frame without any gradient scores
// 10·log10(1/mean G(truth)), more than many blurred but well placed
// predictions (18.06 dB against 17.09 dB for a 3×3 blur of a 4×4 square).
// It panics if the shapes differ.
func SharpnessDiff(pred, truth frame.Frame) float64 {
	mustSameShape("SharpnessDiff", pred, truth)
	var s float64
	for c := 0; c < pred.C; c++ {
		p, t := pred.Plane(c), truth.Plane(c)
		for y := 0; y < pred.H; y++ {
			for x := 0; x < pred.W; x++ {
				i := y*pred.W + x
				s += math.Abs(pixelGradient(t, i, x, y, pred.W, pred.H) - pixelGradient(p, i, x, y, pred.W, pred.H))
			}
		}
	}
	return PSNRFromMSE(s / float64(len(pred.Pix)))
}

// pixelGradient is |∂x| + |∂y| of the w×h plane p at index i = y·w + x,
// with no difference across the last column or row.
func pixelGradient(p []float32, i, x, y, w, h int) float64 {
	var g float64
	if x+1 < w {
		g += math.Abs(float64(p[i+1]) - float64(p[i]))
	}
	if y+1 < h {
		g += math.Abs(float64(p[i+w]) - float64(p[i]))
	}
	return g
}
