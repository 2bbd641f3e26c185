package metrics

import (
	"fmt"
	"math"
	"strings"

	"framepred/frame"
)

// Accumulator collects metrics over many predicted frames, one sample at a
// time, without keeping the frames. The zero value is ready to use.
type Accumulator struct {
	n                  int
	sumPSNR, sumMSE    float64
	nSSIM              int
	sumSSIM            float64
	nBranched, nCommit int
	sumIndex           float64
	sumPeak            float64
	sumGradPred        float64
	sumGradTruth       float64
}

// Add records one prediction against its truth. branches lists every
// possible future of the sample (truth among them) when they are known, and
// is nil otherwise. SSIM is skipped for frames smaller than [SSIMWindow].
// It panics if the shapes differ or the frames have other than 1 or 3
// channels.
func (a *Accumulator) Add(pred, truth frame.Frame, branches []frame.Frame) {
	// Measure everything first, so that a panic leaves a unchanged.
	if pred.C != 1 && pred.C != 3 {
		panic(fmt.Sprintf("metrics: Accumulator.Add of a %d-channel frame (want 1 or 3)", pred.C))
	}
	mse := MSE(pred, truth)
	withSSIM := pred.H >= SSIMWindow && pred.W >= SSIMWindow
	var ssim float64
	if withSSIM {
		ssim = SSIM(pred, truth)
	}
	var near, mean float64
	if len(branches) > 0 {
		near, mean = branchDistances(pred, branches)
	}

	a.n++
	a.sumMSE += mse
	a.sumPSNR += PSNRFromMSE(mse)
	if withSSIM {
		a.sumSSIM += ssim
		a.nSSIM++
	}
	if len(branches) > 0 {
		a.nBranched++
		a.sumIndex += averagingIndex(near, mean)
		if near < mean {
			a.nCommit++
		}
	}
	a.sumPeak += PeakIntensity(pred)
	a.sumGradPred += GradientMagnitude(pred)
	a.sumGradTruth += GradientMagnitude(truth)
}

// Summary returns the metrics collected so far; name labels them.
func (a *Accumulator) Summary(name string) Summary {
	nan := math.NaN()
	s := Summary{
		Name: name, N: a.n, Branched: a.nBranched,
		MeanPSNR: nan, PSNROfMeanMSE: nan, MeanSSIM: nan,
		MeanAveragingIndex: nan, CommittedShare: nan, MeanPeak: nan, SharpnessRatio: nan,
	}
	if a.n > 0 {
		n := float64(a.n)
		s.MeanPSNR = a.sumPSNR / n
		s.PSNROfMeanMSE = PSNRFromMSE(a.sumMSE / n)
		s.MeanPeak = a.sumPeak / n
		s.SharpnessRatio = sharpnessRatio(a.sumGradPred, a.sumGradTruth)
	}
	if a.nSSIM > 0 {
		s.MeanSSIM = a.sumSSIM / float64(a.nSSIM)
	}
	if a.nBranched > 0 {
		s.MeanAveragingIndex = a.sumIndex / float64(a.nBranched)
		s.CommittedShare = float64(a.nCommit) / float64(a.nBranched)
	}
	return s
}

// Summary holds a model's metrics over many samples. A field that could not
// be measured (no samples, no branches, frames too small for SSIM) is NaN.
type Summary struct {
	Name string // the model or run, for printing
	N    int    // samples

	MeanPSNR      float64 // mean of per-sample PSNR, dB (see MeanPSNR)
	PSNROfMeanMSE float64 // PSNR of the mean per-sample MSE, dB (see PSNROfMeanMSE)
	MeanSSIM      float64 // mean Gaussian SSIM on luma

	Branched           int     // samples whose branches were known
	MeanAveragingIndex float64 // mean AveragingIndex over branched samples
	CommittedShare     float64 // share of branched samples that are Committed

	MeanPeak       float64 // mean PeakIntensity of the predictions
	SharpnessRatio float64 // mean GradientMagnitude of predictions over that of truths
}

// String returns the summary on one line.
func (s Summary) String() string {
	var b strings.Builder
	if s.Name != "" {
		b.WriteString(s.Name + ": ")
	}
	fmt.Fprintf(&b, "n=%d, PSNR %.2f dB mean per sample, %.2f dB of mean MSE, SSIM %.4f",
		s.N, s.MeanPSNR, s.PSNROfMeanMSE, s.MeanSSIM)
	if s.Branched > 0 {
		fmt.Fprintf(&b, ", averaging index %.3f, committed %.1f%%", s.MeanAveragingIndex, 100*s.CommittedShare)
	}
	fmt.Fprintf(&b, ", peak %.2f, sharpness ratio %.2f", s.MeanPeak, s.SharpnessRatio)
	return b.String()
}

// ExplainPSNR returns one line saying why the two PSNR averages rank s and o
// differently, or "" when they agree (or cannot be compared). A model that
// commits to one possible future is nearly exact on some samples and wrong on
// the others; a model trained with MSE predicts the average of the futures,
// which minimises the expected MSE. The mean of per-sample PSNR, a mean of
// logarithms, favours the first; the PSNR of the mean MSE favours the second.
func (s Summary) ExplainPSNR(o Summary) string {
	dMean, dAgg := s.MeanPSNR-o.MeanPSNR, s.PSNROfMeanMSE-o.PSNROfMeanMSE
	if !(dMean*dAgg < 0) { // agree, tie, or NaN
		return ""
	}
	hi, lo := s, o // hi leads on mean per-sample PSNR
	if dMean < 0 {
		hi, lo = o, s
	}
	return fmt.Sprintf("%s leads on mean per-sample PSNR (%.2f vs %.2f dB) but %s on PSNR of the mean MSE "+
		"(%.2f vs %.2f dB): a mean of logarithms rewards the samples %s gets nearly right, "+
		"while the mean MSE is ruled by the worst errors and is lowest for the average of the possible futures; "+
		"the first favours committing to one future, the second averaging them",
		label(hi, "one"), hi.MeanPSNR, lo.MeanPSNR, label(lo, "the other"),
		lo.PSNROfMeanMSE, hi.PSNROfMeanMSE, label(hi, "it"))
}

func label(s Summary, fallback string) string {
	if s.Name == "" {
		return fallback
	}
	return s.Name
}
