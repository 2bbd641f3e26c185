package train

import "math"

// Rate returns the learning rate of the update made at step (1 for the
// first) of a run of total steps: a linear rise over the first Warmup
// steps (LR·step/Warmup), then LR for a constant schedule, or for a cosine
// one MinLR + (LR−MinLR)·(1+cos(π·p))/2 with p going from 0 at the first
// step after the warm-up to 1 at the last.
func (o Optimizer) Rate(step, total int64) float64 {
	if step <= o.Warmup {
		return o.LR * float64(step) / float64(o.Warmup)
	}
	if o.Schedule != "cosine" {
		return o.LR
	}
	span := total - o.Warmup - 1
	if span <= 0 {
		return o.LR
	}
	p := math.Min(1, float64(step-o.Warmup-1)/float64(span))
	return o.MinLR + (o.LR-o.MinLR)*(1+math.Cos(math.Pi*p))/2
}
