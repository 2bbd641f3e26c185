package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"framepred/decode"
	"framepred/losses"
	"framepred/synth"
	"framepred/train"
)

// Default frame sides of a fresh run, in pixels: the built-in data set's,
// and a size at which video still shows what moves.
const (
	defaultSynthSize = 32
	defaultVideoSize = 64
)

// videoFlags apply to video data only.
var videoFlags = []string{"fps", "aspect", "stride", "val-share"}

// runConfig returns cfg with train's flags applied: every flag for a fresh
// run (cfg then holds the defaults), only the flags the user set for a
// resumed one (cfg is the saved run's). args are the video files, if any.
func runConfig(c *cli.Context, cfg train.Config, fresh bool, args []string) (train.Config, error) {
	set := func(name string) bool { return fresh || c.IsSet(name) }

	// The warm start's network and frame settings are the defaults of a
	// fresh run that starts from it: their flags count only when given.
	var init *loadedModel
	if c.IsSet("init") {
		path, err := checkpointPath(c.Path("init"))
		if err != nil {
			return cfg, fmt.Errorf("train: --init: %w", err)
		}
		cfg.Init = path
		if fresh {
			if init, err = loadModel(path); err != nil {
				return cfg, fmt.Errorf("train: --init: %w", err)
			}
			defer init.close()
		}
	}
	setNet := set
	if init != nil {
		ic := init.info.Config
		cfg.Model.Channels, cfg.Model.Context = ic.Channels, ic.Context
		cfg.Model.Width, cfg.Model.Depth, cfg.Model.Residual = ic.Width, ic.Depth, ic.Residual
		setNet = c.IsSet
	}

	// Data source.
	switch {
	case c.Bool("synth"):
		if cfg.Data.Synth == nil {
			sc := synth.DefaultConfig()
			cfg.Data.Synth, cfg.Data.Video = &sc, nil
		}
	case len(args) > 0:
		paths, err := decode.Files(args)
		if err != nil {
			return cfg, err
		}
		v := train.Video{Stride: 1}
		if cfg.Data.Video != nil {
			v = *cfg.Data.Video
		}
		v.Paths = paths
		cfg.Data.Video, cfg.Data.Synth = &v, nil
	}
	sc, vc := cfg.Data.Synth, cfg.Data.Video
	if vc == nil {
		for _, name := range videoFlags {
			if c.IsSet(name) {
				return cfg, usagef("train: --%s applies to video files only", name)
			}
		}
	}

	// Frames: size, channels, context.
	if set("size") {
		size := c.Int("size")
		switch w, h, ok := initSize(init); {
		case !c.IsSet("size") && init != nil && ok && w == h:
			size = w
		case !c.IsSet("size") && vc != nil:
			size = defaultVideoSize
		case !c.IsSet("size"):
			size = defaultSynthSize
		}
		if size < 1 {
			return cfg, usagef("train: --size %d: want a positive number of pixels", size)
		}
		if sc != nil {
			sc.Width, sc.Height = size, size
		} else {
			vc.Options.Width, vc.Options.Height = size, size
		}
	}
	if setNet("rgb") {
		cfg.Model.Channels = map[bool]int{false: 1, true: 3}[c.Bool("rgb")]
	}
	apply(setNet, "context", c.Int, &cfg.Model.Context)
	if sc != nil {
		sc.Context, sc.Channels = cfg.Model.Context, cfg.Model.Channels
	} else {
		vc.Options.Gray = cfg.Model.Channels == 1
	}
	cfg.Discriminator.Context, cfg.Discriminator.Channels = cfg.Model.Context, cfg.Model.Channels
	if vc != nil {
		apply(set, "fps", c.Float64, &vc.Options.FPS)
		if set("aspect") {
			switch a := strings.ToLower(c.String("aspect")); a {
			case "crop":
				vc.Options.Aspect = decode.Crop
			case "stretch":
				vc.Options.Aspect = decode.Stretch
			default:
				return cfg, usagef("train: --aspect %q: want crop or stretch", c.String("aspect"))
			}
		}
		apply(set, "stride", c.Int, &vc.Stride)
		apply(set, "val-share", c.Float64, &vc.ValShare)
	}
	apply(set, "val-samples", c.Int, &cfg.Data.ValSamples)

	// Network.
	apply(setNet, "net-width", c.Int, &cfg.Model.Width)
	apply(setNet, "net-depth", c.Int, &cfg.Model.Depth)
	apply(setNet, "residual", c.Bool, &cfg.Model.Residual)

	// Objective.
	apply(set, "loss", c.String, &cfg.Losses)
	apply(set, "gan", c.String, &cfg.GAN)
	apply(set, "mismatch", c.Float64, &cfg.Mismatch)
	apply(set, "perceptual", c.String, &cfg.Extractor)
	apply(set, "perceptual-weights", c.Path, &cfg.ExtractorWeights)
	if fresh && cfg.ExtractorWeights != "" {
		if w, err := losses.ParseWeights(cfg.Losses); err == nil && w.Weight(losses.TermPerceptual) == 0 {
			return cfg, usagef("train: --perceptual-weights is given but --loss %q has no perceptual term", cfg.Losses)
		}
	}

	// Optimiser.
	switch {
	case c.IsSet("epochs") && c.IsSet("steps"):
		return cfg, usagef("train: give --steps or --epochs, not both")
	case c.IsSet("epochs"):
		cfg.Epochs, cfg.Steps = c.Int("epochs"), 0
	case set("steps"):
		cfg.Steps = c.Int64("steps")
		if fresh {
			cfg.Epochs = 0
		}
	}
	apply(set, "batch", c.Int, &cfg.Batch)
	for _, o := range []struct {
		opt       *train.Optimizer
		lr, betas string
	}{{&cfg.G, "lr", "betas"}, {&cfg.D, "lr-d", "betas-d"}} {
		apply(set, o.lr, c.Float64, &o.opt.LR)
		if set(o.betas) {
			b1, b2, err := parseBetas(c.String(o.betas))
			if err != nil {
				return cfg, usagef("train: --%s %q: %v", o.betas, c.String(o.betas), err)
			}
			o.opt.Beta1, o.opt.Beta2 = b1, b2
		}
		apply(set, "schedule", c.String, &o.opt.Schedule)
		apply(set, "lr-warmup", c.Int64, &o.opt.Warmup)
	}
	apply(set, "recon-warmup", c.Int64, &cfg.ReconWarmup)
	apply(set, "d-warmup", c.Int64, &cfg.DWarmup)
	apply(set, "d-warmup-trains-g", c.Bool, &cfg.DWarmupTrainsG)
	apply(set, "seed", c.Uint64, &cfg.Seed)

	// Run.
	apply(set, "val-every", c.Int64, &cfg.ValEvery)
	apply(set, "checkpoint-every", c.Int64, &cfg.CheckpointEvery)
	apply(set, "keep", c.Int, &cfg.Keep)
	return cfg, nil
}

// apply sets *dst to the value of the flag name, read with get, when the
// run takes that flag (set(name)).
func apply[T any](set func(string) bool, name string, get func(string) T, dst *T) {
	if set(name) {
		*dst = get(name)
	}
}

// initSize returns the frame size the warm start was trained on.
func initSize(m *loadedModel) (w, h int, ok bool) {
	if m == nil {
		return 0, 0, false
	}
	return m.frameSize()
}

// parseBetas reads Adam's betas written "B1,B2".
func parseBetas(s string) (b1, b2 float64, err error) {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		return 0, 0, fmt.Errorf("want two numbers B1,B2 such as 0.9,0.999")
	}
	if b1, err = strconv.ParseFloat(strings.TrimSpace(a), 64); err == nil {
		b2, err = strconv.ParseFloat(strings.TrimSpace(b), 64)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("want two numbers B1,B2 such as 0.9,0.999")
	}
	return b1, b2, nil
}

// betas writes an optimiser's betas as --betas takes them.
func betas(o train.Optimizer) string {
	return strconv.FormatFloat(o.Beta1, 'g', -1, 64) + "," + strconv.FormatFloat(o.Beta2, 'g', -1, 64)
}
