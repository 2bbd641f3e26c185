package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/urfave/cli/v2"

	"framepred/encode"
	"framepred/frame"
	"framepred/synth"
)

// synthOptions are synth's flags.
type synthOptions struct {
	Out      string
	Count    int
	Seed     uint64
	Size     int
	RGB      bool
	Context  int
	Future   int
	Branches int
	FPS      int
	CRF      int
	Sheet    int // clips on the contact sheet; 0: no sheet
	Force    bool
	JSON     bool
}

// Names of synth's outputs inside --out.
const (
	synthManifestName = "manifest.json"
	synthSheetName    = "sheet.png"
)

func newSynthCommand(g *globals) *cli.Command {
	d := synth.DefaultConfig()
	var opts synthOptions
	return &cli.Command{
		Name:      "synth",
		Usage:     "write clips of the built-in two-futures data set as MP4 videos",
		UsageText: "framepred synth --out DIR --count N [--seed S] [--size PX] [--rgb] [--context N] [--future T] [--branches N] [--fps F] [--sheet N]",
		Description: `synth writes N clips of framepred's built-in data set, each an H.264 MP4 of
its context frames followed by the future that was drawn: a square moves in a
straight line, then jumps sideways to one of --branches places, each equally
likely. A model trained with MSE on these clips predicts the average of the
branches, a blur; the manifest says which branch every clip took.

Into DIR go clip-0000.mp4, clip-0001.mp4, ..., then sheet.png (with --sheet:
the first clips' frames, one clip a row) and last manifest.json (the
generator's settings, and per clip the branch drawn, the square's side,
velocity and jumps). The videos go through the same decoder as a user's
video when read back. Every file appears under its name only when complete;
an existing file is replaced only with --force (other files in DIR are left
alone). The same --seed and settings give the same clips.

Settings can also come from a TOML file (--config), keys being the long
flag names.

Examples:
   framepred synth --out data --count 200
   framepred synth --out data-rgb --count 500 --rgb --size 64 --sheet 8
   framepred synth --out four --count 100 --branches 4 --future 3 --json
   framepred synth --config two-futures.toml --out data`,
		Flags: []cli.Flag{
			&cli.PathFlag{Name: "out", Aliases: []string{"o"}, EnvVars: env("out"), Destination: &opts.Out, TakesFile: true,
				Usage: "write the clips into `DIR` (made if missing)"},
			&cli.IntFlag{Name: "count", Aliases: []string{"n"}, EnvVars: env("count"), Destination: &opts.Count,
				Usage: "write `N` clips", DefaultText: "none, needed"},
			&cli.Uint64Flag{Name: "seed", EnvVars: env("seed"), Destination: &opts.Seed,
				Usage: "seed `S` of the data set: the same seed gives the same clips"},
			&cli.IntFlag{Name: "size", EnvVars: env("size"), Value: d.Width, Destination: &opts.Size,
				Usage: "width and height of the frames in `PX`, even (H.264 needs even sizes)"},
			&cli.BoolFlag{Name: "rgb", EnvVars: env("rgb"), Destination: &opts.RGB,
				Usage: "colour frames, a coloured shape on a dark background, instead of gray ones, white on black"},
			&cli.IntFlag{Name: "context", EnvVars: env("context"), Value: d.Context, Destination: &opts.Context,
				Usage: "`N` frames before the jump, at least 2"},
			&cli.IntFlag{Name: "future", EnvVars: env("future"), Value: d.Future, Destination: &opts.Future,
				Usage: "`T` frames from the jump on, at least 1"},
			&cli.IntFlag{Name: "branches", EnvVars: env("branches"), Value: d.Branches, Destination: &opts.Branches,
				Usage: "`N` possible futures, at least 2"},
			&cli.IntFlag{Name: "fps", EnvVars: env("fps"), Value: encode.DefaultReelFPS, Destination: &opts.FPS,
				Usage: "frame rate `F` of the videos, 1 to 1000"},
			&cli.IntFlag{Name: "crf", EnvVars: env("crf"), Value: encode.DefaultCRF, Destination: &opts.CRF,
				Usage: "H.264 quality `Q`, 1 (best) to 51 (smallest files)"},
			&cli.IntFlag{Name: "sheet", EnvVars: env("sheet"), Destination: &opts.Sheet,
				Usage: "also draw the first `N` clips on a contact sheet, " + synthSheetName},
			&cli.BoolFlag{Name: "force", EnvVars: env("force"), Destination: &opts.Force,
				Usage: "replace files of the same names in DIR"},
			&cli.BoolFlag{Name: "json", EnvVars: env("json"), Destination: &opts.JSON,
				Usage: "print the manifest as JSON on stdout instead of a summary"},
		},
		Action: func(c *cli.Context) error {
			if !c.IsSet("out") || !c.IsSet("count") {
				return usagef("synth: --out DIR and --count N are both needed")
			}
			return runSynth(c.Context, opts, g)
		},
	}
}

