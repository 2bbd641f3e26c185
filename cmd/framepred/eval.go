package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/urfave/cli/v2"

	"framepred/decode"
	"framepred/evaluate"
	"framepred/train"
)

// evalOptions are eval's flags.
type evalOptions struct {
	Checkpoints []string
	Labels      []string
	Synth       bool
	Out         string
	JSON        bool
	Horizon     int
	Samples     int
	Batch       int
	Stride      int
	Seed        int64
	Baseline    string
	Force       bool
}

// Names of eval's files in --out.
const (
	evalStem     = "eval"     // eval.txt, eval.json, eval.csv, eval.png
	lossPlotName = "loss.png" // training loss curves
)

func newEvalCommand(g *globals) *cli.Command {
	var opts evalOptions
	return &cli.Command{
		Name:      "eval",
		Usage:     "measure checkpoints side by side on the same clips",
		UsageText: "framepred eval --checkpoint CKPT [--checkpoint CKPT ...] (VIDEO... | --synth) [--out DIR] [--json]",
		Description: `eval forecasts --horizon frames from the context of each of --samples clips
with every checkpoint and measures each step against the real frames: MSE,
MAE, PSNR two ways (the mean of per-clip PSNR, and the PSNR of the mean MSE,
which rank models differently when one commits to a single future and
another averages them), SSIM, sharpness, peak intensity and, on the
built-in data (--synth: its held-out split, at the first checkpoint's
settings), the averaging index and the share of clips committed to one
possible future. Notes compare every model with the one trained on MSE
alone (the first such, or --baseline), and say plainly when a model is not
sharper than it.

The table goes to stdout (--json: the report as JSON). With --out the folder
gets eval.txt, eval.json, eval.csv, eval.png (each metric against the
horizon step) and loss.png, the training loss curves read from the
train.jsonl beside each checkpoint, when there is one.

Examples:
   framepred eval --checkpoint runs/mse --checkpoint runs/adv --synth --out report
   framepred eval -c runs/street --horizon 5 --samples 200 --json street.mp4 > street.json`,
		Flags: append(modelSetFlags("measure", &opts.Synth),
			&cli.PathFlag{Name: "out", Aliases: []string{"o"}, EnvVars: env("out"), Destination: &opts.Out, TakesFile: true,
				Usage: "also write the report and charts into `DIR` (made if missing)"},
			&cli.BoolFlag{Name: "json", EnvVars: env("json"), Destination: &opts.JSON,
				Usage: "print the report as JSON instead of a table"},
			&cli.IntFlag{Name: "horizon", EnvVars: env("horizon"), Value: 3, Destination: &opts.Horizon,
				Usage: "forecast `T` frames from each context"},
			&cli.IntFlag{Name: "samples", Aliases: []string{"n"}, EnvVars: env("samples"), Value: evaluate.DefaultSamples, Destination: &opts.Samples,
				Usage: "measure on `N` clips (fewer if the videos end first)"},
			&cli.IntFlag{Name: "batch", EnvVars: env("batch"), Value: evaluate.DefaultBatch, Destination: &opts.Batch,
				Usage: "forecast `N` clips at once"},
			&cli.IntFlag{Name: "stride", EnvVars: env("stride"), Value: 1, Destination: &opts.Stride,
				Usage: "video: `N` frames between the starts of consecutive clips"},
			modelSetSizeFlag(),
			&cli.Int64Flag{Name: "seed", EnvVars: env("seed"), Destination: &opts.Seed,
				Usage: "recorded in the report; video clips are read in file order"},
			&cli.StringFlag{Name: "baseline", EnvVars: env("baseline"), Destination: &opts.Baseline, DefaultText: "the first model trained on MSE alone",
				Usage: "compare the others with the model named `NAME`"},
			&cli.BoolFlag{Name: "force", EnvVars: env("force"), Destination: &opts.Force,
				Usage: "replace the files in --out if they exist"},
		),
		Action: func(c *cli.Context) error {
			opts.Checkpoints, opts.Labels = c.StringSlice("checkpoint"), c.StringSlice("label")
			switch {
			case len(opts.Checkpoints) == 0:
				return usagef("eval: --checkpoint CKPT is needed")
			case opts.Synth == (c.NArg() > 0):
				return usagef("eval: give video files or --synth (one of the two)")
			case opts.Horizon < 1 || opts.Samples < 1 || opts.Batch < 1 || opts.Stride < 1:
				return usagef("eval: --horizon, --samples, --batch and --stride must be at least 1")
			}
			return runEval(c, opts, g)
		},
	}
}

