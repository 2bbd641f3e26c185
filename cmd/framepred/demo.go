package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"framepred/encode"
	"framepred/evaluate"
	"framepred/ops"
	"framepred/synth"
	"framepred/train"
)

// demoOptions are demo's flags.
type demoOptions struct {
	Out        string
	Force      bool
	Quick      bool
	StepsScale float64
	Samples    int
	Threads    int
	Device     string
}

// The demo's settings: how many clips it writes for show, how far its
// evaluation and reel look ahead, and the reel's rows.
const (
	demoClips       = 8
	demoHorizon     = 3
	demoReelSamples = 4
	quickScale      = 0.02 // --quick: 20 + 20 + 25 steps
	quickSamples    = 64
)

// A demo run: its folder under runs/ and its name in progress lines.
type demoRun struct {
	dir, what string
	cfg       train.Config
}

func newDemoCommand(g *globals) *cli.Command {
	var opts demoOptions
	return &cli.Command{
		Name:      "demo",
		Usage:     "train MSE, perceptual and adversarial predictors on the built-in data and compare them",
		UsageText: "framepred demo --out DIR [--force] [--quick | --steps-scale F]",
		Description: `demo runs framepred's whole experiment on the built-in two-futures data set
(a square moves, then jumps to one of two places, each equally likely) and
writes what it shows into DIR:

  1. clips/: 8 of the built-in clips as MP4s with a contact sheet (sheet.png)
     and their manifest; training draws its clips from the generator;
  2. runs/mse: a predictor trained with MSE alone (1000 steps, batch 32,
     Adam lr 1e-3);
     runs/perceptual: MSE + perceptual (the edge extractor, weight 1), the
     same steps from fresh weights;
     runs/adversarial: from the MSE model's weights, MSE + perceptual
     (edges, 0.01) + adversarial (0.05, LSGAN, mismatched pairs at weight
     1), Adam betas (0.5, 0.999), predictor lr 2e-4, discriminator lr 1e-3:
     250 discriminator warm-up steps (the predictor still learning from the
     other terms), then 1000 joint steps;
  3. reel.mp4 (and its first predicted frame, reel.png): 4 held-out clips,
     each with its context, both possible futures and the three models'
     predictions over 3 frames; eval.txt, eval.json, eval.csv: every metric
     on 512 held-out clips (averaging index, committed share, peak
     intensity, PSNR two ways, SSIM, sharpness), eval.png: each metric
     against the horizon step, loss.png: the training loss curves;
  4. a three-line summary of the numbers on stdout, as measured: when a
     model does not commit or is not sharper than MSE, it says so.

It takes about 8 minutes on two cores; --device trains on a GPU as train
does. --quick (a fiftieth of the steps, 64 clips measured) or --steps-scale
shortens it for a smoke test; the numbers then mean little. An existing DIR
with demo files in it is replaced only with --force.

Examples:
   framepred demo --out out/demo
   framepred demo --out /tmp/demo --quick --force`,
		Flags: []cli.Flag{
			&cli.PathFlag{Name: "out", Aliases: []string{"o"}, EnvVars: env("out"), Destination: &opts.Out, TakesFile: true,
				Usage: "write everything into `DIR`"},
			&cli.BoolFlag{Name: "force", EnvVars: env("force"), Destination: &opts.Force,
				Usage: "replace the demo's files and runs in DIR (other files are left alone)"},
			&cli.BoolFlag{Name: "quick", EnvVars: env("quick"), Destination: &opts.Quick,
				Usage: fmt.Sprintf("a smoke test: --steps-scale %g and %d clips measured", quickScale, quickSamples)},
			&cli.Float64Flag{Name: "steps-scale", EnvVars: env("steps-scale"), Value: 1, Destination: &opts.StepsScale,
				Usage: "train `F` times the recipe's steps (and warm-up, validation and checkpoint intervals)"},
			&cli.IntFlag{Name: "samples", Aliases: []string{"n"}, EnvVars: env("samples"), Value: evaluate.DefaultSamples, Destination: &opts.Samples,
				Usage: "measure the models on `N` held-out clips"},
			&cli.IntFlag{Name: "threads", EnvVars: env("threads"), Destination: &opts.Threads, DefaultText: "one per core",
				Usage: "`N` goroutines for the kernels"},
			deviceFlag(),
		},
		Action: func(c *cli.Context) error {
			if opts.Out == "" {
				return usagef("demo: --out DIR is needed")
			}
			if opts.Quick {
				if c.IsSet("steps-scale") {
					return usagef("demo: --quick sets the steps; give it or --steps-scale, not both")
				}
				opts.StepsScale = quickScale
				if !c.IsSet("samples") {
					opts.Samples = quickSamples
				}
			}
			if !(opts.StepsScale > 0) || opts.StepsScale > 100 {
				return usagef("demo: --steps-scale %v: want a number above 0, at most 100", opts.StepsScale)
			}
			if opts.Samples < 1 {
				return usagef("demo: --samples %d: want at least 1", opts.Samples)
			}
			opts.Device = c.String("device")
			return runDemo(c.Context, opts, g)
		},
	}
}

