package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"framepred/checkpoint"
	"framepred/device"
	"framepred/ops"
	"framepred/train"
)

// Flag categories of train's help.
const (
	catData  = "Data"
	catLoss  = "Objective"
	catNet   = "Network"
	catOptim = "Optimiser"
	catRun   = "Run"
)

func newTrainCommand(g *globals) *cli.Command {
	d := train.DefaultConfig()
	return &cli.Command{
		Name:      "train",
		Usage:     "train a next-frame predictor on video files or on the built-in two-futures data",
		UsageText: "framepred train --out DIR [flags] (FILE|DIR|PATTERN... | --synth | --resume)",
		Description: `train fits a predictor that sees --context frames and predicts the next one.
The data is either video files (named one by one, as folders, or as quoted
patterns such as "clips/*.mp4"), cut into every window of context + 1 frames,
or with --synth the built-in two-futures data set, drawn afresh for every
step. One of the two must be given: train never falls back to the built-in
data when the file list is empty.

Before training every video file is decoded once at the training settings:
a file that cannot be read, is cut off or is shorter than one clip stops the
command with one line naming it, before any step is taken. A share of each
file's clips (--val-share) is held out for validation.

The objective is a weighted sum of mse, l1, gdl, perceptual and adv
(--loss mse=1,perceptual=0.01,adv=0.05). An adv term trains a discriminator
too (--gan, --lr-d, --betas-d, --mismatch); --recon-warmup steps train the
predictor on the other terms first, --d-warmup steps then train the
discriminator alone. --init starts the predictor from another run's weights,
the usual way to add the adversarial term to an MSE-trained predictor.

Checkpoints (step-NNNNNN.safetensors, the newest --keep of them, and
best.safetensors by validation loss) and a JSON-lines log of every step
(train.jsonl) go to --out. Ctrl-C or SIGTERM finishes the step under way,
saves it and exits with code 130; --resume continues the run in --out from
its newest checkpoint exactly where it stopped, with the saved settings and
only the flags given again (--steps may grow). A loss that turns NaN stops
the run with exit code 1, naming the last good checkpoint.

--device picks where the training steps run: cuda or cuda:N a GPU (an error
that names what is missing when there is none), cpu, or auto (the default),
the first GPU when there is one and the CPU otherwise. Validation runs on the
CPU. The CUDA libraries are opened at run time; the folders in
$FRAMEPRED_CUDA_LIBS are searched first.

Settings can also come from a TOML file (--config), keys being the long flag
names.

Examples:
   framepred train --synth --out runs/mse
   framepred train --synth --out runs/adv --init runs/mse --loss mse=1,adv=0.05 --lr 2e-4 --betas 0.5,0.999 --d-warmup 250 --d-warmup-trains-g --steps 1250
   framepred train --out runs/street --size 64 --rgb --epochs 5 --fps 10 street.mp4 "more/*.mkv"
   framepred train --out runs/street --resume --steps 20000
   framepred train --synth --out runs/vgg --loss mse=1,perceptual=0.01 --perceptual vgg19 --perceptual-weights vgg19.safetensors`,
		Flags: []cli.Flag{
			// Data
			&cli.BoolFlag{Name: "synth", EnvVars: env("synth"), Category: catData,
				Usage: "train on the built-in two-futures data set instead of video files"},
			&cli.IntFlag{Name: "size", EnvVars: env("size"), Value: 32, Category: catData, DefaultText: "32 with --synth, 64 for video",
				Usage: "width and height of the frames in `PX`; a multiple of 2^net-depth"},
			&cli.BoolFlag{Name: "rgb", EnvVars: env("rgb"), Category: catData,
				Usage: "colour frames (3 channels) instead of gray ones"},
			&cli.IntFlag{Name: "context", EnvVars: env("context"), Value: d.Model.Context, Category: catData,
				Usage: "`K` context frames the predictor sees"},
			&cli.Float64Flag{Name: "fps", EnvVars: env("fps"), Category: catData, DefaultText: "every decoded frame",
				Usage: "video: resample to `F` frames per second"},
			&cli.StringFlag{Name: "aspect", EnvVars: env("aspect"), Value: "crop", Category: catData,
				Usage: "video: fit frames of another shape by `crop` (the centre) or stretch"},
			&cli.IntFlag{Name: "stride", EnvVars: env("stride"), Value: 1, Category: catData,
				Usage: "video: `N` frames between the starts of consecutive clips"},
			&cli.Float64Flag{Name: "val-share", EnvVars: env("val-share"), Value: 0.1, Category: catData,
				Usage: "video: share `S` of the clips held out for validation, 0 to less than 1"},
			&cli.IntFlag{Name: "val-samples", EnvVars: env("val-samples"), Value: d.Data.ValSamples, Category: catData,
				Usage: "validate on `N` held-out clips (at most)"},
			// Objective
			&cli.StringFlag{Name: "loss", EnvVars: env("loss"), Value: d.Losses, Category: catLoss,
				Usage: "the objective as `TERM=WEIGHT,...` over mse, l1, gdl, perceptual, adv"},
			&cli.StringFlag{Name: "gan", EnvVars: env("gan"), Value: d.GAN, Category: catLoss,
				Usage: "adversarial loss `KIND`: lsgan or bce"},
			&cli.Float64Flag{Name: "mismatch", EnvVars: env("mismatch"), Value: d.Mismatch, Category: catLoss,
				Usage: "weight `W` of mismatched pairs (a real next frame shown with another clip's context) among the discriminator's fakes; 0 for none"},
			&cli.StringFlag{Name: "perceptual", EnvVars: env("perceptual"), Value: d.Extractor, Category: catLoss,
				Usage: "feature extractor `SPEC` of the perceptual term: edges, random, vgg19, vgg16, or vgg19:relu1_2,relu2_2"},
			&cli.PathFlag{Name: "perceptual-weights", EnvVars: env("perceptual-weights"), Category: catLoss, TakesFile: true,
				Usage: "safetensors `FILE` of ImageNet weights for vgg19 or vgg16 (framepred downloads nothing; see the README)"},
			// Network
			&cli.IntFlag{Name: "net-width", EnvVars: env("net-width"), Value: d.Model.Width, Category: catNet,
				Usage: "`N` channels at full resolution; each level below doubles it"},
			&cli.IntFlag{Name: "net-depth", EnvVars: env("net-depth"), Value: d.Model.Depth, Category: catNet,
				Usage: "`N` stride-2 downsamplings of the U-Net"},
			&cli.BoolFlag{Name: "residual", EnvVars: env("residual"), Category: catNet,
				Usage: "predict the change from the last context frame instead of the frame"},
			// Optimiser
			&cli.Int64Flag{Name: "steps", EnvVars: env("steps"), Value: d.Steps, Category: catOptim,
				Usage: "`N` optimisation steps"},
			&cli.IntFlag{Name: "epochs", EnvVars: env("epochs"), Category: catOptim, DefaultText: "use --steps",
				Usage: "video: train `N` passes over the training clips instead of --steps"},
			&cli.IntFlag{Name: "batch", EnvVars: env("batch"), Value: d.Batch, Category: catOptim,
				Usage: "`N` clips per step"},
			&cli.Float64Flag{Name: "lr", EnvVars: env("lr"), Value: d.G.LR, Category: catOptim,
				Usage: "the predictor's learning `RATE` (Adam)"},
			&cli.StringFlag{Name: "betas", EnvVars: env("betas"), Value: betas(d.G), Category: catOptim,
				Usage: "the predictor's Adam `B1,B2`"},
			&cli.Float64Flag{Name: "lr-d", EnvVars: env("lr-d"), Value: d.D.LR, Category: catOptim,
				Usage: "the discriminator's learning `RATE`"},
			&cli.StringFlag{Name: "betas-d", EnvVars: env("betas-d"), Value: betas(d.D), Category: catOptim,
				Usage: "the discriminator's Adam `B1,B2`"},
			&cli.StringFlag{Name: "schedule", EnvVars: env("schedule"), Value: d.G.Schedule, Category: catOptim,
				Usage: "learning-rate `SCHEDULE` of both networks: constant or cosine (to 0 at the last step)"},
			&cli.Int64Flag{Name: "lr-warmup", EnvVars: env("lr-warmup"), Category: catOptim,
				Usage: "`N` first steps over which the learning rates rise linearly"},
			&cli.Int64Flag{Name: "recon-warmup", EnvVars: env("recon-warmup"), Category: catOptim,
				Usage: "`N` first steps that train the predictor on every term but adv"},
			&cli.Int64Flag{Name: "d-warmup", EnvVars: env("d-warmup"), Category: catOptim,
				Usage: "`N` following steps that train the discriminator alone"},
			&cli.BoolFlag{Name: "d-warmup-trains-g", EnvVars: env("d-warmup-trains-g"), Category: catOptim,
				Usage: "during --d-warmup, keep training the predictor on every term but adv"},
			&cli.Uint64Flag{Name: "seed", EnvVars: env("seed"), Category: catOptim,
				Usage: "`S` seeds the weights, the order of the clips and the mismatched pairs"},
			// Run
			&cli.PathFlag{Name: "out", Aliases: []string{"o"}, EnvVars: env("out"), Category: catRun, TakesFile: true,
				Usage: "the run's folder `DIR`: checkpoints and train.jsonl"},
			&cli.BoolFlag{Name: "resume", EnvVars: env("resume"), Category: catRun,
				Usage: "continue the run in --out from its newest checkpoint"},
			&cli.PathFlag{Name: "init", EnvVars: env("init"), Category: catRun, TakesFile: true,
				Usage: "start the predictor from the weights of `CKPT` (a checkpoint file or a run's folder); the network and frame settings follow it unless given"},
			&cli.Int64Flag{Name: "val-every", EnvVars: env("val-every"), Value: d.ValEvery, Category: catRun,
				Usage: "validate every `N` steps (and at the end); 0: only at the end"},
			&cli.Int64Flag{Name: "checkpoint-every", EnvVars: env("checkpoint-every"), Value: d.CheckpointEvery, Category: catRun,
				Usage: "save a checkpoint every `N` steps (and at the end)"},
			&cli.IntFlag{Name: "keep", EnvVars: env("keep"), Value: d.Keep, Category: catRun,
				Usage: "keep the newest `N` step checkpoints; 0 keeps all"},
			inCategory(deviceFlag(), catRun),
			&cli.IntFlag{Name: "threads", EnvVars: env("threads"), Category: catRun, DefaultText: "one per core",
				Usage: "`N` goroutines for the kernels (results do not depend on it)"},
		},
		Action: func(c *cli.Context) error {
			return runTrain(c, g)
		},
	}
}