// synthManifest describes what synth wrote; it is manifest.json and
// synth's JSON output.
type synthManifest struct {
	Generator     synthConfig `json:"generator"`
	Split         string      `json:"split"`
	FPS           int         `json:"fps"`
	CRF           int         `json:"crf"`
	FramesPerClip int         `json:"frames_per_clip"` // context + future
	Sheet         string      `json:"sheet,omitempty"`
	Clips         []synthClip `json:"clips"`
}

// marshal writes the manifest as indented JSON with one line per clip,
// which keeps a manifest of thousands of clips easy to read and grep.
func (m synthManifest) marshal() ([]byte, error) {
	clips := m.Clips
	m.Clips = nil
	head, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	const tail = "\"clips\": null\n}"
	if !bytes.HasSuffix(head, []byte(tail)) {
		return nil, errors.New("clips are not the last field") // a programmer's mistake
	}
	var b bytes.Buffer
	b.Write(head[:len(head)-len(tail)])
	b.WriteString("\"clips\": [")
	for i, c := range clips {
		line, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		b.Write(line)
	}
	b.WriteString("\n  ]\n}\n")
	return b.Bytes(), nil
}

// synthConfig is synth.Config as JSON.
type synthConfig struct {
	Seed     uint64  `json:"seed"`
	Width    int     `json:"width"`
	Height   int     `json:"height"`
	Channels int     `json:"channels"`
	Context  int     `json:"context"`
	Future   int     `json:"future"`
	Branches int     `json:"branches"`
	Shape    string  `json:"shape"`
	MinSide  int     `json:"min_side"`
	MaxSide  int     `json:"max_side"`
	MinSpeed float64 `json:"min_speed"`
	MaxSpeed float64 `json:"max_speed"`
	Kick     float64 `json:"kick"`
}

// synthClip describes one clip. Positions and offsets are in pixels, x to
// the right and y down.
type synthClip struct {
	File     string   `json:"file"`     // in the output folder
	Sample   int64    `json:"sample"`   // index in the generator's training split
	Branch   int      `json:"branch"`   // the future drawn, 0 to branches-1
	Side     int      `json:"side"`     // side of the square's box
	Start    [2]int   `json:"start"`    // top-left corner in the first frame
	Velocity [2]int   `json:"velocity"` // per frame
	Kicks    [][2]int `json:"kicks"`    // the jump of each branch
}

// check turns flag values that cannot work into usage errors.
func (o synthOptions) check() error {
	switch {
	case o.Out == "":
		return usagef("synth: --out must name a folder")
	case o.Count < 1:
		return usagef("synth: --count %d: want at least 1 clip", o.Count)
	case o.Size < 2 || o.Size > 4096 || o.Size%2 != 0:
		return usagef("synth: --size %d: want an even size from 2 to 4096 px (H.264 needs even sizes)", o.Size)
	case o.FPS < 1 || o.FPS > 1000:
		return usagef("synth: --fps %d: want 1 to 1000", o.FPS)
	case o.CRF < 1 || o.CRF > 51:
		return usagef("synth: --crf %d: want 1 to 51", o.CRF)
	case o.Sheet < 0:
		return usagef("synth: --sheet %d: want 0 (no sheet) or more clips", o.Sheet)
	}
	return nil
}

func (o synthOptions) config() synth.Config {
	c := synth.DefaultConfig()
	c.Seed = o.Seed
	c.Width, c.Height = o.Size, o.Size
	if o.RGB {
		c.Channels = 3
	}
	c.Context, c.Future, c.Branches = o.Context, o.Future, o.Branches
	return c
}

// runSynth writes the clips, the sheet and the manifest, and says so.
func runSynth(ctx context.Context, opts synthOptions, g *globals) error {
	m, data, err := writeSynth(ctx, opts, g)
	if err != nil {
		return err
	}
	if opts.JSON {
		_, err = g.stdout.Write(data)
	} else {
		gc := m.Generator
		kind := "gray"
		if gc.Channels == 3 {
			kind = "RGB"
		}
		_, err = fmt.Fprintf(g.stdout, "wrote %d %s of %d frames (%dx%d %s, %d fps) to %s; the branch of each is in %s\n",
			opts.Count, plural(opts.Count, "clip"), m.FramesPerClip, gc.Width, gc.Height, kind, opts.FPS, opts.Out, filepath.Join(opts.Out, synthManifestName))
	}
	return err
}