// demoRuns returns the three training runs of the recipe, their steps
// scaled by scale.
func demoRuns(dir string, scale float64, valSamples int) []demoRun {
	steps := func(n int64) int64 { return max(1, int64(math.Round(float64(n)*scale))) }
	mse := train.DefaultConfig()
	mse.Steps = steps(1000)
	mse.ValEvery, mse.CheckpointEvery, mse.Keep = steps(250), steps(250), 1
	mse.Data.ValSamples = min(valSamples, mse.Data.ValSamples)

	perc := mse
	perc.Losses = "mse=1,perceptual=1"
	perc.Extractor = "edges"

	adv := mse
	adv.Init = "" // set when the MSE run is done
	adv.Losses = "mse=1,perceptual=0.01,adv=0.05"
	adv.Extractor = "edges"
	adv.GAN = "lsgan"
	adv.Mismatch = 1
	adv.G = train.Optimizer{LR: 2e-4, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8, Schedule: "constant"}
	adv.D = train.Optimizer{LR: 1e-3, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8, Schedule: "constant"}
	adv.DWarmup, adv.DWarmupTrainsG = steps(250), true
	adv.Steps = adv.DWarmup + steps(1000)

	runs := filepath.Join(dir, "runs")
	return []demoRun{
		{filepath.Join(runs, "mse"), "MSE", mse},
		{filepath.Join(runs, "perceptual"), "MSE + perceptual", perc},
		{filepath.Join(runs, "adversarial"), "MSE + perceptual + adversarial", adv},
	}
}

// demoFiles lists the files the demo writes at the top of its folder.
func demoFiles() []string {
	return append([]string{"reel.mp4", "reel.png"}, evalFiles()...)
}

func runDemo(ctx context.Context, opts demoOptions, g *globals) error {
	start := time.Now()
	if opts.Threads > 0 {
		ops.SetWorkers(opts.Threads)
	}
	runs := demoRuns(opts.Out, opts.StepsScale, opts.Samples)
	if err := prepareDemo(opts.Out, runs, opts.Force); err != nil {
		return err
	}
	on, err := trainDevice(opts.Device, machineDevices(), g.log)
	if err != nil {
		return err
	}
	phase := func(n int, what string) {
		g.log.Info(fmt.Sprintf("demo [%d/5] %s", n, what), "elapsed", time.Since(start).Round(time.Second))
	}

	phase(1, "writing built-in clips for show")
	so := synthOptions{Out: filepath.Join(opts.Out, "clips"), Count: demoClips, Size: 32, Context: 4, Future: 1, Branches: 2,
		FPS: encode.DefaultReelFPS, CRF: encode.DefaultCRF, Sheet: demoClips, Force: opts.Force}
	if _, _, err := writeSynth(ctx, so, g); err != nil {
		return err
	}

	var ckpts []string
	for i, r := range runs {
		if i == 2 {
			r.cfg.Init = ckpts[0] // the adversarial run starts from the MSE model
		}
		phase(2+i, fmt.Sprintf("training %s, %d steps", r.what, r.cfg.Steps))
		res, err := trainRun(ctx, g, r.cfg, r.dir, false, r.what, on)
		if errors.Is(err, context.Canceled) {
			return interruptedf(err, "demo interrupted while training %s; start it again with --force", r.what)
		}
		if err != nil {
			return err
		}
		ckpts = append(ckpts, res.Checkpoint)
	}

	phase(5, fmt.Sprintf("measuring on %d held-out clips, drawing the reel and charts", opts.Samples))
	ms, err := loadModels(ckpts, nil)
	if err != nil {
		return err
	}
	defer ms.close()
	cfg := synth.DefaultConfig()
	cfg.Future = demoHorizon
	data, err := evaluate.Synth(cfg)
	if err != nil {
		return err
	}
	report, err := evaluateModels(ctx, g, ms, data, evaluate.Options{Horizon: demoHorizon, Samples: opts.Samples})
	if err != nil {
		return err
	}
	if _, err := saveReport(g, report, ms, opts.Out, opts.Force); err != nil {
		return err
	}
	clips, err := heldOutClips(cfg, demoReelSamples)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("framepred demo: two possible futures; %d context frames, %d predicted", cfg.Context, demoHorizon)
	reel, err := makeReel(clips, ms, demoHorizon, title, encode.DefaultPanelSize)
	if err != nil {
		return err
	}
	if err := writeReel(filepath.Join(opts.Out, "reel.mp4"), filepath.Join(opts.Out, "reel.png"), reel, cfg.Context, encode.DefaultReelFPS, opts.Force); err != nil {
		return err
	}
	return printDemo(g.stdout, opts, runs, report, time.Since(start))
}

