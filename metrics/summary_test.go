package metrics

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"framepred/frame"
)

// summarize feeds four samples, truth alternating between the two futures,
// with predict choosing the prediction for each truth.
func summarize(name string, predict func(truth frame.Frame) frame.Frame) Summary {
	a, b := twoFutures()
	var acc Accumulator
	for _, truth := range []frame.Frame{a, b, a, b} {
		acc.Add(predict(truth), truth, []frame.Frame{a, b})
	}
	return acc.Summary(name)
}

func TestSummary(t *testing.T) {
	a, b := twoFutures()
	mean := MeanFrame([]frame.Frame{a, b})
	// The MSE model predicts the mean; the committed one always a dimmed
	// square a (0.9), right half the time.
	mse := summarize("mse", func(frame.Frame) frame.Frame { return mean })
	committed := summarize("committed", func(frame.Frame) frame.Frame { return scaled(a, 0.9) })

	// Hand computations, MSEs over 1024 pixels:
	//  mse: 32·(1/4) against either truth, 10·log10(128) dB both ways.
	//  committed: 16·0.01 when right, 16·0.81 + 16 when wrong:
	//   mean PSNR ½(10·log10(1024/0.16) + 10·log10(1024/28.96)) = 26.7734 dB,
	//   PSNR of the mean 10·log10(2048/29.12) = 18.4714 dB;
	//   index 0.16/(0.16 + 16·0.16 + 16·0.25) = 1/42 on every sample.
	tests := []struct {
		name      string
		got, want Summary
	}{
		{"mse", mse, Summary{Name: "mse", N: 4, MeanPSNR: 21.072099696478684, PSNROfMeanMSE: 21.072099696478684,
			MeanSSIM: (SSIM(mean, a) + SSIM(mean, b)) / 2, Branched: 4, MeanAveragingIndex: 1, CommittedShare: 0,
			MeanPeak: 0.5, SharpnessRatio: 1}},
		{"committed", committed, Summary{Name: "committed", N: 4, MeanPSNR: 26.773406865492948, PSNROfMeanMSE: 18.471385816627933,
			MeanSSIM: (SSIM(scaled(a, 0.9), a) + SSIM(scaled(a, 0.9), b)) / 2, Branched: 4, MeanAveragingIndex: 1.0 / 42,
			CommittedShare: 1, MeanPeak: 0.9, SharpnessRatio: 0.9}},
	}
	const tol = 1e-6 // float32 0.9 is 0.9 − 2.4e-8
	for _, tc := range tests {
		g, w := tc.got, tc.want
		if g.Name != w.Name || g.N != w.N || g.Branched != w.Branched {
			t.Errorf("%s: got %+v, want %+v", tc.name, g, w)
		}
		for _, f := range []struct {
			field     string
			got, want float64
		}{
			{"MeanPSNR", g.MeanPSNR, w.MeanPSNR}, {"PSNROfMeanMSE", g.PSNROfMeanMSE, w.PSNROfMeanMSE},
			{"MeanSSIM", g.MeanSSIM, w.MeanSSIM}, {"MeanAveragingIndex", g.MeanAveragingIndex, w.MeanAveragingIndex},
			{"CommittedShare", g.CommittedShare, w.CommittedShare}, {"MeanPeak", g.MeanPeak, w.MeanPeak},
			{"SharpnessRatio", g.SharpnessRatio, w.SharpnessRatio},
		} {
			if !near(f.got, f.want, tol) {
				t.Errorf("%s: %s = %.10g, want %.10g", tc.name, f.field, f.got, f.want)
			}
		}
	}

	wantLine := fmt.Sprintf("mse: n=4, PSNR 21.07 dB mean per sample, 21.07 dB of mean MSE, SSIM %.4f, "+
		"averaging index 1.000, committed 0.0%%, peak 0.50, sharpness ratio 1.00", mse.MeanSSIM)
	if got := mse.String(); got != wantLine {
		t.Errorf("String() =\n%s\nwant\n%s", got, wantLine)
	}

	// The two PSNR averages rank these two models differently, and the
	// explanation names which leads where, whichever way round it is asked.
	why := committed.ExplainPSNR(mse)
	for _, part := range []string{
		"committed leads on mean per-sample PSNR (26.77 vs 21.07 dB)",
		"but mse on PSNR of the mean MSE (21.07 vs 18.47 dB)",
		"favours committing", "second averaging",
	} {
		if !strings.Contains(why, part) {
			t.Errorf("ExplainPSNR = %q, missing %q", why, part)
		}
	}
	if other := mse.ExplainPSNR(committed); other != why {
		t.Errorf("ExplainPSNR depends on the order:\n%s\n%s", other, why)
	}
	if strings.Contains(why, "\n") {
		t.Errorf("ExplainPSNR spans lines: %q", why)
	}
	// A blank model is worse both ways than the MSE model: nothing to explain.
	blank := summarize("blank", func(frame.Frame) frame.Frame { return frame.New(1, 32, 32) })
	if got := mse.ExplainPSNR(blank); got != "" {
		t.Errorf("ExplainPSNR of agreeing summaries = %q, want empty", got)
	}
}

func TestSummaryEdgeCases(t *testing.T) {
	var empty Accumulator
	s := empty.Summary("")
	if s.N != 0 || !math.IsNaN(s.MeanPSNR) || !math.IsNaN(s.PSNROfMeanMSE) || !math.IsNaN(s.MeanSSIM) ||
		!math.IsNaN(s.MeanAveragingIndex) || !math.IsNaN(s.CommittedShare) || !math.IsNaN(s.MeanPeak) ||
		!math.IsNaN(s.SharpnessRatio) {
		t.Errorf("empty summary = %+v, want N 0 and NaN fields", s)
	}

	// No branches and frames too small for SSIM: those fields stay NaN and
	// the line leaves the branch metrics out.
	var acc Accumulator
	acc.Add(gray(2, 2, 0, 1, 0, 1), gray(2, 2, 0, 1, 0, 1), nil)
	s = acc.Summary("small")
	if s.Branched != 0 || !math.IsNaN(s.MeanAveragingIndex) || !math.IsNaN(s.CommittedShare) || !math.IsNaN(s.MeanSSIM) {
		t.Errorf("summary without branches = %+v", s)
	}
	if !math.IsInf(s.MeanPSNR, 1) || s.SharpnessRatio != 1 || s.MeanPeak != 1 {
		t.Errorf("summary of an exact prediction = %+v, want +Inf PSNR, sharpness 1, peak 1", s)
	}
	if line := s.String(); strings.Contains(line, "committed") || !strings.Contains(line, "PSNR +Inf dB mean per sample") {
		t.Errorf("String() = %q", line)
	}

	// A sample that panics (a branch of the wrong shape) is not half counted.
	var bad Accumulator
	func() {
		defer func() { _ = recover() }()
		bad.Add(frame.New(1, 32, 32), frame.New(1, 32, 32), []frame.Frame{frame.New(1, 16, 16)})
		t.Error("Add with a mismatched branch did not panic")
	}()
	if got := bad.Summary(""); got.N != 0 || got.Branched != 0 {
		t.Errorf("after a panicking Add the summary counts %d samples, %d branched", got.N, got.Branched)
	}
}
