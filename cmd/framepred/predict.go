package main

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/urfave/cli/v2"

	"framepred/decode"
	"framepred/encode"
	"framepred/frame"
	"framepred/metrics"
)

// predictOptions are predict's flags.
type predictOptions struct {
	Checkpoint string
	Out        string
	Horizon    int
	Rolling    bool
	At         int // -1: after the last frame
	Batch      int
	CRF        int
	Force      bool
}

func newPredictCommand(g *globals) *cli.Command {
	var opts predictOptions
	return &cli.Command{
		Name:      "predict",
		Usage:     "continue a video with a trained predictor, or predict each of its frames",
		UsageText: "framepred predict --checkpoint CKPT [--horizon T | --rolling] [--at N] -o OUT.mp4 VIDEO",
		Description: `predict decodes VIDEO the way the checkpoint's run saw video (its frame size,
gray or colour, aspect mode and frame rate; --size changes the size) and
writes an H.264 MP4:

  by default, the last K frames of the video (K is the predictor's context)
  followed by --horizon predicted frames, each prediction fed back as the
  newest context frame (an autoregressive rollout); --at N starts the
  prediction at frame N instead of after the end, and real frames that
  follow are then used to score each predicted frame (PSNR on stdout);

  with --rolling, one prediction for every frame from the K-th on, each from
  the K real frames before it, after the first K real frames: the output is
  as long as the video and lines up with it frame for frame. The mean PSNR
  against the real frames is printed.

A video with fewer frames than the predictor needs is an error that says how
many it has. --checkpoint takes a checkpoint file or a run's folder (its
newest step checkpoint).

Examples:
   framepred predict --checkpoint runs/street -o next.mp4 street.mp4
   framepred predict --checkpoint runs/street/best.safetensors --horizon 25 --at 100 -o from100.mp4 street.mp4
   framepred predict --checkpoint runs/street --rolling -o rolling.mp4 street.mp4`,
		Flags: []cli.Flag{
			&cli.PathFlag{Name: "checkpoint", Aliases: []string{"c"}, EnvVars: env("checkpoint"), Destination: &opts.Checkpoint, TakesFile: true,
				Usage: "the predictor: a checkpoint `CKPT` or a run's folder"},
			&cli.PathFlag{Name: "out", Aliases: []string{"o"}, EnvVars: env("out"), Destination: &opts.Out, TakesFile: true,
				Usage: "write the MP4 to `FILE`"},
			&cli.IntFlag{Name: "horizon", EnvVars: env("horizon"), Value: 8, Destination: &opts.Horizon,
				Usage: "predict `T` frames after the context"},
			&cli.BoolFlag{Name: "rolling", EnvVars: env("rolling"), Destination: &opts.Rolling,
				Usage: "predict every frame from the K real frames before it, over the whole video"},
			&cli.IntFlag{Name: "at", EnvVars: env("at"), Value: -1, Destination: &opts.At, DefaultText: "after the last frame",
				Usage: "start predicting at frame `N` (counted from 0), the K frames before it being the context"},
			&cli.IntFlag{Name: "size", EnvVars: env("size"), DefaultText: "the checkpoint's training size",
				Usage: "decode frames at `PX`×PX"},
			&cli.IntFlag{Name: "batch", EnvVars: env("batch"), Value: 32, Destination: &opts.Batch,
				Usage: "--rolling: predict `N` frames at once"},
			&cli.IntFlag{Name: "crf", EnvVars: env("crf"), Value: encode.DefaultCRF, Destination: &opts.CRF,
				Usage: "H.264 quality `Q`, 1 (best) to 51 (smallest files)"},
			&cli.BoolFlag{Name: "force", EnvVars: env("force"), Destination: &opts.Force,
				Usage: "replace OUT.mp4 if it exists"},
		},
		Action: func(c *cli.Context) error {
			switch {
			case opts.Checkpoint == "" || opts.Out == "":
				return usagef("predict: --checkpoint CKPT and -o OUT.mp4 are both needed")
			case c.NArg() != 1:
				return usagef("predict: give one video file (got %d arguments)", c.NArg())
			case opts.Horizon < 1:
				return usagef("predict: --horizon %d: want at least 1 frame", opts.Horizon)
			case opts.Rolling && (c.IsSet("horizon") || c.IsSet("at")):
				return usagef("predict: --rolling predicts every frame; it takes no --horizon or --at")
			case opts.Batch < 1:
				return usagef("predict: --batch %d: want at least 1", opts.Batch)
			case opts.CRF < 1 || opts.CRF > 51:
				return usagef("predict: --crf %d: want 1 to 51", opts.CRF)
			}
			return runPredict(c, opts, g, c.Args().First())
		},
	}
}

