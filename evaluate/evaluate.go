package evaluate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"framepred/frame"
	"framepred/model"
)

// Forecaster forecasts T frames from each context of a batch: out[i] holds
// the frames that follow contexts[i], oldest first. *model.Predictor is one
// (an autoregressive rollout); tests use others.
type Forecaster interface {
	RolloutBatch(contexts [][]frame.Frame, T int) ([][]frame.Frame, error)
}

// configurer is a Forecaster that can name its architecture, as
// *model.Predictor does.
type configurer interface {
	Config() model.Config
}

// Model is one predictor to evaluate.
type Model struct {
	Name      string // label in tables and charts; unique within a Run
	Predictor Forecaster
	Info      ModelInfo
}

// ModelInfo says where a model comes from, so that a table can be
// reproduced; the fields follow checkpoint.Info. Run fills Config from the
// predictor when it is nil and the predictor has a Config method.
type ModelInfo struct {
	Config     *model.Config `json:"config"`     // architecture, null if unknown
	Checkpoint string        `json:"checkpoint"` // file the weights came from
	Step       int64         `json:"step"`       // training steps behind the weights
	Loss       string        `json:"loss"`       // training loss, e.g. "mse=1,adv=0.05" (losses.ParseWeights) or a label
	Extractor  string        `json:"extractor"`  // perceptual feature extractor, "" for none
	Seed       int64         `json:"seed"`       // weight seed of the training run
}

// Defaults of Options.
const (
	DefaultSamples = 512 // as the reference experiment's held-out set
	DefaultBatch   = 32
	DefaultPSNRCap = 100.0 // dB, an MSE of 1e-10
)

// Options control Run. The zero value evaluates DefaultSamples clips one
// step ahead.
type Options struct {
	Horizon int   // frames forecast from each context, ≥ 1; 0 means 1
	Samples int   // clips evaluated (fewer if the data ends first); 0 means DefaultSamples
	Batch   int   // clips per RolloutBatch call; 0 means DefaultBatch
	Seed    int64 // handed to Data.Open (video data shuffles with it)

	// PSNRCap caps per-sample PSNR and sharpness difference, in dB; 0 means
	// DefaultPSNRCap. It must be positive.
	PSNRCap float64

	// Baseline names the model the others are compared with in the
	// notes: the one trained with plain MSE. Empty picks the first model
	// whose Info.Loss is plain MSE ("mse=1", or the label "MSE"), else the
	// first model.
	Baseline string

	// Progress, when not nil, is called after each batch with the clips
	// done and the clips wanted.
	Progress func(done, total int)
}

func (o Options) withDefaults() (Options, error) {
	if o.Horizon == 0 {
		o.Horizon = 1
	}
	if o.Samples == 0 {
		o.Samples = DefaultSamples
	}
	if o.Batch == 0 {
		o.Batch = DefaultBatch
	}
	if o.PSNRCap == 0 {
		o.PSNRCap = DefaultPSNRCap
	}
	switch {
	case o.Horizon < 0:
		return o, fmt.Errorf("evaluate: horizon %d is negative", o.Horizon)
	case o.Samples < 0:
		return o, fmt.Errorf("evaluate: sample count %d is negative", o.Samples)
	case o.Batch < 0:
		return o, fmt.Errorf("evaluate: batch size %d is negative", o.Batch)
	case !(o.PSNRCap > 0) || math.IsInf(o.PSNRCap, 0):
		return o, fmt.Errorf("evaluate: PSNR cap %v dB must be positive and finite", o.PSNRCap)
	}
	return o, nil
}

// Run forecasts opts.Horizon frames from the same clips of data with every
// model and measures each step (see the package documentation). It stops
// at the first error of the data or of a model (a damaged video file, a
// clip whose future is shorter than the horizon, a forecast of the wrong
// shape) and with ctx's error when ctx is cancelled between batches.
func Run(ctx context.Context, models []Model, data Data, opts Options) (*Report, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := checkModels(models); err != nil {
		return nil, err
	}
	if data == nil {
		return nil, errors.New("evaluate: no data")
	}
	baseline, err := pickBaseline(models, opts.Baseline)
	if err != nil {
		return nil, err
	}
	clips, err := data.Open(opts.Seed)
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	defer clips.Close()

	accs := make([][]stepAcc, len(models))
	for i := range accs {
		accs[i] = make([]stepAcc, opts.Horizon)
	}
	done := 0
	for done < opts.Samples {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		batch, err := readBatch(clips, min(opts.Batch, opts.Samples-done), opts.Horizon)
		if err != nil {
			return nil, err
		}
		if len(batch) == 0 {
			break
		}
		for i, m := range models {
			if err := measure(m, batch, opts, accs[i]); err != nil {
				return nil, err
			}
		}
		done += len(batch)
		if opts.Progress != nil {
			opts.Progress(done, opts.Samples)
		}
	}
	if done == 0 {
		return nil, fmt.Errorf("evaluate: %s holds no clips", data.Info().Description)
	}

	r := &Report{
		Version: SchemaVersion,
		Horizon: opts.Horizon, Samples: done, Batch: opts.Batch, Seed: opts.Seed,
		PSNRCap:  opts.PSNRCap,
		Baseline: models[baseline].Name,
		Data:     data.Info(),
	}
	for i, m := range models {
		mr := ModelReport{Name: m.Name, Info: m.Info}
		if mr.Info.Config == nil {
			if c, ok := m.Predictor.(configurer); ok {
				cfg := c.Config()
				mr.Info.Config = &cfg
			}
		}
		for t := range accs[i] {
			mr.Steps = append(mr.Steps, accs[i][t].result(m.Name, t+1, opts.PSNRCap))
		}
		r.Models = append(r.Models, mr)
	}
	r.Notes = r.notes()
	return r, nil
}

