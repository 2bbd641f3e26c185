package evaluate

import (
	"fmt"
	"math"
	"strings"

	"framepred/losses"
	"framepred/metrics"
)

// SchemaVersion is the version of the report's JSON and CSV layout. Field
// names and meanings do not change within a version.
const SchemaVersion = 1

// Report is the result of Run: every model's metrics at every horizon step,
// and what they were measured on.
type Report struct {
	Version  int           `json:"version"`     // SchemaVersion
	Horizon  int           `json:"horizon"`     // steps forecast from each context
	Samples  int           `json:"samples"`     // clips evaluated
	Batch    int           `json:"batch"`       // clips per rollout call
	Seed     int64         `json:"seed"`        // Options.Seed, handed to the data
	PSNRCap  float64       `json:"psnr_cap_db"` // per-sample cap on PSNR and sharpness difference
	Baseline string        `json:"baseline"`    // the MSE model the others are compared with
	Data     DataInfo      `json:"data"`
	Models   []ModelReport `json:"models"`
	Notes    []string      `json:"notes"` // explanations of step 1, see the package documentation
}

// ModelReport is one model's metrics, Steps[t] for horizon step t+1.
type ModelReport struct {
	Name  string        `json:"name"`
	Info  ModelInfo     `json:"info"`
	Steps []StepMetrics `json:"steps"`
}

// StepMetrics holds one model's metrics at one horizon step, each a mean
// over the N clips unless said otherwise. A metric that could not be
// measured is NaN.
type StepMetrics struct {
	Step int `json:"step"` // 1 is the first forecast frame
	N    int `json:"n"`    // clips

	MSE            Value `json:"mse"`
	MAE            Value `json:"mae"`
	PSNRMean       Value `json:"psnr_mean_db"`        // mean of per-sample PSNR (capped)
	PSNROfMeanMSE  Value `json:"psnr_of_mean_mse_db"` // PSNR of the mean MSE (capped)
	SSIM           Value `json:"ssim"`                // Gaussian SSIM on luma; NaN below 11×11
	SharpnessRatio Value `json:"sharpness_ratio"`     // mean gradient of predictions over that of truths
	SharpnessDiff  Value `json:"sharpness_diff_db"`   // mean sharpness difference (capped)
	Peak           Value `json:"peak"`                // mean peak intensity of the predictions

	Branched       int   `json:"branched"`        // clips whose possible futures are known
	AveragingIndex Value `json:"averaging_index"` // mean over branched clips; NaN if none
	CommittedShare Value `json:"committed_share"` // share of branched clips committed; NaN if none
}

// Summary returns the step's metrics as a metrics.Summary named name, for
// its String and ExplainPSNR.
func (m StepMetrics) Summary(name string) metrics.Summary {
	return metrics.Summary{
		Name: name, N: m.N,
		MeanPSNR: float64(m.PSNRMean), PSNROfMeanMSE: float64(m.PSNROfMeanMSE), MeanSSIM: float64(m.SSIM),
		Branched: m.Branched, MeanAveragingIndex: float64(m.AveragingIndex), CommittedShare: float64(m.CommittedShare),
		MeanPeak: float64(m.Peak), SharpnessRatio: float64(m.SharpnessRatio),
	}
}

// Summaries returns every model's metrics at horizon step (1-based), in
// report order. It panics if step is out of range.
func (r *Report) Summaries(step int) []metrics.Summary {
	if step < 1 || step > r.Horizon {
		panic(fmt.Sprintf("evaluate: Summaries of step %d of a %d-step report", step, r.Horizon))
	}
	out := make([]metrics.Summary, len(r.Models))
	for i, m := range r.Models {
		out[i] = m.Steps[step-1].Summary(m.Name)
	}
	return out
}

// baselineIndex returns the index of the baseline model, or -1.
func (r *Report) baselineIndex() int {
	for i, m := range r.Models {
		if m.Name == r.Baseline {
			return i
		}
	}
	return -1
}

// notes explains step 1 against the baseline: every model that the two
// PSNR averages rank differently from it, then every model's sharpness.
func (r *Report) notes() []string {
	notes := []string{}
	b := r.baselineIndex()
	if b < 0 {
		return notes
	}
	sums := r.Summaries(1)
	for i := range sums {
		if i == b {
			continue
		}
		if s := sums[b].ExplainPSNR(sums[i]); s != "" {
			notes = append(notes, s+".")
		}
	}
	for i, m := range r.Models {
		if i == b {
			continue
		}
		if s := sharpnessNote(m.Name, r.Models[b].Name, m.Steps[0], r.Models[b].Steps[0]); s != "" {
			notes = append(notes, s)
		}
	}
	return notes
}

// sharpnessNote says whether model m is sharper than baseline b at one
// step: its sharpness ratio closer to 1 (in the log) and its sharpness
// difference higher. When it is not and the futures are known, it points to
// the measures that do see averaging.
func sharpnessNote(mName, bName string, m, b StepMetrics) string {
	mr, br := float64(m.SharpnessRatio), float64(b.SharpnessRatio)
	md, bd := float64(m.SharpnessDiff), float64(b.SharpnessDiff)
	if !(mr >= 0 && br >= 0) || math.IsNaN(md) || math.IsNaN(bd) { // a flat frame's ratio 0 is as far from 1 as can be
		return ""
	}
	ratioBetter := math.Abs(math.Log(mr)) < math.Abs(math.Log(br))
	diffBetter := md > bd
	figures := fmt.Sprintf("sharpness ratio %s vs %s (1 is as much gradient as the truth), sharpness difference %s vs %s dB (higher is closer)",
		format(mr, 3), format(br, 3), format(md, 2), format(bd, 2))
	if ratioBetter && diffBetter {
		return fmt.Sprintf("Step 1: %s is sharper than %s by both gradient measures: %s.", mName, bName, figures)
	}
	var by string
	switch {
	case ratioBetter:
		by = "not by the sharpness difference"
	case diffBetter:
		by = "not by the sharpness ratio"
	default:
		by = "by neither gradient measure"
	}
	s := fmt.Sprintf("Step 1: %s does not beat %s on sharpness (%s): %s", mName, bName, by, figures)
	if m.Branched > 0 && b.Branched > 0 {
		s += fmt.Sprintf("; gradients cannot tell two half-bright copies of an object from one full copy, "+
			"so read the averaging index (%s vs %s) and the peak intensity (%s vs %s), which can",
			format(float64(m.AveragingIndex), 3), format(float64(b.AveragingIndex), 3),
			format(float64(m.Peak), 2), format(float64(b.Peak), 2))
	}
	return s + "."
}

// format writes v with prec decimals, "-" for NaN and "+Inf" or "-Inf".
func format(v float64, prec int) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return fmt.Sprintf("%.*f", prec, v)
}

// isMSE reports whether a loss names plain MSE: a combination in
// losses.ParseWeights syntax whose only positive weight is MSE's
// ("mse=1", "mse=1,adv=0"), or the label "MSE" in any case.
func isMSE(loss string) bool {
	if w, err := losses.ParseWeights(loss); err == nil {
		return w.Weight(losses.TermMSE) > 0 && w.Label() == "MSE"
	}
	return strings.EqualFold(strings.TrimSpace(loss), "mse")
}
