package train

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"

	"framepred/decode"
	"framepred/features"
	"framepred/losses"
	"framepred/model"
	"framepred/synth"
)

// Config is everything that decides what a run computes. It is saved in
// every checkpoint as JSON, and a resumed run continues with it (see
// CheckResume for what may change).
type Config struct {
	// Seed is the one seed everything random derives from: both networks'
	// initial weights, the order of the training samples, the mismatched
	// pairs' offsets.
	Seed uint64 `json:"seed"`

	Model         model.Config              `json:"model"`
	Discriminator model.DiscriminatorConfig `json:"discriminator"` // used when the losses have an adversarial term

	// Losses is the generator's objective in losses.ParseWeights syntax,
	// e.g. "mse=1,adv=0.05".
	Losses string `json:"losses"`
	// GAN is the adversarial loss, "lsgan" or "bce" (losses.ParseGAN).
	GAN string `json:"gan"`
	// Mismatch is the weight of mismatched pairs (a real next frame shown
	// with another sample's context) among the discriminator's fakes; 0
	// leaves them out.
	Mismatch float64 `json:"mismatch"`
	// Extractor is the perceptual term's feature extractor spec
	// (features.New); ExtractorWeights its weights file, for VGG.
	Extractor        string `json:"extractor"`
	ExtractorWeights string `json:"extractor_weights,omitempty"`

	// Init names a checkpoint whose predictor weights start the run (a
	// warm start, e.g. from an MSE-trained run); its optimiser state and
	// discriminator are not used. Empty: fresh weights from Seed.
	Init string `json:"init,omitempty"`

	Batch int   `json:"batch"`
	Steps int64 `json:"steps"` // optimisation steps; 0 with Epochs > 0 derives it from the video data
	// Epochs, for video data, is how many passes over the training clips
	// make the run when Steps is 0.
	Epochs int `json:"epochs,omitempty"`

	// ReconWarmup is the number of first steps that train the predictor
	// on the reconstruction terms only (every term but adv), as Mathieu et
	// al. do before the adversarial term starts; the discriminator rests.
	ReconWarmup int64 `json:"recon_warmup"`
	// DWarmup is the number of following steps that train the
	// discriminator only, on the predictions of a frozen predictor. With
	// DWarmupTrainsG the predictor keeps training on the reconstruction
	// terms meanwhile (the reference recipe's discriminator warm-up).
	DWarmup        int64 `json:"d_warmup"`
	DWarmupTrainsG bool  `json:"d_warmup_trains_g"`

	G Optimizer `json:"optim_g"` // the predictor's Adam
	D Optimizer `json:"optim_d"` // the discriminator's Adam

	Data Data `json:"data"`

	ValEvery        int64 `json:"val_every"`        // steps between validations; 0: only at the end
	CheckpointEvery int64 `json:"checkpoint_every"` // steps between checkpoints; 0: only at the end
	Keep            int   `json:"keep"`             // step checkpoints kept (the newest); 0 keeps all
}

// Optimizer configures one Adam optimiser and its learning-rate schedule.
type Optimizer struct {
	LR          float64 `json:"lr"`
	Beta1       float64 `json:"beta1"`
	Beta2       float64 `json:"beta2"`
	Eps         float64 `json:"eps"`
	WeightDecay float64 `json:"weight_decay"`

	// Schedule is "constant" or "cosine" (from LR at the end of the
	// warm-up down to MinLR at the last step).
	Schedule string  `json:"schedule"`
	MinLR    float64 `json:"min_lr"`
	// Warmup is the number of first steps over which the rate rises
	// linearly from LR/Warmup to LR; 0 for none.
	Warmup int64 `json:"warmup"`
}

// Data says where training and validation clips come from: exactly one of
// Synth and Video.
type Data struct {
	// Synth is a synthetic data set: training samples from its training
	// split, validation samples 0 … ValSamples-1 of its held-out split.
	Synth *synth.Config `json:"synth,omitempty"`
	// Video is a set of video files, cut into clips.
	Video *Video `json:"video,omitempty"`
	// ValSamples is the number of validation clips: synth's held-out
	// samples, or at most that many of the video's held-out clips.
	ValSamples int `json:"val_samples"`
}

// Video describes video training data. Clips are Model.Context frames and
// one next frame; a deterministic share of them, chosen by a hash of the
// file name and the clip's first frame, is held out for validation.
type Video struct {
	Paths   []string       `json:"paths"`
	Options decode.Options `json:"options"` // Width and Height are required
	Stride  int            `json:"stride"`  // frames between clip starts; 0 means 1
	// ValShare is the share of clips held out for validation, in [0, 1).
	ValShare float64 `json:"val_share"`
	// Buffer is the shuffle buffer, in clips (decode.ClipOptions.Buffer).
	Buffer int `json:"buffer,omitempty"`
}

