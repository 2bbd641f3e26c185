package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"framepred/checkpoint"
	"framepred/cuda"
	"framepred/device"
	"framepred/features"
	"framepred/frame"
	"framepred/losses"
	"framepred/model"
	"framepred/optim"
)

// Options are a run's settings that do not change what it computes; they
// are not saved.
type Options struct {
	Dir      string         // checkpoint folder, required
	LogPath  string         // JSON-lines log; "" means Dir/train.jsonl
	Logger   *slog.Logger   // nil discards
	Progress func(Progress) // called after every step; nil for none

	// Device is where the training steps run: the zero value is the CPU;
	// a CUDA choice (device.Resolve) runs them on that GPU (framepred/gpu),
	// with validation on the CPU. CUDA says where the CUDA libraries are;
	// nil means cuda.DefaultConfig().
	Device device.Choice
	CUDA   *cuda.Config
}

// LogName is the log's file name in the checkpoint folder by default.
const LogName = "train.jsonl"

// Trainer runs one training run. It is not safe for concurrent use.
type Trainer struct {
	cfg  Config
	opts Options
	log  *slog.Logger

	weights losses.Weights
	ext     features.Extractor
	spec    string // the extractor's spec, "" without a perceptual term

	pred         *model.Predictor
	disc         *model.Discriminator
	adamG, adamD *optim.Adam
	exec         executor
	data         source
	val          []frame.Clip
	init         checkpoint.Info // the warm start's predictor
	pcg          *rand.PCG
	rng          *rand.Rand
	dir          checkpoint.Dir
	jl           *logWriter

	step         int64
	best         float64
	bestPath     string
	lastCkpt     string
	lastCkptStep int64
	lastVal      *Validation
	elapsed      time.Duration // before this process
	startTime    time.Time
	stepTime     map[string]float64 // smoothed seconds per step, by phase

	// beforeStep, when set (by tests), runs before each step with its
	// number.
	beforeStep func(step int64)
}

// New starts a fresh run. The checkpoint folder must not hold a run
// already (the error wraps ErrExists; resume it with Resume).
func New(cfg Config, opts Options) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.Dir == "" {
		return nil, errors.New("train: no checkpoint folder")
	}
	if es, err := checkpoint.List(opts.Dir); err != nil {
		return nil, err
	} else if len(es) > 0 {
		return nil, fmt.Errorf("train: %s: %w (%d, the newest %s); resume that run or choose another folder",
			opts.Dir, ErrExists, len(es), filepath.Base(es[len(es)-1].Path))
	}
	t := &Trainer{cfg: cfg, best: math.Inf(1)}
	var err error
	if cfg.Init != "" {
		p, in, err := checkpoint.LoadPredictor(cfg.Init)
		if err != nil {
			return nil, fmt.Errorf("train: warm start: %w", err)
		}
		if p.Config() != cfg.Model {
			return nil, fmt.Errorf("train: warm start: %s holds a predictor of config %s, the run's is %s",
				cfg.Init, jsonString(p.Config()), jsonString(cfg.Model))
		}
		t.pred, t.init = p, in
	} else if t.pred, err = model.NewPredictor(cfg.Model, int64(derive(cfg.Seed, "predictor"))); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if cfg.adversarial() {
		if t.disc, err = model.NewDiscriminator(cfg.Discriminator, int64(derive(cfg.Seed, "discriminator"))); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		t.adamD = newAdam(cfg.D)
	}
	t.adamG = newAdam(cfg.G)
	t.pcg = rand.NewPCG(derive(cfg.Seed, "rng", 0), derive(cfg.Seed, "rng", 1))
	if err := t.setup(opts, Position{}, ""); err != nil {
		t.Close()
		return nil, err
	}
	if cfg.Init != "" {
		t.log.Info("warm start", "from", cfg.Init, "step", t.init.Step, "losses", t.init.Losses)
	}
	return t, nil
}

