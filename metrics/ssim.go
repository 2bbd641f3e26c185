package metrics

import (
	"fmt"
	"math"

	"framepred/frame"
)

// SSIMWindow is the side of SSIM's Gaussian window: frames compared with
// [SSIM] must be at least this wide and high.
const SSIMWindow = 11

const (
	ssimSigma = 1.5
	ssimK1    = 0.01
	ssimK2    = 0.03
)

// ssimWeights is the normalised 1-D Gaussian (σ = 1.5) whose outer product
// is the 11×11 SSIM window.
var ssimWeights = func() [SSIMWindow]float64 {
	var w [SSIMWindow]float64
	var s float64
	for i := range w {
		d := float64(i - SSIMWindow/2)
		w[i] = math.Exp(-d * d / (2 * ssimSigma * ssimSigma))
		s += w[i]
	}
	for i := range w {
		w[i] /= s
	}
	return w
}()

// SSIM returns the structural similarity of pred and truth (Wang et al.
// 2004), computed on luma: the plane of a gray frame, BT.601 luma
// 0.299 R + 0.587 G + 0.114 B of an RGB frame. It uses the common settings:
// an 11×11 Gaussian window with σ = 1.5, K1 = 0.01, K2 = 0.03 and a dynamic
// range of 1.0, population (not sample) moments, and only windows that fit
// inside the frame, (H−10)·(W−10) of them, averaged. 1 means identical;
// blur lowers it because it removes the variance and covariance of fine
// structure even where the mean brightness is right.
//
// It panics if the shapes differ, if the frames have other than 1 or 3
// channels, or if they are smaller than [SSIMWindow] in either direction.
// [SSIMFFmpeg] computes FFmpeg's variant instead.
func SSIM(pred, truth frame.Frame) float64 {
	mustSameShape("SSIM", pred, truth)
	if pred.H < SSIMWindow || pred.W < SSIMWindow {
		panic(fmt.Sprintf("metrics: SSIM needs frames of at least %d×%d, got %s",
			SSIMWindow, SSIMWindow, pred.Shape()))
	}
	if pred.C != 1 && pred.C != 3 {
		panic(fmt.Sprintf("metrics: SSIM of %d-channel frames (want 1 or 3)", pred.C))
	}
	return ssimGauss(pred, truth)
}

// lumaRow writes row r of f's luma into dst (len f.W): the plane of a
// 1-channel frame, BT.601 luma of an RGB frame.
func lumaRow(f frame.Frame, r int, dst []float64) {
	switch f.C {
	case 1:
		for i, v := range f.Pix[r*f.W : (r+1)*f.W] {
			dst[i] = float64(v)
		}
	case 3:
		n, o := f.H*f.W, r*f.W
		red, green, blue := f.Pix[o:o+f.W], f.Pix[n+o:n+o+f.W], f.Pix[2*n+o:2*n+o+f.W]
		for i := range dst {
			dst[i] = 0.299*float64(red[i]) + 0.587*float64(green[i]) + 0.114*float64(blue[i])
		}
	default:
		panic(fmt.Sprintf("metrics: luma of a %d-channel frame (want 1 or 3)", f.C))
	}
}

// ssimGauss is SSIM of the luma of two frames of the same shape, with the
// separable Gaussian window. It filters each row's five moments (x, y, x²,
// y², xy) horizontally into a ring of 11 rows and combines the ring
// vertically, so it needs O(W) memory whatever the height.
func ssimGauss(pred, truth frame.Frame) float64 {
	const n = SSIMWindow
	w, h := pred.W, pred.H
	ow, oh := w-n+1, h-n+1
	c1 := (ssimK1 * 1.0) * (ssimK1 * 1.0)
	c2 := (ssimK2 * 1.0) * (ssimK2 * 1.0)

	var moments [5][]float64 // one input row of each moment
	for k := range moments {
		moments[k] = make([]float64, w)
	}
	x, y, xx, yy, xy := moments[0], moments[1], moments[2], moments[3], moments[4]
	var ring [5][n][]float64 // ring[k][r mod n]: row r of moment k, filtered horizontally
	var acc [5][]float64     // one output row of each moment, filtered both ways
	for k := range ring {
		for j := range ring[k] {
			ring[k][j] = make([]float64, ow)
		}
		acc[k] = make([]float64, ow)
	}

	var total float64
	for r := range h {
		lumaRow(pred, r, x)
		lumaRow(truth, r, y)
		for i := range w {
			xx[i], yy[i], xy[i] = x[i]*x[i], y[i]*y[i], x[i]*y[i]
		}
		slot := r % n
		for k, m := range moments {
			filterRow(ring[k][slot], m)
		}
		if r < n-1 {
			continue
		}
		// Output row r−(n−1): its window covers input rows r−(n−1) .. r.
		for k := range acc {
			clear(acc[k])
			for j, gj := range ssimWeights {
				in := ring[k][(r+1+j)%n]
				out := acc[k]
				for ox, v := range in {
					out[ox] += gj * v
				}
			}
		}
		var rowSum float64
		for ox := range ow {
			mx, my := acc[0][ox], acc[1][ox]
			vx, vy, cxy := acc[2][ox]-mx*mx, acc[3][ox]-my*my, acc[4][ox]-mx*my
			rowSum += (2*mx*my + c1) * (2*cxy + c2) / ((mx*mx + my*my + c1) * (vx + vy + c2))
		}
		total += rowSum
	}
	return total / float64(ow*oh)
}

// filterRow sets out[i] = Σ_j g_j·in[i+j] for the 11 Gaussian weights g.
func filterRow(out, in []float64) {
	g := ssimWeights
	for i := range out {
		s := in[i : i+SSIMWindow]
		out[i] = g[0]*s[0] + g[1]*s[1] + g[2]*s[2] + g[3]*s[3] + g[4]*s[4] + g[5]*s[5] +
			g[6]*s[6] + g[7]*s[7] + g[8]*s[8] + g[9]*s[9] + g[10]*s[10]
	}
}