// writeSynth writes the clips, the sheet and the manifest, in that order
// (a folder with a manifest is complete), and returns the manifest and
// its JSON.
func writeSynth(ctx context.Context, opts synthOptions, g *globals) (synthManifest, []byte, error) {
	var m synthManifest
	if err := opts.check(); err != nil {
		return m, nil, err
	}
	gen, err := synth.New(opts.config())
	if err != nil {
		return m, nil, usageError{err} // every setting came from a flag
	}
	names := make([]string, opts.Count)
	width := max(4, len(strconv.Itoa(opts.Count-1)))
	for i := range names {
		names[i] = fmt.Sprintf("clip-%0*d.mp4", width, i)
	}
	outputs := append([]string{synthManifestName}, names...)
	if opts.Sheet > 0 {
		outputs = append(outputs, synthSheetName)
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return m, nil, fmt.Errorf("synth: cannot make folder %s: %w", opts.Out, cause(err))
	}
	if !opts.Force {
		// Refuse before writing anything, rather than halfway through.
		for _, n := range outputs {
			if err := checkNew(filepath.Join(opts.Out, n)); err != nil {
				return m, nil, fmt.Errorf("synth: %w", err)
			}
		}
	}

	cfg := gen.Config()
	m = synthManifest{
		Generator: synthConfig{
			Seed: cfg.Seed, Width: cfg.Width, Height: cfg.Height, Channels: cfg.Channels,
			Context: cfg.Context, Future: cfg.Future, Branches: cfg.Branches, Shape: cfg.Shape.String(),
			MinSide: cfg.MinSide, MaxSide: cfg.MaxSide, MinSpeed: cfg.MinSpeed, MaxSpeed: cfg.MaxSpeed, Kick: cfg.Kick,
		},
		Split: gen.Split().String(), FPS: opts.FPS, CRF: opts.CRF,
		FramesPerClip: cfg.Context + cfg.Future,
	}
	g.log.Debug("synth", "config", fmt.Sprintf("%+v", cfg), "out", opts.Out)
	pr := g.progress("synth", "clips")
	defer pr.Done()
	var sheet []frame.Frame
	var labels []string
	for i, name := range names {
		if err := ctx.Err(); err != nil {
			g.log.Warn("synth stopped", "clips written", i, "of", opts.Count, "manifest", "not written")
			return m, nil, err
		}
		clip := gen.Sample(int64(i))
		frames := synth.Frames(clip)
		if err := writeVideo(filepath.Join(opts.Out, name), frames, opts); err != nil {
			return m, nil, fmt.Errorf("synth: %w", err)
		}
		tr := gen.Track(int64(i))
		sc := synthClip{File: name, Sample: int64(i), Branch: tr.Choice, Side: tr.Side,
			Start: [2]int{tr.Context[0].X, tr.Context[0].Y}, Velocity: [2]int{tr.Velocity.X, tr.Velocity.Y}}
		for _, k := range tr.Kicks {
			sc.Kicks = append(sc.Kicks, [2]int{k.X, k.Y})
		}
		m.Clips = append(m.Clips, sc)
		if i < opts.Sheet {
			for t, f := range frames {
				sheet = append(sheet, f)
				if t < cfg.Context {
					labels = append(labels, fmt.Sprintf("#%d t%d", i, t))
				} else {
					labels = append(labels, fmt.Sprintf("#%d t%d b%d", i, t, tr.Choice))
				}
			}
		}
		pr.Update(i+1, opts.Count)
	}
	pr.Done()
	if len(sheet) > 0 {
		so := encode.SheetOptions{Columns: m.FramesPerClip, Scale: max(1, min(64, 96/opts.Size)), Labels: labels, Force: opts.Force}
		if err := encode.WriteContactSheet(filepath.Join(opts.Out, synthSheetName), sheet, so); err != nil {
			return m, nil, fmt.Errorf("synth: %w", err)
		}
		m.Sheet = synthSheetName
	}
	data, err := m.marshal()
	if err != nil {
		return m, nil, fmt.Errorf("synth: manifest: %w", err)
	}
	if err := writeFile(filepath.Join(opts.Out, synthManifestName), data, opts.Force); err != nil {
		return m, nil, fmt.Errorf("synth: %w", err)
	}
	return m, data, nil
}

// writeVideo encodes frames as an MP4 at path.
func writeVideo(path string, frames []frame.Frame, opts synthOptions) error {
	w, err := encode.Create(path, encode.Options{FPS: opts.FPS, CRF: opts.CRF, Threads: 1, Force: opts.Force})
	if err != nil {
		return err
	}
	defer w.Abort() // after Close it does nothing
	for _, f := range frames {
		if err := w.Write(f); err != nil {
			return err
		}
	}
	return w.Close()
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}