func runEval(c *cli.Context, opts evalOptions, g *globals) error {
	ms, err := loadModels(opts.Checkpoints, opts.Labels)
	if err != nil {
		return err
	}
	defer ms.close()
	if opts.Out != "" && !opts.Force {
		for _, name := range evalFiles() {
			if err := checkNew(filepath.Join(opts.Out, name)); err != nil {
				return fmt.Errorf("eval: %w", err)
			}
		}
	}
	w, h, err := ms.size(c)
	if err != nil {
		return err
	}
	var data evaluate.Data
	if opts.Synth {
		data, err = evaluate.Synth(ms.synthConfig(w, h, opts.Horizon))
		if err != nil {
			return usageError{err}
		}
	} else {
		paths, err := decode.Files(c.Args().Slice())
		if err != nil {
			return err
		}
		k, _ := ms.context()
		dopts := ms.videoOptions(w, h)
		dopts.Verbose = g.verbose
		if data, err = evaluate.Video(paths, dopts, decode.ClipOptions{Context: k, Future: opts.Horizon, Stride: opts.Stride}); err != nil {
			return err
		}
	}
	report, err := evaluateModels(c.Context, g, ms, data, evaluate.Options{
		Horizon: opts.Horizon, Samples: opts.Samples, Batch: opts.Batch, Seed: opts.Seed, Baseline: opts.Baseline,
	})
	if err != nil {
		return err
	}
	if opts.JSON {
		err = report.WriteJSON(g.stdout)
	} else {
		err = report.WriteText(g.stdout)
	}
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if opts.Out == "" {
		return nil
	}
	paths, err := saveReport(g, report, ms, opts.Out, opts.Force)
	for _, p := range paths {
		g.log.Info("wrote", "file", p)
	}
	return err
}

// evalFiles lists the files eval writes into --out.
func evalFiles() []string {
	return []string{evalStem + ".txt", evalStem + ".json", evalStem + ".csv", evalStem + ".png", lossPlotName}
}

// evaluateModels runs the evaluation with a progress bar.
func evaluateModels(ctx context.Context, g *globals, ms modelSet, data evaluate.Data, opts evaluate.Options) (*evaluate.Report, error) {
	models := make([]evaluate.Model, len(ms))
	for i, m := range ms {
		in := evaluate.ModelInfo{Checkpoint: m.info.Path, Step: m.info.Step, Loss: m.info.Losses, Extractor: m.info.Extractor}
		if m.hasRun {
			in.Seed = int64(m.run.Seed)
		}
		models[i] = evaluate.Model{Name: m.label, Predictor: m.pred, Info: in}
	}
	pr := g.progress("eval", "clips")
	defer pr.Done()
	opts.Progress = func(done, total int) { pr.Update(done, total) }
	r, err := evaluate.Run(ctx, models, data, opts)
	if err != nil && !errors.Is(err, context.Canceled) {
		err = fmt.Errorf("eval: %w", err)
	}
	return r, err
}

// saveReport writes the report's files and the models' loss curves into
// dir and returns their paths.
func saveReport(g *globals, r *evaluate.Report, ms modelSet, dir string, force bool) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("eval: cannot make folder %s: %w", dir, cause(err))
	}
	paths, err := r.Save(dir, evalStem, evaluate.SaveOptions{Force: force})
	if err != nil {
		return paths, err
	}
	curves, err := lossCurves(ms)
	if err != nil {
		return paths, err
	}
	if len(curves) == 0 {
		g.log.Info("no training logs beside the checkpoints: no loss chart")
		return paths, nil
	}
	p := filepath.Join(dir, lossPlotName)
	if err := evaluate.SaveLossPlot(p, curves, evaluate.LossPlotOptions{}, force); err != nil {
		return paths, err
	}
	return append(paths, p), nil
}

// lossCurves reads each model's training log, the train.jsonl beside its
// checkpoint, into loss curves: every logged term, their weighted total
// and the discriminator's loss, by step. Models without a log are left out.
func lossCurves(ms modelSet) ([]evaluate.LossCurve, error) {
	var curves []evaluate.LossCurve
	for _, m := range ms {
		path := filepath.Join(filepath.Dir(m.info.Path), train.LogName)
		recs, err := train.ReadLog(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		curve := evaluate.LossCurve{Model: m.label, Terms: map[string][]float64{}}
		var steps []train.Record
		names := map[string]bool{}
		for _, r := range recs {
			if r.Type != train.RecordStep || r.Step > m.info.Step {
				continue
			}
			steps = append(steps, r)
			for t := range r.Terms {
				names[t] = true
			}
			if r.Terms != nil {
				names["total"] = true
			}
			if r.DLoss != 0 {
				names["d_loss"] = true
			}
		}
		if len(steps) == 0 {
			continue
		}
		keys := make([]string, 0, len(names))
		for k := range names {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, r := range steps {
			curve.Steps = append(curve.Steps, int(r.Step))
			for _, k := range keys {
				v, ok := r.Terms[k]
				switch {
				case k == "total" && r.Terms != nil:
					v, ok = r.Total, true
				case k == "d_loss" && r.DLoss != 0:
					v, ok = r.DLoss, true
				}
				if !ok {
					v = math.NaN()
				}
				curve.Terms[k] = append(curve.Terms[k], v)
			}
		}
		curves = append(curves, curve)
	}
	return curves, nil
}