func runPredict(c *cli.Context, opts predictOptions, g *globals, video string) (err error) {
	if !opts.Force { // before any work, and in the command line's words
		if err := checkNew(opts.Out); err != nil {
			return err
		}
	}
	ms, err := loadModels([]string{opts.Checkpoint}, nil)
	if err != nil {
		return err
	}
	defer ms.close()
	m := ms[0]
	w, h, err := ms.size(c)
	if err != nil {
		return err
	}
	dopts := ms.videoOptions(w, h)
	dopts.Verbose = g.verbose
	r, err := decode.Open(video, dopts)
	if err != nil {
		return err
	}
	defer r.Close()
	fps := dopts.FPS
	if fps == 0 {
		fps = r.Info().FPS
	}
	wr, err := encode.Create(opts.Out, encode.Options{FPS: max(1, int(math.Round(fps))), CRF: opts.CRF, Force: opts.Force})
	if err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	defer func() {
		if err != nil {
			wr.Abort()
		}
	}()
	var summary string
	if opts.Rolling {
		summary, err = predictRolling(c.Context, g, m, r, wr, opts.Batch, video)
	} else {
		summary, err = predictAhead(c.Context, m, r, wr, opts, video)
	}
	if err != nil {
		return err
	}
	if err := wr.Close(); err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	kind := "gray"
	if m.info.Config.Channels == 3 {
		kind = "RGB"
	}
	_, err = fmt.Fprintf(g.stdout, "wrote %s: %s (%dx%d %s, %d fps, predictor %s)\n", opts.Out, summary, w, h, kind, max(1, int(math.Round(fps))), m.label)
	return err
}

// predictAhead writes the K context frames and the rollout from them; with
// --at it scores the predictions against the real frames that follow.
func predictAhead(ctx context.Context, m *loadedModel, r *decode.Reader, wr *encode.Writer, opts predictOptions, video string) (string, error) {
	k := m.info.Config.Context
	if opts.At >= 0 && opts.At < k {
		return "", usagef("predict: --at %d: the predictor needs %d context frames before it", opts.At, k)
	}
	var win, truth []frame.Frame
	n := 0
	for opts.At < 0 || n < opts.At+opts.Horizon {
		f, ok, err := next(ctx, r.Next)
		if err != nil {
			return "", err
		}
		if !ok {
			break
		}
		if opts.At < 0 || n < opts.At {
			if len(win) == k {
				win = append(win[:0], win[1:]...)
			}
			win = append(win, f)
		} else {
			truth = append(truth, f)
		}
		n++
	}
	switch {
	case n < k:
		return "", fmt.Errorf("predict: %s: %w: it has %d %s at these settings, the predictor needs %d context frames", video, decode.ErrTooShort, n, plural(n, "frame"), k)
	case opts.At > n:
		return "", fmt.Errorf("predict: %s: --at %d is past its end: it has %d frames at these settings", video, opts.At, n)
	}
	preds, err := m.pred.Rollout(win, opts.Horizon)
	if err != nil {
		return "", fmt.Errorf("predict: %w", err)
	}
	for _, f := range append(append([]frame.Frame(nil), win...), preds...) {
		if err := wr.Write(f); err != nil {
			return "", fmt.Errorf("predict: %w", err)
		}
	}
	start := n - len(truth) - k
	s := fmt.Sprintf("%d context frames (frames %d-%d of %s) and %d predicted", k, start, start+k-1, video, opts.Horizon)
	if len(truth) > 0 {
		var ps []string
		for i, t := range truth {
			ps = append(ps, fmt.Sprintf("%.1f", metrics.PSNR(preds[i], t)))
		}
		s += fmt.Sprintf("; PSNR in dB of the predicted frames against the real ones: %s", strings.Join(ps, " "))
	}
	return s, nil
}

// predictRolling writes the first K frames and then, for every later
// frame, the prediction from the K real frames before it.
func predictRolling(ctx context.Context, g *globals, m *loadedModel, r *decode.Reader, wr *encode.Writer, batch int, video string) (string, error) {
	k := m.info.Config.Context
	pr := g.progress("predict", "frames")
	defer pr.Done()
	total := r.Info().Frames
	var (
		win      []frame.Frame   // the last k real frames
		contexts [][]frame.Frame // pending predictions' contexts
		truths   []frame.Frame   // and the real frames they predict
		mses     []float64
		n        int
	)
	flush := func() error {
		if len(contexts) == 0 {
			return nil
		}
		preds, err := m.pred.Predict(contexts)
		if err != nil {
			return fmt.Errorf("predict: %w", err)
		}
		for i, p := range preds {
			// At most 100 dB, as evaluate caps PSNR: one exact frame
			// would make the mean of per-frame PSNR infinite.
			mses = append(mses, max(metrics.MSE(p, truths[i]), 1e-10))
			if err := wr.Write(p); err != nil {
				return fmt.Errorf("predict: %w", err)
			}
		}
		contexts, truths = contexts[:0], truths[:0]
		pr.Update(n, total)
		return nil
	}
	for {
		f, ok, err := next(ctx, r.Next)
		if err != nil {
			return "", err
		}
		if !ok {
			break
		}
		n++
		if len(win) < k {
			win = append(win, f)
			if err := wr.Write(f); err != nil {
				return "", fmt.Errorf("predict: %w", err)
			}
			continue
		}
		contexts = append(contexts, append([]frame.Frame(nil), win...))
		truths = append(truths, f)
		win = append(win[1:], f)
		if len(contexts) == batch {
			if err := flush(); err != nil {
				return "", err
			}
		}
	}
	if err := flush(); err != nil {
		return "", err
	}
	if n <= k {
		return "", fmt.Errorf("predict: %s: %w: it has %d %s at these settings; --rolling needs more than the predictor's %d context frames", video, decode.ErrTooShort, n, plural(n, "frame"), k)
	}
	return fmt.Sprintf("%d frames, the first %d real, then %d predictions each from the %d real frames before it; PSNR against the real frames %.2f dB mean per frame, %.2f dB of the mean MSE",
		n, k, len(mses), k, metrics.MeanPSNR(mses), metrics.PSNROfMeanMSE(mses)), nil
}
