package model

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"

	"framepred/frame"
	"framepred/metrics"
	"framepred/ops"
	"framepred/synth"
)

// TestOverfit trains the default predictor on one fixed batch of 4
// two-futures clips (32×32, each with its drawn future) with MSE and Adam
// lr 1e-3: after 150 steps the loss must be at least 10 times lower than
// at the start. Measured: 0.0240 (a fresh network's clamped output is
// nearly blank) to 0.0003, about 80 times lower.
func TestOverfit(t *testing.T) {
	gen, err := synth.New(synth.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	x, y, err := Batch(gen.Batch(0, 4))
	if err != nil {
		t.Fatal(err)
	}
	p := mustPredictor(t, DefaultConfig(), 1)
	f := newFit(t, p, x, y, ops.MeanSquaredDiff, 1e-3)
	const steps = 150
	first := f.step(t)
	last := first
	for i := 1; i <= steps; i++ {
		last = f.step(t) // the loss before update i
	}
	t.Logf("MSE on the fixed batch: %.5f at the start, %.6f after %d steps (%.0f× lower)", first, last, steps, first/last)
	if !(last*10 <= first) {
		t.Errorf("MSE fell from %.5f to %.6f in %d steps, less than 10×", first, last, steps)
	}
}

// twoFutures is a tiny data set where each context has two equally likely
// futures: 4 contexts of 2 gray 16×16 frames (a 3-px square moving 1–2
// px/frame, then jumping 4 px to either side), and a batch of 8 that pairs
// every context with both of its futures, so a full-batch loss is exactly
// the expected loss over the two futures.
func twoFutures(t *testing.T) (clips []frame.Clip, train []frame.Clip) {
	t.Helper()
	gen, err := synth.New(synth.Config{Seed: 3, Height: 16, Width: 16, Channels: 1, Context: 2, Future: 1, Branches: 2,
		MinSide: 3, MaxSide: 3, MinSpeed: 1, MaxSpeed: 2, Kick: 4})
	if err != nil {
		t.Fatal(err)
	}
	clips = gen.Batch(0, 4)
	for _, c := range clips {
		for _, b := range c.Branches {
			train = append(train, frame.Clip{Context: c.Context, Future: b})
		}
	}
	return clips, train
}

func trainTwoFutures(t *testing.T, loss func(a, b *G.Node) (*G.Node, error), steps int, seed int64) (*Predictor, []frame.Clip) {
	clips, train := twoFutures(t)
	x, y, err := Batch(train)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Context, cfg.Width = 2, 8
	p := mustPredictor(t, cfg, seed)
	f := newFit(t, p, x, y, loss, 3e-3)
	for range steps {
		f.step(t)
	}
	return p, clips
}

// pixelStats summarises predictions where the two futures agree (both dark
// or both bright) and where exactly one is bright.
type pixelStats struct {
	agreeErr     float64 // max |pred - common value| where they agree
	splitMean    float64 // mean prediction where they disagree
	splitMin     float64
	splitMax     float64
	meanErr      float64 // max |pred - branch mean| over all pixels
	avgIndex     float64 // mean averaging index (1: the mean, 0: a branch)
	splitPixels  int
	splitNearest [2]int // disagreeing pixels below 0.25, above 0.75
}

func stats(t *testing.T, p *Predictor, clips []frame.Clip) pixelStats {
	t.Helper()
	pred, err := p.Predict(contexts(clips))
	if err != nil {
		t.Fatal(err)
	}
	s := pixelStats{splitMin: math.Inf(1), splitMax: math.Inf(-1)}
	for i, c := range clips {
		a, b := c.Branches[0][0].Pix, c.Branches[1][0].Pix
		for j, v := range pred[i].Pix {
			v := float64(v)
			m := (float64(a[j]) + float64(b[j])) / 2
			s.meanErr = math.Max(s.meanErr, math.Abs(v-m))
			if a[j] == b[j] {
				s.agreeErr = math.Max(s.agreeErr, math.Abs(v-m))
				continue
			}
			s.splitPixels++
			s.splitMean += v
			s.splitMin, s.splitMax = math.Min(s.splitMin, v), math.Max(s.splitMax, v)
			switch {
			case v < 0.25:
				s.splitNearest[0]++
			case v > 0.75:
				s.splitNearest[1]++
			}
		}
		s.avgIndex += metrics.AveragingIndex(pred[i], []frame.Frame{c.Branches[0][0], c.Branches[1][0]})
	}
	s.splitMean /= float64(s.splitPixels)
	s.avgIndex /= float64(len(clips))
	return s
}

// TestTwoFutures is the fact framepred is about. Trained with MSE on
// contexts that lead to two futures with equal probability, the predictor
// converges to the pixel average of the two: half-bright ghosts of both.
// Trained with L1 it does not: for two equally likely values a and b the
// expected |p-a|+|p-b| is flat for every p between them, so where exactly
// one future is bright the whole interval [0,1] is optimal and has no
// gradient inside; a pixel stops where it enters the interval. A fresh
// predictor's output there starts near or below 0 (the background, and in
// residual mode the last context frame, which the square has left), so L1
// leaves those pixels dark: it drops both futures where they split, a blank
// instead of a ghost, while still getting the pixels where the futures
// agree right.
//
// Over 8 runs (weight seeds 1–4, direct and residual, 300 steps) MSE gave
// max |prediction - mean| 0.013–0.031 and averaging index ≥ 0.998; L1 left
// every split pixel below 0.011, got agreeing pixels within 0.027, and
// scored averaging index 0.667, a blank's (MSE to the nearest future of a
// blank is twice its MSE to the mean). Training is not bit-reproducible run
// to run (the ops kernels sum filter gradients in scheduling order), hence
// the margins.
func TestTwoFutures(t *testing.T) {
	const steps = 300
	p, clips := trainTwoFutures(t, ops.MeanSquaredDiff, steps, 1)
	mse := stats(t, p, clips)
	t.Logf("MSE, %d steps: max |pred - mean| %.4f; where the futures agree max error %.4f; where they split (%d px) mean %.3f, range [%.3f, %.3f]; averaging index %.3f",
		steps, mse.meanErr, mse.agreeErr, mse.splitPixels, mse.splitMean, mse.splitMin, mse.splitMax, mse.avgIndex)
	if mse.meanErr > 0.06 {
		t.Errorf("MSE: max |prediction - pixel mean of the futures| = %.4f, want ≤ 0.06", mse.meanErr)
	}
	if mse.avgIndex < 0.99 {
		t.Errorf("MSE: averaging index %.3f, want ≥ 0.99 (1 is the mean)", mse.avgIndex)
	}

	p, clips = trainTwoFutures(t, ops.MeanAbsDiff, steps, 1)
	l1 := stats(t, p, clips)
	t.Logf("L1, %d steps: max |pred - mean| %.4f; where the futures agree max error %.4f; where they split (%d px) mean %.3f, range [%.3f, %.3f], %d below 0.25, %d above 0.75; averaging index %.3f",
		steps, l1.meanErr, l1.agreeErr, l1.splitPixels, l1.splitMean, l1.splitMin, l1.splitMax, l1.splitNearest[0], l1.splitNearest[1], l1.avgIndex)
	if l1.agreeErr > 0.06 {
		t.Errorf("L1: where the futures agree the prediction is off by up to %.4f, want ≤ 0.06", l1.agreeErr)
	}
	if l1.splitMax >= 0.25 {
		t.Errorf("L1: where the futures split the prediction reaches %.3f, want every pixel below 0.25 (dark)", l1.splitMax)
	}
	if l1.meanErr < 0.4 {
		t.Errorf("L1: max |prediction - pixel mean| = %.4f: as close to the mean as MSE, want ≥ 0.4", l1.meanErr)
	}
}
