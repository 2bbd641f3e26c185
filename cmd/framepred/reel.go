package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"framepred/decode"
	"framepred/encode"
	"framepred/frame"
	"framepred/metrics"
	"framepred/synth"
)

// reelOptions are reel's flags.
type reelOptions struct {
	Checkpoints []string
	Labels      []string
	Synth       bool
	Out         string
	Still       string
	Samples     int
	Horizon     int
	Stride      int
	Panel       int
	FPS         int
	Title       string
	Force       bool
}

func newReelCommand(g *globals) *cli.Command {
	var opts reelOptions
	return &cli.Command{
		Name:      "reel",
		Usage:     "make a comparison video of checkpoints' predictions side by side",
		UsageText: "framepred reel --checkpoint CKPT [--checkpoint CKPT ...] (VIDEO... | --synth) -o REEL.mp4 [--still REEL.png]",
		Description: `reel draws, for each of --samples clips, one row of panels that play in step:
the context the models see (blue frame), the real future (green) and one
panel per checkpoint with its predictions (orange), --horizon frames each,
every prediction fed back as the newest context frame. On the built-in data
(--synth: its held-out split, at the first checkpoint's settings) the row
shows every possible future instead of the one real future, the one drawn
marked. Under each predicted frame: its PSNR against the real frame and its
sharpness ratio (its mean gradient over the real frame's; 1 is as sharp).

Panels are labelled with each checkpoint's loss (e.g. "MSE + adversarial")
unless --label gives names, in the order of the checkpoints. Video clips are
decoded as the first checkpoint's run decoded video (size, gray or colour,
aspect, frame rate), one clip every --stride frames from the start.

--still also writes the first predicted frame of the reel as a PNG.

Examples:
   framepred reel --checkpoint runs/mse --checkpoint runs/adv --synth -o reel.mp4 --still reel.png
   framepred reel -c runs/mse -c runs/adv --label MSE --label GAN --samples 3 --stride 50 -o street-reel.mp4 street.mp4`,
		Flags: append(modelSetFlags("show", &opts.Synth),
			&cli.PathFlag{Name: "out", Aliases: []string{"o"}, EnvVars: env("out"), Destination: &opts.Out, TakesFile: true,
				Usage: "write the reel to `FILE` (MP4)"},
			&cli.PathFlag{Name: "still", EnvVars: env("still"), Destination: &opts.Still, TakesFile: true,
				Usage: "also write the first predicted frame as a PNG `FILE`"},
			&cli.IntFlag{Name: "samples", Aliases: []string{"n"}, EnvVars: env("samples"), Value: 4, Destination: &opts.Samples,
				Usage: "`N` clips, one row each"},
			&cli.IntFlag{Name: "horizon", EnvVars: env("horizon"), Value: 3, Destination: &opts.Horizon,
				Usage: "predict `T` frames from each context"},
			&cli.IntFlag{Name: "stride", EnvVars: env("stride"), DefaultText: "one clip's length",
				Usage: "video: `N` frames between the starts of the clips shown"},
			modelSetSizeFlag(),
			&cli.IntFlag{Name: "panel", EnvVars: env("panel"), Value: encode.DefaultPanelSize, Destination: &opts.Panel,
				Usage: "side of each picture in the reel, `PX` (even, 256 to 2048)"},
			&cli.IntFlag{Name: "fps", EnvVars: env("fps"), Value: encode.DefaultReelFPS, Destination: &opts.FPS,
				Usage: "reel frame rate `F`"},
			&cli.StringFlag{Name: "title", EnvVars: env("title"), Destination: &opts.Title, DefaultText: "what the rows show",
				Usage: "`TEXT` in the reel's title bar"},
			&cli.BoolFlag{Name: "force", EnvVars: env("force"), Destination: &opts.Force,
				Usage: "replace the output files if they exist"},
		),
		Action: func(c *cli.Context) error {
			opts.Checkpoints, opts.Labels = c.StringSlice("checkpoint"), c.StringSlice("label")
			opts.Stride = c.Int("stride")
			switch {
			case len(opts.Checkpoints) == 0 || opts.Out == "":
				return usagef("reel: --checkpoint CKPT and -o REEL.mp4 are both needed")
			case opts.Synth == (c.NArg() > 0):
				return usagef("reel: give video files or --synth (one of the two)")
			case opts.Samples < 1 || opts.Horizon < 1:
				return usagef("reel: --samples %d and --horizon %d must be at least 1", opts.Samples, opts.Horizon)
			case opts.Stride < 0:
				return usagef("reel: --stride %d: want 1 or more", opts.Stride)
			}
			return runReel(c, opts, g)
		},
	}
}