// DefaultConfig returns the two-futures experiment's MSE run: the default
// predictor and discriminator, MSE, batch 32, 1000 steps of Adam at lr 1e-3
// with betas (0.9, 0.999), the default synthetic data set, 512 held-out
// samples for validation every 250 steps, a checkpoint every 250 steps,
// the newest 3 kept. The discriminator's optimiser is the reference
// recipe's (lr 1e-3, betas (0.5, 0.999)); it is used only with an
// adversarial term.
func DefaultConfig() Config {
	sc := synth.DefaultConfig()
	return Config{
		Model:         model.DefaultConfig(),
		Discriminator: model.DefaultDiscriminatorConfig(),
		Losses:        "mse=1",
		GAN:           losses.LSGAN.String(),
		Mismatch:      1,
		Extractor:     features.Default,
		Batch:         32,
		Steps:         1000,
		G:             Optimizer{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Schedule: "constant"},
		D:             Optimizer{LR: 1e-3, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8, Schedule: "constant"},
		Data:          Data{Synth: &sc, ValSamples: 512},

		ValEvery:        250,
		CheckpointEvery: 250,
		Keep:            3,
	}
}

// Validate reports every field that is out of range or does not fit the
// others. It reads no file.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if err := c.Model.Validate(); err != nil {
		errs = append(errs, err)
	}
	w, err := losses.ParseWeights(c.Losses)
	if err != nil {
		errs = append(errs, err)
	}
	if _, err := losses.ParseGAN(c.GAN); err != nil {
		errs = append(errs, err)
	}
	adv := w.Weight(losses.TermAdv) > 0
	recon := err == nil && hasRecon(w)
	if adv {
		if err := c.Discriminator.Validate(); err != nil {
			errs = append(errs, err)
		} else if c.Discriminator.Context != c.Model.Context || c.Discriminator.Channels != c.Model.Channels {
			bad("the discriminator sees %d frames of %d channels, the predictor %d of %d", c.Discriminator.Context, c.Discriminator.Channels, c.Model.Context, c.Model.Channels)
		}
		if !(c.Mismatch >= 0) || math.IsInf(c.Mismatch, 0) {
			bad("mismatch weight %v must be a finite number ≥ 0", c.Mismatch)
		}
		if c.Batch < 2 && c.Mismatch > 0 {
			bad("mismatched pairs need a batch of at least 2 (batch %d)", c.Batch)
		}
	}
	if w.Weight(losses.TermPerceptual) > 0 && strings.TrimSpace(c.Extractor) == "" {
		bad("the perceptual term needs an extractor")
	}
	if c.Batch < 1 {
		bad("batch %d must be at least 1", c.Batch)
	}
	switch {
	case c.Steps < 0 || c.Epochs < 0:
		bad("steps %d and epochs %d must be ≥ 0", c.Steps, c.Epochs)
	case c.Steps == 0 && c.Epochs == 0:
		bad("give the number of steps (or, for video, of epochs)")
	case c.Steps == 0 && c.Data.Video == nil:
		bad("epochs need video data; give the number of steps")
	}
	if c.ReconWarmup < 0 || c.DWarmup < 0 {
		bad("warm-ups of %d and %d steps must be ≥ 0", c.ReconWarmup, c.DWarmup)
	}
	if !adv && (c.DWarmup > 0 || c.DWarmupTrainsG) {
		bad("a discriminator warm-up needs an adversarial term in the losses %q", c.Losses)
	}
	if !recon && (c.ReconWarmup > 0 || c.DWarmupTrainsG) {
		bad("the reconstruction warm-up needs a term other than adv in the losses %q", c.Losses)
	}
	c.G.validate("optim_g", bad)
	if adv {
		c.D.validate("optim_d", bad)
	}
	c.Data.validate(c.Model, bad)
	if c.ValEvery < 0 || c.CheckpointEvery < 0 || c.Keep < 0 {
		bad("val_every %d, checkpoint_every %d and keep %d must be ≥ 0", c.ValEvery, c.CheckpointEvery, c.Keep)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("train: bad config: %w", err)
	}
	return nil
}

// hasRecon reports whether w has a positive term other than adv.
func hasRecon(w losses.Weights) bool {
	for _, t := range w {
		if t.Name != losses.TermAdv && t.Weight > 0 {
			return true
		}
	}
	return false
}