func checkModels(models []Model) error {
	if len(models) == 0 {
		return errors.New("evaluate: no models")
	}
	seen := make(map[string]bool)
	for i, m := range models {
		switch {
		case m.Name == "":
			return fmt.Errorf("evaluate: model %d has no name", i+1)
		case seen[m.Name]:
			return fmt.Errorf("evaluate: two models are named %q", m.Name)
		case m.Predictor == nil:
			return fmt.Errorf("evaluate: model %q has no predictor", m.Name)
		}
		seen[m.Name] = true
	}
	return nil
}

// pickBaseline returns the index of the named model, or of the first model
// trained with plain MSE, or 0.
func pickBaseline(models []Model, name string) (int, error) {
	if name != "" {
		for i, m := range models {
			if m.Name == name {
				return i, nil
			}
		}
		return 0, fmt.Errorf("evaluate: baseline %q is not one of the models", name)
	}
	for i, m := range models {
		if isMSE(m.Info.Loss) {
			return i, nil
		}
	}
	return 0, nil
}

// readBatch reads up to n clips, each with at least horizon future frames
// (and as many in each branch).
func readBatch(clips Clips, n, horizon int) ([]frame.Clip, error) {
	var batch []frame.Clip
	for len(batch) < n {
		c, err := clips.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("evaluate: %w", err)
		}
		if err := checkClip(c, horizon); err != nil {
			return nil, err
		}
		batch = append(batch, c)
	}
	return batch, nil
}

func checkClip(c frame.Clip, horizon int) error {
	where := clipName(c)
	if len(c.Context) == 0 {
		return fmt.Errorf("evaluate: %s has no context frames", where)
	}
	if len(c.Future) < horizon {
		return fmt.Errorf("evaluate: %s has %d future frames, the horizon is %d: make clips with a longer future",
			where, len(c.Future), horizon)
	}
	ref := c.Context[0]
	if ref.C != 1 && ref.C != 3 {
		return fmt.Errorf("evaluate: %s has %d-channel frames; gray (1) or RGB (3) can be measured", where, ref.C)
	}
	for _, f := range append(append([]frame.Frame(nil), c.Context...), c.Future[:horizon]...) {
		if err := f.Validate(); err != nil {
			return fmt.Errorf("evaluate: %s: %w", where, err)
		}
		if !f.SameShape(ref) {
			return fmt.Errorf("evaluate: %s mixes %s and %s frames", where, ref.Shape(), f.Shape())
		}
	}
	for j, b := range c.Branches {
		if len(b) < horizon {
			return fmt.Errorf("evaluate: %s: branch %d has %d frames, the horizon is %d", where, j, len(b), horizon)
		}
		for _, f := range b[:horizon] {
			if err := f.Validate(); err != nil || !f.SameShape(ref) {
				return fmt.Errorf("evaluate: %s: branch %d holds a %s frame, the clip's frames are %s", where, j, f.Shape(), ref.Shape())
			}
		}
	}
	return nil
}

func clipName(c frame.Clip) string {
	if c.Source == "" {
		return "a clip"
	}
	return fmt.Sprintf("clip %q at frame %d", c.Source, c.Start)
}

// measure forecasts the batch with m and adds every step's predictions to
// accs.
func measure(m Model, batch []frame.Clip, opts Options, accs []stepAcc) error {
	contexts := make([][]frame.Frame, len(batch))
	for i, c := range batch {
		contexts[i] = c.Context
	}
	out, err := m.Predictor.RolloutBatch(contexts, opts.Horizon)
	if err != nil {
		return fmt.Errorf("evaluate: model %q: %w", m.Name, err)
	}
	if len(out) != len(batch) {
		return fmt.Errorf("evaluate: model %q forecast %d clips of a batch of %d", m.Name, len(out), len(batch))
	}
	branches := make([]frame.Frame, 0, 8)
	for i, c := range batch {
		if len(out[i]) != opts.Horizon {
			return fmt.Errorf("evaluate: model %q forecast %d frames from %s, want %d",
				m.Name, len(out[i]), clipName(c), opts.Horizon)
		}
		for t, pred := range out[i] {
			truth := c.Future[t]
			if err := pred.Validate(); err != nil || !pred.SameShape(truth) {
				return fmt.Errorf("evaluate: model %q forecast a %s frame at step %d of %s, the truth is %s",
					m.Name, pred.Shape(), t+1, clipName(c), truth.Shape())
			}
			branches = branches[:0]
			for _, b := range c.Branches {
				branches = append(branches, b[t])
			}
			accs[t].add(pred, truth, branches, opts.PSNRCap)
		}
	}
	return nil
}