func runReel(c *cli.Context, opts reelOptions, g *globals) error {
	ms, err := loadModels(opts.Checkpoints, opts.Labels)
	if err != nil {
		return err
	}
	defer ms.close()
	if !opts.Force {
		for _, p := range []string{opts.Out, opts.Still} {
			if p != "" {
				if err := checkNew(p); err != nil {
					return fmt.Errorf("reel: %w", err)
				}
			}
		}
	}
	w, h, err := ms.size(c)
	if err != nil {
		return err
	}
	k, _ := ms.context()
	var clips []frame.Clip
	title := opts.Title
	if opts.Synth {
		cfg := ms.synthConfig(w, h, opts.Horizon)
		if clips, err = heldOutClips(cfg, opts.Samples); err != nil {
			return usageError{fmt.Errorf("reel: %w", err)}
		}
		if title == "" {
			title = fmt.Sprintf("framepred: %d held-out two-futures clips, %d context + %d predicted frames", len(clips), k, opts.Horizon)
		}
	} else {
		paths, err := decode.Files(c.Args().Slice())
		if err != nil {
			return err
		}
		dopts := ms.videoOptions(w, h)
		dopts.Verbose = g.verbose
		stride := opts.Stride
		if stride == 0 {
			stride = k + opts.Horizon
		}
		if clips, err = videoClips(c.Context, paths, dopts, decode.ClipOptions{Context: k, Future: opts.Horizon, Stride: stride}, opts.Samples); err != nil {
			return err
		}
		if title == "" {
			title = fmt.Sprintf("framepred: %d clips of %s, %d context + %d predicted frames", len(clips), filepath.Base(paths[0]), k, opts.Horizon)
		}
	}
	reel, err := makeReel(clips, ms, opts.Horizon, title, opts.Panel)
	if err != nil {
		return err
	}
	if err := writeReel(opts.Out, opts.Still, reel, k, opts.FPS, opts.Force); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "wrote %s: %d rows of %d panels, %d frames at %d fps\n", opts.Out, len(reel.Rows), len(reel.Rows[0]), reel.Len(), opts.FPS)
	if opts.Still != "" {
		fmt.Fprintf(g.stdout, "wrote %s: frame %d, the first predicted frame\n", opts.Still, k)
	}
	return nil
}

// writeReel encodes the reel, and its frame k (the first prediction) as a
// PNG when still is not empty.
func writeReel(out, still string, reel encode.Reel, k, fps int, force bool) error {
	if err := encode.WriteReel(out, reel, encode.Options{FPS: fps, Force: force}); err != nil {
		return fmt.Errorf("reel: %w", err)
	}
	if still != "" {
		if err := encode.WriteReelStill(still, reel, k, force); err != nil {
			return fmt.Errorf("reel: %w", err)
		}
	}
	return nil
}

// heldOutClips returns the first n clips of the held-out split of the
// built-in data set, every possible future included.
func heldOutClips(cfg synth.Config, n int) ([]frame.Clip, error) {
	gen, err := synth.New(cfg)
	if err != nil {
		return nil, err
	}
	return gen.HeldOut().Batch(0, n), nil
}

// videoClips returns up to n clips of the video files, in file order; at
// least one, or an error saying the files are too short.
func videoClips(ctx context.Context, paths []string, opts decode.Options, copts decode.ClipOptions, n int) ([]frame.Clip, error) {
	cs, err := decode.NewClips(paths, opts, copts)
	if err != nil {
		return nil, err
	}
	defer cs.Close()
	var clips []frame.Clip
	for len(clips) < n {
		c, ok, err := next(ctx, cs.Next)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		clips = append(clips, c)
	}
	if len(clips) == 0 {
		return nil, fmt.Errorf("no clip of %d frames (%d context + %d future) in %d video %s", copts.Context+copts.Future, copts.Context, copts.Future, len(paths), plural(len(paths), "file"))
	}
	return clips, nil
}

// makeReel lays the clips out one a row: the context, the real future (or
// every possible future), then each model's rollout of horizon frames with
// its PSNR and sharpness under every predicted frame.
func makeReel(clips []frame.Clip, ms modelSet, horizon int, title string, panel int) (encode.Reel, error) {
	contexts := make([][]frame.Frame, len(clips))
	for i, c := range clips {
		contexts[i] = c.Context
	}
	preds := make([][][]frame.Frame, len(ms))
	for j, m := range ms {
		p, err := m.pred.RolloutBatch(contexts, horizon)
		if err != nil {
			return encode.Reel{}, fmt.Errorf("reel: %s: %w", m.label, err)
		}
		preds[j] = p
	}
	reel := encode.Reel{Title: title, PanelSize: panel}
	for i, c := range clips {
		k := len(c.Context)
		row := []encode.Panel{{Label: "context", Frames: c.Context, Kinds: kinds(k, encode.Context, 0)}}
		if len(c.Branches) > 0 {
			for b, br := range c.Branches {
				label := fmt.Sprintf("possible future %d", b+1)
				if sameFrames(br, c.Future) {
					label += " (drawn)"
				}
				row = append(row, encode.Panel{Label: label, Frames: joined(c.Context, br[:horizon]), Kinds: kinds(k, encode.Real, horizon)})
			}
		} else {
			row = append(row, encode.Panel{Label: "real future", Frames: joined(c.Context, c.Future[:horizon]), Kinds: kinds(k, encode.Real, horizon)})
		}
		for j, m := range ms {
			p := preds[j][i]
			captions := make([]string, k, k+horizon)
			for t, f := range p {
				captions = append(captions, fmt.Sprintf("PSNR %.1f dB  sharp %.2f", metrics.PSNR(f, c.Future[t]), metrics.SharpnessRatio(f, c.Future[t])))
			}
			row = append(row, encode.Panel{Label: m.label, Frames: joined(c.Context, p), Kinds: kinds(k, encode.Predicted, horizon), Captions: captions})
		}
		reel.Rows = append(reel.Rows, row)
	}
	return reel, nil
}

// kinds returns k Context kinds followed by t of kind b.
func kinds(k int, b encode.Kind, t int) []encode.Kind {
	out := make([]encode.Kind, k, k+t)
	for i := range out {
		out[i] = encode.Context
	}
	for range t {
		out = append(out, b)
	}
	return out
}

func joined(a, b []frame.Frame) []frame.Frame {
	return append(append(make([]frame.Frame, 0, len(a)+len(b)), a...), b...)
}

// sameFrames reports whether a and b hold the same pixels.
func sameFrames(a, b []frame.Frame) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].SameShape(b[i]) || metrics.MSE(a[i], b[i]) != 0 {
			return false
		}
	}
	return true
}