func newAdam(o Optimizer) *optim.Adam {
	return &optim.Adam{LR: o.LR, Beta1: o.Beta1, Beta2: o.Beta2, Eps: o.Eps, WeightDecay: o.WeightDecay}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// SavedConfig returns the config of the run in dir, from its newest
// checkpoint, and that checkpoint's path. A caller resuming a run starts
// from it, changes what the user asked for, and passes it to Resume.
func SavedConfig(dir string) (Config, string, error) {
	path, err := checkpoint.Latest(dir)
	if err != nil {
		return Config{}, "", err
	}
	c, err := checkpoint.Load(path)
	if err != nil {
		return Config{}, "", err
	}
	cfg, err := ParseConfig(c.Train)
	if err != nil {
		return Config{}, "", fmt.Errorf("train: %s: %w", path, err)
	}
	return cfg, path, nil
}

// Resume continues the run in opts.Dir from its newest checkpoint, exactly
// as if it had not stopped. cfg must equal the saved config except for
// the fields CheckResume allows to change.
func Resume(cfg Config, opts Options) (*Trainer, error) {
	if opts.Dir == "" {
		return nil, errors.New("train: no checkpoint folder")
	}
	path, err := checkpoint.Latest(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("train: resume: %w", err)
	}
	c, err := checkpoint.Load(path)
	if err != nil {
		return nil, fmt.Errorf("train: resume: %w", err)
	}
	saved, err := ParseConfig(c.Train)
	if err != nil {
		return nil, fmt.Errorf("train: resume from %s: %w", path, err)
	}
	if err := cfg.CheckResume(saved); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if c.Predictor.Config() != cfg.Model || cfg.adversarial() != (c.Discriminator != nil) ||
		c.Discriminator != nil && c.Discriminator.Config() != cfg.Discriminator ||
		c.AdamG == nil || cfg.adversarial() && c.AdamD == nil {
		return nil, fmt.Errorf("train: resume: %s: its networks or optimisers do not match its saved config", path)
	}
	var pos Position
	if err := json.Unmarshal(c.Data, &pos); err != nil {
		return nil, fmt.Errorf("train: resume: %s: data position: %w", path, err)
	}
	t := &Trainer{
		cfg: cfg, pred: c.Predictor, disc: c.Discriminator, adamG: c.AdamG, adamD: c.AdamD,
		step: c.Step, best: c.BestVal, elapsed: c.Elapsed, lastCkpt: path, lastCkptStep: c.Step,
		pcg: &rand.PCG{},
	}
	if err := t.pcg.UnmarshalBinary(c.RNG); err != nil {
		return nil, fmt.Errorf("train: resume: %s: random state: %w", path, err)
	}
	if err := t.setup(opts, pos, path); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// setup makes what fresh and resumed runs share: losses, data, graphs and
// the log.
func (t *Trainer) setup(opts Options, pos Position, resumed string) error {
	cfg := t.cfg
	t.opts = opts
	t.log = opts.Logger
	if t.log == nil {
		t.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	t.rng = rand.New(t.pcg)
	t.dir = checkpoint.Dir{Path: opts.Dir, Keep: cfg.Keep}
	t.stepTime = map[string]float64{}
	var err error
	if t.weights, err = losses.ParseWeights(cfg.Losses); err != nil {
		return err
	}
	gan, err := losses.ParseGAN(cfg.GAN)
	if err != nil {
		return err
	}
	if t.weights.Weight(losses.TermPerceptual) > 0 {
		if t.ext, err = features.New(cfg.Extractor, cfg.ExtractorWeights); err != nil {
			return fmt.Errorf("train: %w", err)
		}
		t.spec = cfg.Extractor
	}
	var recon losses.Weights
	for _, term := range t.weights {
		if term.Name != losses.TermAdv {
			recon = append(recon, term)
		}
	}
	if !hasRecon(recon) {
		recon = nil
	}

	var h, w int
	switch d := cfg.Data; {
	case d.Synth != nil:
		h, w = d.Synth.Height, d.Synth.Width
		if t.data, err = newSynthSource(*d.Synth, cfg.Seed, d.ValSamples, pos); err != nil {
			return err
		}
	default:
		h, w = d.Video.Options.Height, d.Video.Options.Width
		vs, err := newVideoSource(*d.Video, cfg.Model.Context, cfg.Seed, d.ValSamples, t.log, pos)
		if err != nil {
			return err
		}
		t.data = vs
		if cfg.Steps == 0 {
			n, err := vs.countTrain()
			if err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("train: no training clips in %d video files", len(d.Video.Paths))
			}
			t.cfg.Steps = (int64(cfg.Epochs)*n + int64(cfg.Batch) - 1) / int64(cfg.Batch)
			t.log.Info("steps from epochs", "epochs", cfg.Epochs, "clips", n, "batch", cfg.Batch, "steps", t.cfg.Steps)
		}
	}
	if t.disc != nil {
		if err := cfg.Discriminator.CheckSize(h, w); err != nil {
			return fmt.Errorf("train: %w", err)
		}
	}
	if t.val, err = t.data.validation(); err != nil {
		return err
	}
	n := nets{p: t.pred, d: t.disc, weights: t.weights, recon: recon, gan: gan, ext: t.ext, mismatch: cfg.Mismatch}
	if opts.Device.Kind == device.CUDA {
		cc := cuda.DefaultConfig()
		if opts.CUDA != nil {
			cc = *opts.CUDA
		}
		g, err := newGPUExecutor(n, cfg.Batch, h, w, opts.Device, cc)
		if err != nil {
			return err
		}
		t.exec = g
		t.log.Info("device", "device", opts.Device.String(), "gpu", opts.Device.GPU.String())
	} else {
		t.exec = newCPUExecutor(n, cfg.Batch, h, w)
	}

	logPath := opts.LogPath
	if logPath == "" {
		logPath = filepath.Join(opts.Dir, LogName)
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if t.jl, err = openLog(logPath); err != nil {
		return err
	}
	t.startTime = time.Now()
	if err := t.jl.write(Record{Type: RecordStart, Step: t.step, Resumed: resumed, Config: t.cfg.JSON(), Wall: t.wall()}); err != nil {
		return err
	}
	t.log.Info("training", "step", t.step, "steps", t.cfg.Steps, "losses", t.weights.String(), "resumed", resumed,
		"predictor_params", t.pred.NumParams(), "val_clips", len(t.val))
	return nil
}

// wall returns the training time so far, in seconds.
func (t *Trainer) wall() float64 { return t.elapsedNow().Seconds() }

func (t *Trainer) elapsedNow() time.Duration { return t.elapsed + time.Since(t.startTime) }

// Config returns the run's config (with Steps derived from Epochs where
// that applies).
func (t *Trainer) Config() Config { return t.cfg }

// Step returns the number of steps done.
func (t *Trainer) Step() int64 { return t.step }

// Predictor returns the predictor being trained (its live weights).
func (t *Trainer) Predictor() *model.Predictor { return t.pred }

// Discriminator returns the discriminator, nil without an adversarial term.
func (t *Trainer) Discriminator() *model.Discriminator { return t.disc }

// Close releases the graphs, the data and the log.
func (t *Trainer) Close() error {
	var errs []error
	if t.exec != nil {
		errs = append(errs, t.exec.close())
		t.exec = nil
	}
	if t.data != nil {
		errs = append(errs, t.data.close())
		t.data = nil
	}
	if t.jl != nil {
		errs = append(errs, t.jl.close())
		t.jl = nil
	}
	if t.pred != nil {
		errs = append(errs, t.pred.Close())
	}
	return errors.Join(errs...)
}

// snapshot returns the run's state as a checkpoint; val is this step's
// validation loss (NaN when not validated).
func (t *Trainer) snapshot(val float64) (*checkpoint.Checkpoint, error) {
	if err := t.exec.sync(); err != nil {
		return nil, fmt.Errorf("train: checkpoint: %w", err)
	}
	rng, err := t.pcg.MarshalBinary()
	if err != nil {
		return nil, err
	}
	pos, err := json.Marshal(t.data.position())
	if err != nil {
		return nil, err
	}
	c := &checkpoint.Checkpoint{
		Step: t.step, Predictor: t.pred, Discriminator: t.disc, AdamG: t.adamG, AdamD: t.adamD,
		Losses: t.weights.String(), LossLabel: t.weights.Label(),
		Train: t.cfg.JSON(), RNG: rng, Data: pos,
		BestVal: t.best, Val: val, Elapsed: t.elapsedNow(),
	}
	if t.ext != nil {
		c.Extractor, c.ExtractorName = t.spec, t.ext.Name()
	}
	return c, nil
}
