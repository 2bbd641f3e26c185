package gpu

import (
	"errors"
	"time"

	"framepred/cuda"
	"framepred/optim"
)

// UpdateG takes an Adam step on the predictor with the gradients of the
// last Gen, using a's settings and, on the first update, its state (the
// moments of a resumed run). The moments then live on the device; Sync
// writes them back to a. When a weight becomes NaN or infinite, UpdateG
// copies the weights back to the predictor's tensors, so that a check of
// those finds it.
func (e *Executor) UpdateG(a *optim.Adam) error { return e.update(e.pg, a) }

// UpdateD is UpdateG for the discriminator, after Disc.
func (e *Executor) UpdateD(a *optim.Adam) error {
	if e.dg == nil {
		return errors.New("gpu: no discriminator")
	}
	return e.update(e.dg, a)
}

func (e *Executor) update(ar *arena, a *optim.Adam) error {
	t0 := time.Now()
	if !ar.adam {
		if err := ar.loadAdam(e.c, a.State()); err != nil {
			return err
		}
	}
	ar.step++
	s := cuda.NewAdamStep(a.LR, a.Beta1, a.Beta2, a.Eps, a.WeightDecay, ar.step)
	if err := e.start.Record(); err != nil {
		return err
	}
	if err := e.c.Zero(e.bad); err != nil {
		return err
	}
	if err := e.c.Adam(ar.val, ar.grad, ar.m, ar.v, s, e.bad); err != nil {
		return err
	}
	if err := e.end.Record(); err != nil {
		return err
	}
	ar.fresh = true
	bad := []float32{0}
	if err := e.c.CopyOut(bad, e.bad); err != nil {
		return err
	}
	gpu, err := e.c.Elapsed(e.start, e.end)
	if err != nil {
		return err
	}
	e.stats.add("update", gpu, time.Since(t0))
	if bad[0] != 0 {
		return ar.download(e.c)
	}
	return nil
}

// Sync copies the weights the device trained back into the networks'
// tensors and, for each network updated on the device, its Adam moments
// and step count into a (aD may be nil without a discriminator).
func (e *Executor) Sync(aG, aD *optim.Adam) error {
	for _, x := range []struct {
		ar *arena
		a  *optim.Adam
	}{{e.pg, aG}, {e.dg, aD}} {
		if x.ar == nil || !x.ar.fresh {
			continue
		}
		if err := x.ar.download(e.c); err != nil {
			return err
		}
		if x.a != nil && x.ar.adam {
			st, err := x.ar.adamState(e.c)
			if err != nil {
				return err
			}
			if err := x.a.SetState(st); err != nil {
				return err
			}
		}
		x.ar.fresh = false
	}
	return nil
}

// Fake downloads the clamped prediction of the last Gen or Predict
// (C×N×H×W).
func (e *Executor) Fake() ([]float32, error) {
	v := make([]float32, e.fake.Len())
	return v, e.c.CopyOut(v, e.fake)
}

// Grads downloads the gradients of the last Gen (or, with disc, Disc), one
// slice per parameter in Params order. Updates zero them.
func (e *Executor) Grads(disc bool) ([][]float32, error) {
	ar := e.pg
	if disc {
		ar = e.dg
	}
	if ar == nil {
		return nil, errors.New("gpu: no discriminator")
	}
	return ar.split(e.c, ar.grad)
}
