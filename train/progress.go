package train

import (
	"time"

	"framepred/metrics"
)

// The phases of a run, in order. A run without an adversarial term is all
// PhaseRecon.
const (
	// PhaseRecon trains the predictor on the reconstruction terms only
	// (every term but adv); the discriminator rests.
	PhaseRecon = "recon"
	// PhaseDisc trains the discriminator only, against the predictions of
	// the frozen predictor (or, with Config.DWarmupTrainsG, of a predictor
	// still trained on the reconstruction terms).
	PhaseDisc = "disc"
	// PhaseJoint alternates: the predictor on its whole objective, then the
	// discriminator on that step's prediction.
	PhaseJoint = "joint"
)

// Term is the value of one loss term, unweighted.
type Term struct {
	Name  string
	Value float64
}

// Progress reports one finished step to Options.Progress.
type Progress struct {
	Step, Steps int64 // steps done, and in the whole run
	Phase       string

	Terms []Term  // the predictor's terms this step, in the order of the weights; nil when it was frozen
	Loss  float64 // their weighted total
	DLoss float64 // the discriminator's loss; 0 when it did not train

	LRG, LRD     float64 // learning rates of this step's updates (0: no update)
	ImagesPerSec float64 // training clips per second, this step

	Elapsed time.Duration // training time so far, across resumes
	ETA     time.Duration // estimated time to the last step

	Val        *Validation // set when this step was validated
	Checkpoint string      // set when this step was saved
}

// Validation is the result of one evaluation on the validation clips.
type Validation struct {
	Step int64
	// Loss is the weighted total of the reconstruction terms (every term
	// but adv) on the raw predictions, averaged over the clips; without
	// such terms, the MSE of the clamped predictions. Best checkpoints
	// are chosen by it.
	Loss  float64
	Terms []Term // each reconstruction term, unweighted
	// Metrics measures the clamped predictions against the clips' next
	// frames (and, for synthetic data, all their possible futures).
	Metrics metrics.Summary
}

// Result says how a run ended.
type Result struct {
	Step       int64       // steps done
	Checkpoint string      // the last checkpoint written
	Best       string      // best.safetensors, "" if never validated
	BestVal    float64     // its validation loss; +Inf if never validated
	Val        *Validation // the last validation, nil if none
}
