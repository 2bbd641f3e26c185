package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"framepred/model"
)

// phase returns the phase of step s (1 for the first).
func (c Config) phase(s int64) string {
	switch {
	case !c.adversarial() || s <= c.ReconWarmup:
		return PhaseRecon
	case s <= c.ReconWarmup+c.DWarmup:
		return PhaseDisc
	}
	return PhaseJoint
}

// Run trains until the last step, validating and saving checkpoints on
// the way, and saves the last step. When ctx is cancelled it finishes the
// step under way, saves a checkpoint and returns an error wrapping
// ctx.Err() (context.Canceled for Ctrl-C). A loss or weight that becomes
// NaN or infinite stops it with a *NonFiniteError and nothing saved.
func (t *Trainer) Run(ctx context.Context) (Result, error) {
	for t.step < t.cfg.Steps {
		if err := ctx.Err(); err != nil {
			return t.interrupted(err)
		}
		if err := t.trainStep(); err != nil {
			// The caller reports the error; train.jsonl only records it.
			var nf *NonFiniteError
			if errors.As(err, &nf) {
				t.jl.write(Record{Type: RecordStop, Step: nf.Step, Error: err.Error(), Wall: t.wall()})
			}
			return t.result(), err
		}
	}
	if t.savedStep() != t.step {
		if err := t.save(math.NaN()); err != nil {
			return t.result(), err
		}
	}
	t.log.Info("training done", "step", t.step, "checkpoint", t.lastCkpt, "best_val", t.best)
	return t.result(), nil
}

// savedStep is the step of the last checkpoint written, -1 if none.
func (t *Trainer) savedStep() int64 {
	if t.lastCkpt == "" {
		return -1
	}
	return t.lastCkptStep
}

func (t *Trainer) result() Result {
	r := Result{Step: t.step, Checkpoint: t.lastCkpt, Best: t.bestPath, BestVal: t.best, Val: t.lastVal}
	return r
}

// interrupted saves the state after the last whole step and returns the
// cancellation.
func (t *Trainer) interrupted(cause error) (Result, error) {
	if t.savedStep() != t.step {
		if err := t.save(math.NaN()); err != nil {
			return t.result(), errors.Join(fmt.Errorf("train: interrupted after step %d and could not save it: %w", t.step, err), cause)
		}
	}
	t.log.Info("training interrupted", "step", t.step, "checkpoint", t.lastCkpt)
	t.jl.write(Record{Type: RecordStop, Step: t.step, Error: cause.Error(), Wall: t.wall()})
	return t.result(), fmt.Errorf("train: interrupted after step %d, saved %s: %w", t.step, t.lastCkpt, cause)
}

// save writes a step checkpoint, syncing the log first so it holds every
// step the checkpoint does.
func (t *Trainer) save(val float64) error {
	c, err := t.snapshot(val)
	if err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	if err := t.jl.sync(); err != nil {
		return fmt.Errorf("train: log: %w", err)
	}
	path, err := t.dir.Save(c)
	if err != nil {
		return err
	}
	t.lastCkpt, t.lastCkptStep = path, t.step
	return t.jl.write(Record{Type: RecordCheckpoint, Step: t.step, Path: path, Wall: t.wall()})
}

