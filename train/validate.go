package train

import (
	"fmt"

	"framepred/frame"
	"framepred/metrics"
	"framepred/model"
)

// valChunk is the most validation clips predicted at once.
const valChunk = 128

// validate predicts every validation clip, records the result in the log
// and, when the loss is the lowest so far, saves best.safetensors.
func (t *Trainer) validate() (*Validation, error) {
	v, err := t.evaluate(t.val)
	if err != nil {
		return nil, err
	}
	v.Step = t.step
	if !finite(v.Loss) {
		return nil, &NonFiniteError{Step: t.step, What: "validation loss", Value: v.Loss, LastGood: t.lastCkpt}
	}
	t.lastVal = v
	best := v.Loss < t.best
	if best {
		t.best = v.Loss
		c, err := t.snapshot(v.Loss)
		if err != nil {
			return nil, err
		}
		if t.bestPath, err = t.dir.SaveBest(c); err != nil {
			return nil, err
		}
	}
	m := v.Metrics
	vals := map[string]float64{
		"loss":             v.Loss,
		"psnr":             m.MeanPSNR,
		"psnr_of_mean_mse": m.PSNROfMeanMSE,
		"ssim":             m.MeanSSIM,
		"peak":             m.MeanPeak,
		"sharpness":        m.SharpnessRatio,
	}
	for _, term := range v.Terms {
		vals[term.Name] = term.Value
	}
	attrs := []any{"step", t.step, "loss", v.Loss, "best", best, "psnr", m.MeanPSNR}
	// The branch metrics exist only where the clips' possible futures are
	// known (synthetic data), not on video.
	if m.Branched > 0 {
		vals["averaging_index"], vals["committed"] = m.MeanAveragingIndex, m.CommittedShare
		attrs = append(attrs, "averaging_index", m.MeanAveragingIndex, "committed", m.CommittedShare)
	}
	t.log.Info("validation", attrs...)
	return v, t.jl.write(Record{Type: RecordVal, Step: t.step, Val: finiteOnly(vals), Best: best, Wall: t.wall()})
}

// evaluate predicts clips in chunks and measures the predictions.
func (t *Trainer) evaluate(clips []frame.Clip) (*Validation, error) {
	var acc metrics.Accumulator
	v := &Validation{}
	var sumLoss, sumMSE float64
	var sums []float64
	for lo := 0; lo < len(clips); lo += valChunk {
		chunk := clips[lo:min(lo+valChunk, len(clips))]
		x, y, err := model.Batch(chunk)
		if err != nil {
			return nil, fmt.Errorf("train: validation: %w", err)
		}
		out, fake, err := t.exec.eval(x, y)
		if err != nil {
			return nil, err
		}
		preds, err := model.TensorFrames(fake)
		if err != nil {
			return nil, err
		}
		n := float64(len(chunk))
		sumLoss += n * out.total
		if sums == nil {
			sums = make([]float64, len(out.terms))
			for _, name := range out.names {
				v.Terms = append(v.Terms, Term{Name: name})
			}
		}
		for i, x := range out.terms {
			sums[i] += n * x
		}
		for i, c := range chunk {
			var branches []frame.Frame
			for _, b := range c.Branches {
				branches = append(branches, b[0])
			}
			acc.Add(preds[i], c.Future[0], branches)
			sumMSE += metrics.MSE(preds[i], c.Future[0])
		}
	}
	n := float64(len(clips))
	for i := range v.Terms {
		v.Terms[i].Value = sums[i] / n
	}
	v.Loss = sumLoss / n
	if len(v.Terms) == 0 { // no reconstruction terms: the MSE of what is shown
		v.Loss = sumMSE / n
	}
	v.Metrics = acc.Summary(fmt.Sprintf("step %d", t.step))
	return v, nil
}
