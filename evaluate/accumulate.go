package evaluate

import (
	"math"

	"framepred/frame"
	"framepred/metrics"
)

// stepAcc collects one model's metrics at one horizon step. The
// metrics.Accumulator gives SSIM, sharpness ratio, peak and the branch
// metrics; the rest are summed here, with PSNR and sharpness difference
// capped per sample.
type stepAcc struct {
	acc          metrics.Accumulator
	n            int
	sumMSE       float64
	sumMAE       float64
	sumPSNR      float64 // capped per sample
	sumSharpDiff float64 // capped per sample
}

func (a *stepAcc) add(pred, truth frame.Frame, branches []frame.Frame, capDB float64) {
	a.acc.Add(pred, truth, branches)
	mse := metrics.MSE(pred, truth)
	a.n++
	a.sumMSE += mse
	a.sumMAE += metrics.MAE(pred, truth)
	a.sumPSNR += math.Min(metrics.PSNRFromMSE(mse), capDB)
	a.sumSharpDiff += math.Min(metrics.SharpnessDiff(pred, truth), capDB)
}

// result returns the step's metrics; fields that could not be measured are
// NaN.
func (a *stepAcc) result(name string, step int, capDB float64) StepMetrics {
	s := a.acc.Summary(name)
	m := StepMetrics{
		Step: step, N: a.n, Branched: s.Branched,
		SSIM:           Value(s.MeanSSIM),
		SharpnessRatio: Value(s.SharpnessRatio),
		Peak:           Value(s.MeanPeak),
		AveragingIndex: Value(s.MeanAveragingIndex),
		CommittedShare: Value(s.CommittedShare),
	}
	if a.n == 0 {
		nan := Value(math.NaN())
		m.MSE, m.MAE, m.PSNRMean, m.PSNROfMeanMSE, m.SharpnessDiff = nan, nan, nan, nan, nan
		return m
	}
	n := float64(a.n)
	m.MSE = Value(a.sumMSE / n)
	m.MAE = Value(a.sumMAE / n)
	m.PSNRMean = Value(a.sumPSNR / n)
	m.PSNROfMeanMSE = Value(math.Min(metrics.PSNRFromMSE(a.sumMSE/n), capDB))
	m.SharpnessDiff = Value(a.sumSharpDiff / n)
	return m
}