// runTrain sets the run up from the flags (or the saved run), checks the
// video files, and trains.
func runTrain(c *cli.Context, g *globals) error {
	out := c.Path("out")
	args := c.Args().Slice()
	resume := c.Bool("resume")
	switch {
	case out == "":
		return usagef("train: --out DIR is needed")
	case c.Bool("synth") && len(args) > 0:
		return usagef("train: give video files or --synth, not both")
	case !resume && !c.Bool("synth") && len(args) == 0:
		return usagef("train: no video files given (use --synth for the built-in data set)")
	}
	var cfg train.Config
	if resume {
		saved, path, err := train.SavedConfig(out)
		if err != nil {
			return fmt.Errorf("train: --resume: nothing to resume in %s: %w", out, err)
		}
		g.log.Debug("resuming", "from", path)
		if cfg, err = runConfig(c, saved, false, args); err != nil {
			return err
		}
	} else {
		var err error
		if cfg, err = runConfig(c, train.DefaultConfig(), true, args); err != nil {
			return err
		}
		if err := cfg.Validate(); err != nil {
			return usageError{err}
		}
		if es, err := checkpoint.List(out); err != nil {
			return err
		} else if len(es) > 0 {
			return fmt.Errorf("train: %s already holds a run (%d %s, the newest %s): continue it with --resume, or choose another --out",
				out, len(es), plural(len(es), "checkpoint"), filepath.Base(es[len(es)-1].Path))
		}
	}
	if v := cfg.Data.Video; v != nil {
		if err := checkVideos(c.Context, g, v.Paths, v.Options, cfg.Model.Context+1); err != nil {
			return err
		}
	}
	on, err := trainDevice(c.String("device"), machineDevices(), g.log)
	if err != nil {
		return err
	}
	if c.IsSet("threads") {
		ops.SetWorkers(c.Int("threads"))
	}
	res, err := trainRun(c.Context, g, cfg, out, resume, "train", on)
	if err != nil {
		return err
	}
	return printTrainResult(g, res)
}

