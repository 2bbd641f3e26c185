package metrics

import (
	"math"

	"framepred/frame"
)

// MeanFrame returns the pixelwise mean of frames: for the branches of a
// clip, the prediction that minimises the expected MSE when every branch is
// equally likely, the blurred ghost of an MSE-trained model.
// It panics if frames is empty or the shapes differ.
func MeanFrame(frames []frame.Frame) frame.Frame {
	if len(frames) == 0 {
		panic("metrics: MeanFrame of no frames")
	}
	sum := make([]float64, len(frames[0].Pix))
	for _, f := range frames {
		mustSameShape("MeanFrame", frames[0], f)
		for i, v := range f.Pix {
			sum[i] += float64(v)
		}
	}
	m := frame.New(frames[0].C, frames[0].H, frames[0].W)
	for i, s := range sum {
		m.Pix[i] = float32(s / float64(len(frames)))
	}
	return m
}

// NearestBranch returns the index of the branch closest to pred in MSE and
// that MSE; on a tie the lower index wins. It panics if branches is empty or
// the shapes differ.
func NearestBranch(pred frame.Frame, branches []frame.Frame) (int, float64) {
	if len(branches) == 0 {
		panic("metrics: NearestBranch of no branches")
	}
	best, bestMSE := 0, math.Inf(1)
	for i, b := range branches {
		if m := MSE(pred, b); m < bestMSE {
			best, bestMSE = i, m
		}
	}
	return best, bestMSE
}

// AveragingIndex places pred between the possible futures and their mean:
// MSE(pred, nearest branch) / (MSE(pred, nearest branch) + MSE(pred, mean of
// the branches)). It is 0 on a branch, 1 on the mean, 1/2 halfway, and
// rises as a prediction blurs the branches together. When pred equals both
// its nearest branch and the mean (0/0, possible only if that branch is the
// mean), it is 0: the prediction is a possible future.
// It panics if branches is empty or the shapes differ.
func AveragingIndex(pred frame.Frame, branches []frame.Frame) float64 {
	near, mean := branchDistances(pred, branches)
	return averagingIndex(near, mean)
}

func averagingIndex(near, mean float64) float64 {
	if near+mean == 0 {
		return 0
	}
	return near / (near + mean)
}

// Committed reports whether pred is closer in MSE to one of the branches
// than to their mean: AveragingIndex(pred, branches) < 1/2, except that when
// pred equals a branch that equals the mean nothing is committed to. A
// blurred average is not committed.
// It panics if branches is empty or the shapes differ.
func Committed(pred frame.Frame, branches []frame.Frame) bool {
	near, mean := branchDistances(pred, branches)
	return near < mean
}

// branchDistances returns MSE(pred, nearest branch) and MSE(pred, mean of
// the branches).
func branchDistances(pred frame.Frame, branches []frame.Frame) (near, mean float64) {
	_, near = NearestBranch(pred, branches)
	return near, MSE(pred, MeanFrame(branches))
}

// PeakIntensity returns the largest value of f. A white object predicted at
// one place keeps its peak of 1; averaged over two places it drops to 1/2,
// and blur lowers it further. It panics if f has no values.
func PeakIntensity(f frame.Frame) float64 {
	if len(f.Pix) == 0 {
		panic("metrics: PeakIntensity of an empty frame")
	}
	m := f.Pix[0]
	for _, v := range f.Pix[1:] {
		if v > m {
			m = v
		}
	}
	return float64(m)
}