func (o Optimizer) validate(name string, bad func(string, ...any)) {
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	if !(o.LR > 0) || !finite(o.LR) {
		bad("%s: learning rate %v must be a finite number > 0", name, o.LR)
	}
	if !(o.Beta1 >= 0 && o.Beta1 < 1) || !(o.Beta2 >= 0 && o.Beta2 < 1) {
		bad("%s: betas (%v, %v) must be in [0, 1)", name, o.Beta1, o.Beta2)
	}
	if !(o.Eps >= 0) || !finite(o.Eps) || !(o.WeightDecay >= 0) || !finite(o.WeightDecay) {
		bad("%s: eps %v and weight decay %v must be finite numbers ≥ 0", name, o.Eps, o.WeightDecay)
	}
	switch o.Schedule {
	case "constant", "cosine":
	default:
		bad("%s: unknown schedule %q (known: constant, cosine)", name, o.Schedule)
	}
	if !(o.MinLR >= 0) || !finite(o.MinLR) || o.MinLR > o.LR {
		bad("%s: min_lr %v must be in [0, lr]", name, o.MinLR)
	}
	if o.Warmup < 0 {
		bad("%s: warm-up of %d steps must be ≥ 0", name, o.Warmup)
	}
}

func (d Data) validate(m model.Config, bad func(string, ...any)) {
	if (d.Synth == nil) == (d.Video == nil) {
		bad("give exactly one data source, synth or video")
		return
	}
	if d.ValSamples < 0 {
		bad("val_samples %d must be ≥ 0", d.ValSamples)
	}
	if s := d.Synth; s != nil {
		if s.Context != m.Context || s.Channels != m.Channels {
			bad("the synthetic clips have %d context frames of %d channels, the predictor takes %d of %d", s.Context, s.Channels, m.Context, m.Channels)
		}
		if err := m.CheckSize(s.Height, s.Width); err != nil {
			bad("%v", err)
		}
		return
	}
	v := d.Video
	if len(v.Paths) == 0 {
		bad("no video files")
	}
	if v.Options.Width <= 0 || v.Options.Height <= 0 {
		bad("video frames need a fixed size (options width and height)")
	} else if err := m.CheckSize(v.Options.Height, v.Options.Width); err != nil {
		bad("%v", err)
	}
	if v.Options.Gray != (m.Channels == 1) {
		bad("the video is decoded with %d channels, the predictor takes %d", map[bool]int{true: 1, false: 3}[v.Options.Gray], m.Channels)
	}
	if v.Stride < 0 || v.Buffer < 0 {
		bad("video stride %d and buffer %d must be ≥ 0", v.Stride, v.Buffer)
	}
	if !(v.ValShare >= 0 && v.ValShare < 1) {
		bad("val_share %v must be in [0, 1)", v.ValShare)
	}
}

// adversarial reports whether the losses have an adversarial term.
func (c Config) adversarial() bool {
	w, err := losses.ParseWeights(c.Losses)
	return err == nil && w.Weight(losses.TermAdv) > 0
}

// JSON returns the config as saved in checkpoints.
func (c Config) JSON() []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("train: config does not encode: %v", err)) // every field is plain data
	}
	return b
}

// ParseConfig reads a config saved by JSON; unknown fields are an error.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("train: saved config: %w", err)
	}
	return c, nil
}

// resumable lists the fields a resumed run may change, by JSON name: they
// decide how long the run goes and what it writes, not what a step
// computes. Steps may only grow, and not under a cosine schedule, whose
// rates depend on it.
var resumable = map[string]bool{"steps": true, "epochs": true, "val_every": true, "checkpoint_every": true, "keep": true}

// CheckResume reports an error naming every field in which c differs from
// saved, the config of the run being resumed, other than those a resumed
// run may change (steps, epochs, val_every, checkpoint_every, keep).
func (c Config) CheckResume(saved Config) error {
	var diffs []string
	cv, sv := reflect.ValueOf(c), reflect.ValueOf(saved)
	for i := range cv.NumField() {
		f := cv.Type().Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if resumable[name] {
			continue
		}
		if a, b := cv.Field(i).Interface(), sv.Field(i).Interface(); !reflect.DeepEqual(a, b) {
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			diffs = append(diffs, fmt.Sprintf("%s is %s, the saved run has %s", name, ja, jb))
		}
	}
	if c.Steps < saved.Steps && c.Steps != 0 {
		diffs = append(diffs, fmt.Sprintf("steps %d is fewer than the saved run's %d", c.Steps, saved.Steps))
	}
	// Steps 0 with the saved epochs derives the saved step count again.
	sameLength := c.Steps == saved.Steps || c.Steps == 0 && c.Epochs == saved.Epochs
	if !sameLength && (saved.G.Schedule == "cosine" || saved.D.Schedule == "cosine") {
		diffs = append(diffs, fmt.Sprintf("the run's length changes (steps %d, epochs %d; saved %d, %d) under a cosine schedule, whose rates depend on it",
			c.Steps, c.Epochs, saved.Steps, saved.Epochs))
	}
	if len(diffs) > 0 {
		return fmt.Errorf("train: resume: the settings differ from the saved run's; a resumed run keeps them (it may change steps, epochs, val_every, checkpoint_every and keep):\n  %s", strings.Join(diffs, "\n  "))
	}
	return nil
}