// trainDevice resolves --device for training: the GPU asked for (an
// error, exit 1, if it is not there), or with auto the first GPU if there
// is one and the CPU otherwise.
func trainDevice(value string, p device.Prober, log *slog.Logger) (trainOn, error) {
	spec, err := device.Parse(value)
	if err != nil {
		return trainOn{}, usageError{err}
	}
	ch, err := chooseDevice(value, p, log)
	return trainOn{choice: ch, auto: spec.Auto}, err
}

// trainOn is where training runs, and whether --device auto chose it: an
// auto choice of a GPU that cannot run the trainer falls back to the CPU.
type trainOn struct {
	choice device.Choice
	auto   bool
}

// trainRun trains cfg in dir (a fresh run, or the run there with resume)
// and shows the steps under the name what.
func trainRun(ctx context.Context, g *globals, cfg train.Config, dir string, resume bool, what string, on trainOn) (train.Result, error) {
	pr := g.progress(what, "steps")
	defer pr.Done()
	opts := train.Options{Dir: dir, Logger: g.log, Progress: func(p train.Progress) {
		fields := []field{{"phase", p.Phase}, {"loss", p.Loss}}
		if p.DLoss != 0 {
			fields = append(fields, field{"d_loss", p.DLoss})
		}
		pr.Update(int(p.Step), int(p.Steps), fields...)
	}}
	start := func() (*train.Trainer, error) {
		if resume {
			return train.Resume(cfg, opts)
		}
		return train.New(cfg, opts)
	}
	opts.Device = on.choice
	tr, err := start()
	if err != nil && on.choice.Kind == device.CUDA && on.auto {
		// The trainer sets up its executor before it writes anything.
		g.log.Warn("the GPU cannot train, training on the CPU", "device", on.choice.String(), "err", err)
		opts.Device = device.Choice{Kind: device.CPU}
		tr, err = start()
	}
	if err != nil {
		return train.Result{}, err
	}
	res, err := tr.Run(ctx)
	pr.Done()
	if cerr := tr.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("train: %w", cerr)
	}
	if errors.Is(err, context.Canceled) && res.Checkpoint != "" {
		return res, interruptedf(err, "interrupted after step %d; the checkpoint is %s; continue with: framepred train --out %s --resume",
			res.Step, res.Checkpoint, dir)
	}
	return res, err
}