// trainStep runs step t.step+1 and everything after it: log, progress,
// validation, checkpoint.
func (t *Trainer) trainStep() error {
	s := t.step + 1
	if t.beforeStep != nil {
		t.beforeStep(s)
	}
	start := time.Now()
	phase := t.cfg.phase(s)
	trainG := phase != PhaseDisc || t.cfg.DWarmupTrainsG
	trainD := phase != PhaseRecon

	clips, err := t.data.next(t.cfg.Batch)
	if err != nil {
		return err
	}
	x, y, err := model.Batch(clips)
	if err != nil {
		return fmt.Errorf("train: step %d: %w", s, err)
	}
	roll := 0
	if trainD && t.cfg.Mismatch > 0 {
		roll = 1 + t.rng.IntN(t.cfg.Batch-1)
	}
	if err := t.exec.load(x, y, roll); err != nil {
		return err
	}

	var g lossOut
	if trainG {
		if g, err = t.exec.gen(phase == PhaseJoint); err != nil {
			return err
		}
	} else if err := t.exec.predict(); err != nil {
		return err
	}
	var dLoss float64
	if trainD {
		if dLoss, err = t.exec.disc(); err != nil {
			return err
		}
	}
	// Check the losses before any update, so a bad step changes nothing.
	for i, v := range g.terms {
		if !finite(v) {
			return &NonFiniteError{Step: s, What: "term " + g.names[i], Value: v, LastGood: t.lastCkpt}
		}
	}
	if !finite(g.total) {
		return &NonFiniteError{Step: s, What: "total", Value: g.total, LastGood: t.lastCkpt}
	}
	if !finite(dLoss) {
		return &NonFiniteError{Step: s, What: "discriminator loss", Value: dLoss, LastGood: t.lastCkpt}
	}
	var lrG, lrD float64
	if trainG {
		lrG = t.cfg.G.Rate(s, t.cfg.Steps)
		t.adamG.LR = lrG
		if err := t.exec.updateG(t.adamG); err != nil {
			return fmt.Errorf("train: step %d: %w", s, err)
		}
		if err := checkWeights(s, "predictor", t.pred.Params(), t.lastCkpt); err != nil {
			return err
		}
	}
	if trainD {
		lrD = t.cfg.D.Rate(s, t.cfg.Steps)
		t.adamD.LR = lrD
		if err := t.exec.updateD(t.adamD); err != nil {
			return fmt.Errorf("train: step %d: %w", s, err)
		}
		if err := checkWeights(s, "discriminator", t.disc.Params(), t.lastCkpt); err != nil {
			return err
		}
	}
	t.step = s

	secs := time.Since(start).Seconds()
	if old, ok := t.stepTime[phase]; ok {
		t.stepTime[phase] = 0.9*old + 0.1*secs
	} else {
		t.stepTime[phase] = secs
	}
	p := Progress{
		Step: s, Steps: t.cfg.Steps, Phase: phase, Loss: g.total, DLoss: dLoss, LRG: lrG, LRD: lrD,
		ImagesPerSec: float64(t.cfg.Batch) / secs, Elapsed: t.elapsedNow(), ETA: t.eta(phase),
	}
	rec := Record{Type: RecordStep, Step: s, Phase: phase, Total: g.total, DLoss: dLoss, LRG: lrG, LRD: lrD,
		ImagesPerSec: p.ImagesPerSec, Wall: p.Elapsed.Seconds()}
	if trainG {
		rec.Terms = map[string]float64{}
		for i, name := range g.names {
			p.Terms = append(p.Terms, Term{Name: name, Value: g.terms[i]})
			rec.Terms[name] = g.terms[i]
		}
	}
	if err := t.jl.write(rec); err != nil {
		return err
	}

	val := math.NaN()
	if len(t.val) > 0 && (s == t.cfg.Steps || t.cfg.ValEvery > 0 && s%t.cfg.ValEvery == 0) {
		v, err := t.validate()
		if err != nil {
			return err
		}
		val, p.Val = v.Loss, v
	}
	if s == t.cfg.Steps || t.cfg.CheckpointEvery > 0 && s%t.cfg.CheckpointEvery == 0 {
		if err := t.save(val); err != nil {
			return err
		}
		p.Checkpoint = t.lastCkpt
	}
	if t.opts.Progress != nil {
		t.opts.Progress(p)
	}
	return nil
}

// checkWeights reports the first parameter with a value that is not finite.
func checkWeights(s int64, who string, ps []model.Param, lastGood string) error {
	for _, q := range ps {
		for _, v := range q.Value.Float32s() {
			if x := float64(v); !finite(x) {
				return &NonFiniteError{Step: s, What: who + " weight " + q.Name, Value: x, LastGood: lastGood}
			}
		}
	}
	return nil
}

// eta estimates the time to the last step from each phase's smoothed step
// time (a phase not seen yet is estimated by the current one).
func (t *Trainer) eta(current string) time.Duration {
	secs := 0.0
	for s := t.step + 1; s <= t.cfg.Steps; {
		ph := t.cfg.phase(s)
		end := t.cfg.Steps
		switch ph {
		case PhaseRecon:
			if t.cfg.adversarial() {
				end = min(end, t.cfg.ReconWarmup)
			}
		case PhaseDisc:
			end = min(end, t.cfg.ReconWarmup+t.cfg.DWarmup)
		}
		per, ok := t.stepTime[ph]
		if !ok {
			per = t.stepTime[current]
		}
		secs += float64(end-s+1) * per
		s = end + 1
	}
	return time.Duration(secs * float64(time.Second))
}