// prepareDemo refuses to write into a folder that holds the demo's files
// unless force, and with force removes the old runs (the trainer does not
// start a run in a folder that holds one).
func prepareDemo(dir string, runs []demoRun, force bool) error {
	var inTheWay []string
	for _, name := range append(demoFiles(), "clips", "runs") {
		p := filepath.Join(dir, name)
		if _, err := os.Lstat(p); err == nil {
			inTheWay = append(inTheWay, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("demo: %w", err)
		}
	}
	if len(inTheWay) > 0 && !force {
		return fmt.Errorf("demo: %s already holds the demo's files (%s, ...); use --force to replace them", dir, inTheWay[0])
	}
	for _, r := range runs {
		if err := os.RemoveAll(r.dir); err != nil {
			return fmt.Errorf("demo: cannot remove the old run %s: %w", r.dir, cause(err))
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("demo: cannot make folder %s: %w", dir, cause(err))
	}
	return nil
}

// printDemo says where every file is and what the numbers show.
func printDemo(w io.Writer, opts demoOptions, runs []demoRun, r *evaluate.Report, took time.Duration) error {
	p := func(name string) string { return filepath.Join(opts.Out, name) }
	fmt.Fprintf(w, "framepred demo: done in %s (%.3g× the recipe's steps)\n", took.Round(time.Second), opts.StepsScale)
	fmt.Fprintf(w, "  %-28s %d built-in clips as MP4, their contact sheet and manifest\n", p("clips")+"/", demoClips)
	for _, run := range runs {
		fmt.Fprintf(w, "  %-28s %s: checkpoints and training log (%s)\n", run.dir+"/", run.what, train.LogName)
	}
	fmt.Fprintf(w, "  %-28s the comparison reel: context, both possible futures, one panel per model\n", p("reel.mp4"))
	fmt.Fprintf(w, "  %-28s its first predicted frame\n", p("reel.png"))
	fmt.Fprintf(w, "  %-28s the metrics table with notes (also %s, %s)\n", p("eval.txt"), evalStem+".json", evalStem+".csv")
	fmt.Fprintf(w, "  %-28s each metric against the horizon step\n", p("eval.png"))
	fmt.Fprintf(w, "  %-28s the training loss curves\n", p(lossPlotName))
	fmt.Fprintf(w, "Summary at the branch point (%d held-out clips; details in %s):\n", r.Samples, p("eval.txt"))
	for _, line := range demoSummary(r) {
		fmt.Fprintf(w, "  %s\n", line)
	}
	return nil
}

// demoSummary says in one line per model what the numbers at the branch
// point show, as measured: a model that does not commit, or is not
// sharper than the MSE model by the gradient measures, is said to be so.
func demoSummary(r *evaluate.Report) []string {
	b := 0
	for i, m := range r.Models {
		if m.Name == r.Baseline {
			b = i
		}
	}
	base := r.Models[b].Steps[0]
	var lines []string
	for i, m := range r.Models {
		s := m.Steps[0]
		committed := float64(s.CommittedShare)
		var verdict string
		switch {
		case committed >= 0.5:
			verdict = fmt.Sprintf("commits to one future in %.1f%% of the clips", 100*committed)
		case float64(s.AveragingIndex) >= 0.5:
			verdict = fmt.Sprintf("averages the two futures (commits in %.1f%% of the clips)", 100*committed)
		default:
			verdict = fmt.Sprintf("neither commits (%.1f%% of the clips) nor clearly averages", 100*committed)
		}
		if i != b {
			ratio, bRatio := float64(s.SharpnessRatio), float64(base.SharpnessRatio)
			diff, bDiff := float64(s.SharpnessDiff), float64(base.SharpnessDiff)
			if math.Abs(math.Log(ratio)) < math.Abs(math.Log(bRatio)) && diff > bDiff {
				verdict += fmt.Sprintf(", and is sharper than %s by both gradient measures", r.Models[b].Name)
			} else {
				verdict += fmt.Sprintf(", but is NOT sharper than %s by the gradient measures (ratio %.2f vs %.2f, difference %.1f vs %.1f dB)",
					r.Models[b].Name, ratio, bRatio, diff, bDiff)
			}
		}
		lines = append(lines, fmt.Sprintf("%s: %s; averaging index %.3f, peak %.2f, PSNR %.2f dB mean per clip / %.2f dB of the mean MSE, sharpness ratio %.2f",
			m.Name, verdict, float64(s.AveragingIndex), float64(s.Peak), float64(s.PSNRMean), float64(s.PSNROfMeanMSE), float64(s.SharpnessRatio)))
	}
	return lines
}