// printTrainResult says on stdout where the run ended.
func printTrainResult(g *globals, res train.Result) error {
	_, err := fmt.Fprintf(g.stdout, "trained to step %d; checkpoint %s\n", res.Step, res.Checkpoint)
	if err == nil && res.Best != "" {
		_, err = fmt.Fprintf(g.stdout, "lowest validation loss %.4g: %s\n", res.BestVal, res.Best)
	}
	if err == nil && res.Val != nil {
		m := res.Val.Metrics
		_, err = fmt.Fprintf(g.stdout, "last validation (%d clips): PSNR %.2f dB mean per clip, %.2f dB of the mean MSE; sharpness ratio %.3f%s\n",
			m.N, m.MeanPSNR, m.PSNROfMeanMSE, m.SharpnessRatio, branchFigures(m.Branched, m.MeanAveragingIndex, m.CommittedShare))
	}
	if err == nil {
		_, err = fmt.Fprintf(g.stdout, "log: %s\n", filepath.Join(filepath.Dir(res.Checkpoint), train.LogName))
	}
	return err
}

// branchFigures adds the averaging index and committed share when the
// clips' possible futures are known.
func branchFigures(branched int, index, committed float64) string {
	if branched == 0 {
		return ""
	}
	return fmt.Sprintf("; averaging index %.3f, committed %.1f%%", index, 100*committed)
}
