package metrics

import (
	"fmt"
	"math"

	"framepred/frame"
)

// MSE returns the mean squared error between pred and truth over all C·H·W
// values. Blur raises it less than a misplaced sharp edge does: the average
// of two possible futures has a lower expected MSE than either future.
// It panics if the shapes differ.
func MSE(pred, truth frame.Frame) float64 {
	mustSameShape("MSE", pred, truth)
	var s float64
	for i, p := range pred.Pix {
		d := float64(p) - float64(truth.Pix[i])
		s += d * d
	}
	return s / float64(len(pred.Pix))
}

// MAE returns the mean absolute error between pred and truth over all C·H·W
// values. It is the loss whose minimiser is the per-pixel median, so it
// blurs less than MSE but still spreads a moving edge.
// It panics if the shapes differ.
func MAE(pred, truth frame.Frame) float64 {
	mustSameShape("MAE", pred, truth)
	var s float64
	for i, p := range pred.Pix {
		s += math.Abs(float64(p) - float64(truth.Pix[i]))
	}
	return s / float64(len(pred.Pix))
}

// PSNR returns the peak signal-to-noise ratio of pred against truth in dB,
// 10·log10(1/MSE), with the peak value 1.0 of float frames. Identical frames
// give +Inf. Higher is better; blur lowers it only mildly, which is why a
// blurred average can outscore a sharp but misplaced prediction.
// It panics if the shapes differ.
func PSNR(pred, truth frame.Frame) float64 { return PSNRFromMSE(MSE(pred, truth)) }

// PSNRFromMSE converts a mean squared error of values in [0,1] to PSNR in dB:
// 10·log10(1/mse), +Inf for mse = 0.
func PSNRFromMSE(mse float64) float64 {
	if mse == 0 {
		return math.Inf(1)
	}
	return -10 * math.Log10(mse)
}

// MeanPSNR returns the mean of the per-frame PSNR of the given per-frame MSEs:
// a mean of logarithms, which rewards frames that are nearly exact. It is
// +Inf if any MSE is 0 and NaN for no frames.
func MeanPSNR(mses []float64) float64 {
	if len(mses) == 0 {
		return math.NaN()
	}
	var s float64
	for _, m := range mses {
		s += PSNRFromMSE(m)
	}
	return s / float64(len(mses))
}

// PSNROfMeanMSE returns the PSNR of the mean of the given per-frame MSEs, what
// FFmpeg's psnr filter prints as "average" over a video. The worst frames
// dominate it. It is +Inf only if every MSE is 0 and NaN for no frames.
func PSNROfMeanMSE(mses []float64) float64 {
	if len(mses) == 0 {
		return math.NaN()
	}
	var s float64
	for _, m := range mses {
		s += m
	}
	return PSNRFromMSE(s / float64(len(mses)))
}

// mustSameShape panics unless a and b have the same shape and hold C·H·W
// values each: comparing frames of different shapes is a programmer's mistake.
func mustSameShape(op string, a, b frame.Frame) {
	if !a.SameShape(b) || len(a.Pix) != len(b.Pix) || len(a.Pix) != a.C*a.H*a.W {
		panic(fmt.Sprintf("metrics: %s of %s frame (%d values) and %s frame (%d values)",
			op, a.Shape(), len(a.Pix), b.Shape(), len(b.Pix)))
	}
	if len(a.Pix) == 0 {
		panic(fmt.Sprintf("metrics: %s of empty frames", op))
	}
}
