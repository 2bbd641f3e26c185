package evaluate

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"framepred/frame"
	"framepred/synth"
)

// recorded wraps a Data and remembers every clip it hands out, so that
// test forecasters can look up the clip behind a context.
type recorded struct {
	Data
	mu    sync.Mutex
	clips map[*float32]frame.Clip // by the pixels of the last context frame
}

func record(d Data) *recorded { return &recorded{Data: d, clips: make(map[*float32]frame.Clip)} }

func (r *recorded) Open(seed int64) (Clips, error) {
	c, err := r.Data.Open(seed)
	if err != nil {
		return nil, err
	}
	return recordingClips{c, r}, nil
}

func (r *recorded) clip(ctx []frame.Frame) (frame.Clip, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.clips[&ctx[len(ctx)-1].Pix[0]]
	return c, ok
}

type recordingClips struct {
	Clips
	r *recorded
}

func (rc recordingClips) Next() (frame.Clip, error) {
	c, err := rc.Clips.Next()
	if err == nil {
		rc.r.mu.Lock()
		rc.r.clips[&c.Context[len(c.Context)-1].Pix[0]] = c
		rc.r.mu.Unlock()
	}
	return c, err
}

// oracle forecasts by looking at the clip's known futures: pick returns
// the prediction for step t of clip c.
type oracle struct {
	data *recorded
	pick func(c frame.Clip, t int) frame.Frame
}

func (o oracle) RolloutBatch(contexts [][]frame.Frame, T int) ([][]frame.Frame, error) {
	out := make([][]frame.Frame, len(contexts))
	for i, ctx := range contexts {
		c, ok := o.data.clip(ctx)
		if !ok {
			return nil, fmt.Errorf("oracle: context %d was not handed out by the data", i)
		}
		for t := range T {
			out[i] = append(out[i], o.pick(c, t))
		}
	}
	return out, nil
}

// The constructed predictions.
func branchMean(c frame.Clip, t int) frame.Frame    { return synth.Mean(c)[t] }
func firstBranch(c frame.Clip, t int) frame.Frame   { return c.Branches[0][t].Clone() }
func blurredBranch(c frame.Clip, t int) frame.Frame { return boxBlur(c.Branches[0][t]) }
func blank(c frame.Clip, t int) frame.Frame {
	f := c.Future[t]
	return frame.New(f.C, f.H, f.W)
}

// boxBlur is a 3×3 box filter with the border continued.
func boxBlur(f frame.Frame) frame.Frame {
	g := frame.New(f.C, f.H, f.W)
	for c := range f.C {
		for y := range f.H {
			for x := range f.W {
				var s float32
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						yy, xx := min(max(y+dy, 0), f.H-1), min(max(x+dx, 0), f.W-1)
						s += f.At(c, yy, xx)
					}
				}
				g.Set(c, y, x, s/9)
			}
		}
	}
	return g
}

// copyLast forecasts that nothing moves: every step repeats the last
// context frame.
type copyLast struct{}

func (copyLast) RolloutBatch(contexts [][]frame.Frame, T int) ([][]frame.Frame, error) {
	out := make([][]frame.Frame, len(contexts))
	for i, ctx := range contexts {
		for range T {
			out[i] = append(out[i], ctx[len(ctx)-1].Clone())
		}
	}
	return out, nil
}

// synthData returns the default two-futures data with future frames.
func testSynth(t *testing.T, future int) Data {
	t.Helper()
	cfg := synth.DefaultConfig()
	cfg.Seed = 11
	cfg.Future = future
	d, err := Synth(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// constructedModels are the four constructed predictors on d; the branch
// mean is the MSE baseline.
func constructedModels(d *recorded) []Model {
	return []Model{
		{Name: "mean", Predictor: oracle{d, branchMean}, Info: ModelInfo{Loss: "mse", Checkpoint: "runs/mean.ckpt", Step: 1000, Seed: 1}},
		{Name: "branch", Predictor: oracle{d, firstBranch}, Info: ModelInfo{Loss: "mse+0.05adv", Checkpoint: "runs/adv.ckpt", Step: 2250, Seed: 2}},
		{Name: "blur", Predictor: oracle{d, blurredBranch}, Info: ModelInfo{Loss: "mse+perc", Extractor: "edges", Seed: 3}},
		{Name: "blank", Predictor: oracle{d, blank}, Info: ModelInfo{Loss: "none", Seed: 4}},
	}
}

const constructedSamples = 64

// constructedReport runs the four constructed predictors over the
// held-out two-futures data, one step ahead.
func constructedReport(t *testing.T) *Report {
	t.Helper()
	d := record(testSynth(t, 1))
	r, err := Run(context.Background(), constructedModels(d), d, Options{Samples: constructedSamples, Batch: 24, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// heldOut returns the first n held-out clips of the test data directly
// from the generator, for computing expected values without Run.
func heldOut(t *testing.T, future, n int) []frame.Clip {
	t.Helper()
	cfg := synth.DefaultConfig()
	cfg.Seed = 11
	cfg.Future = future
	g, err := synth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g.HeldOut().Batch(0, n)
}

// meanOf is the mean of f over the clips.
func meanOf(clips []frame.Clip, f func(frame.Clip) float64) float64 {
	var s float64
	for _, c := range clips {
		s += f(c)
	}
	return s / float64(len(clips))
}
