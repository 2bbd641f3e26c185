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
	// fresh run that starts from it.
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
	fromInit := func(name string) bool { return init != nil && !c.IsSet(name) }

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
	if set("rgb") {
		rgb := c.Bool("rgb")
		if fromInit("rgb") {
			rgb = init.info.Config.Channels == 3
		}
		cfg.Model.Channels = map[bool]int{false: 1, true: 3}[rgb]
	}
	if set("context") {
		cfg.Model.Context = c.Int("context")
		if fromInit("context") {
			cfg.Model.Context = init.info.Config.Context
		}
	}
	if sc != nil {
		sc.Context, sc.Channels = cfg.Model.Context, cfg.Model.Channels
	} else {
		vc.Options.Gray = cfg.Model.Channels == 1
	}
	cfg.Discriminator.Context, cfg.Discriminator.Channels = cfg.Model.Context, cfg.Model.Channels
	if vc != nil {
		if set("fps") {
			vc.Options.FPS = c.Float64("fps")
		}
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
		if set("stride") {
			vc.Stride = c.Int("stride")
		}
		if set("val-share") {
			vc.ValShare = c.Float64("val-share")
		}
	}
	if set("val-samples") {
		cfg.Data.ValSamples = c.Int("val-samples")
	}

	// Network.
	if set("net-width") {
		cfg.Model.Width = c.Int("net-width")
		if fromInit("net-width") {
			cfg.Model.Width = init.info.Config.Width
		}
	}
	if set("net-depth") {
		cfg.Model.Depth = c.Int("net-depth")
		if fromInit("net-depth") {
			cfg.Model.Depth = init.info.Config.Depth
		}
	}
	if set("residual") {
		cfg.Model.Residual = c.Bool("residual")
		if fromInit("residual") {
			cfg.Model.Residual = init.info.Config.Residual
		}
	}

	// Objective.
	if set("loss") {
		cfg.Losses = c.String("loss")
	}
	if set("gan") {
		cfg.GAN = c.String("gan")
	}
	if set("mismatch") {
		cfg.Mismatch = c.Float64("mismatch")
	}
	if set("perceptual") {
		cfg.Extractor = c.String("perceptual")
	}
	if set("perceptual-weights") {
		cfg.ExtractorWeights = c.Path("perceptual-weights")
	}
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
	if set("batch") {
		cfg.Batch = c.Int("batch")
	}
	for _, o := range []struct {
		opt       *train.Optimizer
		lr, betas string
	}{{&cfg.G, "lr", "betas"}, {&cfg.D, "lr-d", "betas-d"}} {
		if set(o.lr) {
			o.opt.LR = c.Float64(o.lr)
		}
		if set(o.betas) {
			b1, b2, err := parseBetas(c.String(o.betas))
			if err != nil {
				return cfg, usagef("train: --%s %q: %v", o.betas, c.String(o.betas), err)
			}
			o.opt.Beta1, o.opt.Beta2 = b1, b2
		}
		if set("schedule") {
			o.opt.Schedule = c.String("schedule")
		}
		if set("lr-warmup") {
			o.opt.Warmup = c.Int64("lr-warmup")
		}
	}
	if set("recon-warmup") {
		cfg.ReconWarmup = c.Int64("recon-warmup")
	}
	if set("d-warmup") {
		cfg.DWarmup = c.Int64("d-warmup")
	}
	if set("d-warmup-trains-g") {
		cfg.DWarmupTrainsG = c.Bool("d-warmup-trains-g")
	}
	if set("seed") {
		cfg.Seed = c.Uint64("seed")
	}

	// Run.
	if set("val-every") {
		cfg.ValEvery = c.Int64("val-every")
	}
	if set("checkpoint-every") {
		cfg.CheckpointEvery = c.Int64("checkpoint-every")
	}
	if set("keep") {
		cfg.Keep = c.Int("keep")
	}
	return cfg, nil
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
