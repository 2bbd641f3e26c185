package train

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"framepred/checkpoint"
)

func TestValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig: %v", err)
	}
	if err := smallConfig(true).Validate(); err != nil {
		t.Fatalf("smallConfig(true): %v", err)
	}
	tests := []struct {
		name   string
		change func(c *Config)
		want   string
	}{
		{"no steps", func(c *Config) { c.Steps = 0 }, "number of steps"},
		{"epochs without video", func(c *Config) { c.Steps, c.Epochs = 0, 2 }, "epochs need video"},
		{"bad losses", func(c *Config) { c.Losses = "mse=1,blur=2" }, "unknown loss"},
		{"bad gan", func(c *Config) { c.GAN = "wgan" }, "unknown adversarial loss"},
		{"zero batch", func(c *Config) { c.Batch = 0 }, "batch 0"},
		{"D warm-up without adv", func(c *Config) { c.DWarmup = 5 }, "needs an adversarial term"},
		{"recon warm-up without recon", func(c *Config) { c.Losses, c.ReconWarmup = "adv=1", 5 }, "term other than adv"},
		{"bad lr", func(c *Config) { c.G.LR = math.NaN() }, "learning rate NaN"},
		{"bad betas", func(c *Config) { c.G.Beta1 = 1 }, "betas (1, 0.999)"},
		{"bad schedule", func(c *Config) { c.G.Schedule = "step" }, `unknown schedule "step"`},
		{"min lr above lr", func(c *Config) { c.G.MinLR = 1 }, "min_lr 1"},
		{"two sources", func(c *Config) { c.Data.Video = &Video{} }, "exactly one data source"},
		{"frame size", func(c *Config) { c.Data.Synth.Height = 30 }, "multiples of 4"},
		{"context", func(c *Config) { c.Model.Context = 3 }, "predictor takes 3"},
		{"discriminator context", func(c *Config) { c.Losses = "mse=1,adv=0.05"; c.Discriminator.Context = 2 }, "discriminator sees 2 frames"},
		{"mismatch with batch 1", func(c *Config) { c.Losses, c.Batch = "mse=1,adv=0.05", 1 }, "batch of at least 2"},
		{"video without size", func(c *Config) { c.Data.Synth, c.Data.Video = nil, &Video{Paths: []string{"a.mp4"}} }, "fixed size"},
		{"video share", func(c *Config) {
			c.Data.Synth = nil
			c.Data.Video = &Video{Paths: []string{"a.mp4"}, ValShare: 1}
			c.Data.Video.Options.Width, c.Data.Video.Options.Height, c.Data.Video.Options.Gray = 32, 32, true
		}, "val_share 1"},
	}
	for _, tc := range tests {
		c := DefaultConfig()
		tc.change(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}

func TestCheckResume(t *testing.T) {
	saved := smallConfig(true)
	tests := []struct {
		name   string
		change func(c *Config)
		want   string // "" for allowed
	}{
		{"nothing", func(c *Config) {}, ""},
		{"more steps", func(c *Config) { c.Steps = 100 }, ""},
		{"output settings", func(c *Config) { c.ValEvery, c.CheckpointEvery, c.Keep = 1, 1, 1 }, ""},
		{"fewer steps", func(c *Config) { c.Steps = 5 }, "fewer than the saved run's 12"},
		{"learning rate", func(c *Config) { c.G.LR = 1 }, `optim_g is {"lr":1,`},
		{"losses", func(c *Config) { c.Losses = "mse=1" }, `losses is "mse=1", the saved run has "mse=1,adv=0.05"`},
		{"seed", func(c *Config) { c.Seed = 1 }, "seed is 1, the saved run has 42"},
		{"data", func(c *Config) { c.Data.Synth.Kick = 5 }, "data is"},
		{"steps under cosine", func(c *Config) { c.Steps = 100; c.G.Schedule = "cosine" }, "cosine"},
		{"steps derived again under cosine", func(c *Config) { c.Steps = 0; c.G.Schedule = "cosine" }, ""},
	}
	for _, tc := range tests {
		c := smallConfig(true)
		sc := *saved.Data.Synth
		saved.Data.Synth = &sc
		tc.change(&c)
		if strings.Contains(tc.name, "cosine") {
			saved.G.Schedule = "cosine"
		}
		err := c.CheckResume(saved)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestResumeChanged resumes with a changed learning rate (refused, saying
// what changed) and with more steps (allowed: the run goes on).
func TestResumeChanged(t *testing.T) {
	cfg := smallConfig(false)
	dir := t.TempDir()
	if _, err := train(t, cfg, dir, nil); err != nil {
		t.Fatal(err)
	}
	changed := cfg
	changed.G.LR = 5e-4
	if _, err := Resume(changed, Options{Dir: dir}); err == nil || !strings.Contains(err.Error(), "optim_g") {
		t.Errorf("resume with another learning rate: %v", err)
	}
	longer := cfg
	longer.Steps = 14
	tr, err := Resume(longer, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	res, err := tr.Run(context.Background())
	if err != nil || res.Step != 14 || res.Checkpoint != filepath.Join(dir, checkpoint.StepName(14)) {
		t.Errorf("longer run: %+v, %v", res, err)
	}
	if _, err := Resume(cfg, Options{Dir: t.TempDir()}); !errors.Is(err, checkpoint.ErrNone) {
		t.Errorf("resume in an empty folder: %v, want checkpoint.ErrNone", err)
	}
}

func TestRate(t *testing.T) {
	cos := Optimizer{LR: 1e-3, MinLR: 1e-4, Schedule: "cosine", Warmup: 10}
	tests := []struct {
		name        string
		o           Optimizer
		step, total int64
		want        float64
	}{
		{"constant", Optimizer{LR: 2e-4, Schedule: "constant"}, 500, 1000, 2e-4},
		{"constant, warm-up start", Optimizer{LR: 2e-4, Schedule: "constant", Warmup: 4}, 1, 1000, 5e-5},
		{"constant, warm-up end", Optimizer{LR: 2e-4, Schedule: "constant", Warmup: 4}, 4, 1000, 2e-4},
		{"cosine, warm-up", cos, 5, 111, 5e-4},
		{"cosine, first step after warm-up", cos, 11, 111, 1e-3},
		{"cosine, half way", cos, 61, 111, 5.5e-4}, // (1e-3 + 1e-4) / 2
		{"cosine, last step", cos, 111, 111, 1e-4},
	}
	for _, tc := range tests {
		if got := tc.o.Rate(tc.step, tc.total); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("%s: Rate(%d, %d) = %v, want %v", tc.name, tc.step, tc.total, got, tc.want)
		}
	}
}

// TestWarmStart starts an adversarial run from an MSE run's checkpoint:
// the predictor starts with those weights, the discriminator fresh.
func TestWarmStart(t *testing.T) {
	mse := smallConfig(false)
	mse.Steps = 4
	mseDir := t.TempDir()
	if _, err := train(t, mse, mseDir, nil); err != nil {
		t.Fatal(err)
	}
	init := filepath.Join(mseDir, checkpoint.StepName(4))
	p, _, err := checkpoint.LoadPredictor(init)
	if err != nil {
		t.Fatal(err)
	}
	cfg := smallConfig(true)
	cfg.Init, cfg.Steps = init, 3
	tr, err := New(cfg, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if d := sameParams(tr.Predictor().Params(), p.Params()); d != "" {
		t.Errorf("the predictor does not start from %s: %s", init, d)
	}
	if _, err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sameParams(tr.Predictor().Params(), p.Params()) == "" {
		t.Error("the warm-started predictor did not train")
	}

	cfg.Model.Width = 8
	if _, err := New(cfg, Options{Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "warm start") {
		t.Errorf("warm start into another architecture: %v", err)
	}
}
