package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"framepred/decode"
)

// probeOptions are probe's flags.
type probeOptions struct {
	JSON    bool // print results as JSON
	Headers bool // read the headers only; do not decode
}

func newProbeCommand(g *globals) *cli.Command {
	var opts probeOptions
	return &cli.Command{
		Name:      "probe",
		Usage:     "show what framepred's decoder sees in video files",
		UsageText: "framepred probe [--json] [--headers] FILE|DIR|PATTERN...",
		Description: `probe opens each video the way training will, and prints its container and
stream count, codec, picture size, pixel format, frame rate, frame count and
duration. A directory stands for the video files below it (.mp4, .mkv, .webm,
.mov, ...); a quoted pattern such as "clips/*.mp4" for its matches.

probe decodes every frame, so the frame count is exact and a file that is cut
off or corrupt is found: it is reported as an error with the number of frames
that decoded, because training on it would stop there too. --headers reads
only the headers, which is fast but takes the container's frame count (or an
estimate from duration and rate) and cannot see damage past the headers.

A file that cannot be read gets one line on stderr naming it and the problem;
the other files are still probed, and the exit code is then 1.

Examples:
   framepred probe clip.mp4
   framepred probe --json data/ > probe.json
   framepred probe --headers "raw/*.mkv"`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", EnvVars: env("json"), Destination: &opts.JSON,
				Usage: "print the results as a JSON array on stdout, failed files included"},
			&cli.BoolFlag{Name: "headers", EnvVars: env("headers"), Destination: &opts.Headers,
				Usage: "read only the headers: faster, but frame counts are the container's and damage past the headers goes unseen"},
		},
		Action: func(c *cli.Context) error {
			return runProbe(c.Context, opts, g, c.Args().Slice())
		},
	}
}

// probeResult is what probe reports for one file; the JSON keys are
// probe's machine-readable output.
type probeResult struct {
	Path string `json:"path"`
	OK   bool   `json:"ok"`
	*ProbeInfo
	Error string `json:"error,omitempty"`
}

// ProbeInfo is the part of a result known once the headers are read. It
// is exported only so that encoding/json can fill it back in (an embedded
// pointer to an unexported type cannot be).
type ProbeInfo struct {
	Format      string  `json:"format"`       // FFmpeg's container name
	Streams     int     `json:"streams"`      // streams of any kind
	VideoStream int     `json:"video_stream"` // index of the stream decoded
	Codec       string  `json:"codec"`
	PixFmt      string  `json:"pix_fmt"`
	Width       int     `json:"width"`
	Height      int     `json:"height"`
	FPS         float64 `json:"fps"`
	Duration    float64 `json:"duration_s"` // 0 if unknown
	Frames      int     `json:"frames"`     // -1 if unknown
	FramesFrom  string  `json:"frames_from"`
}

// Where a frame count comes from.
const (
	framesDecoded   = "decoding" // every frame was decoded
	framesContainer = "headers"  // the container's count, or duration × rate
	framesUnknown   = "unknown"
)

// runProbe probes every file args name, printing results as it goes
// (text) or at the end (JSON). A failed file does not stop the others.
func runProbe(ctx context.Context, opts probeOptions, g *globals, args []string) error {
	if len(args) == 0 {
		return usagef("probe: no video files given")
	}
	// Expand each argument on its own, so a bad one is reported with the
	// rest still probed.
	type item struct {
		path string
		err  error
	}
	var items []item
	for _, a := range args {
		paths, err := decode.Files([]string{a})
		if err != nil {
			items = append(items, item{path: a, err: err})
			continue
		}
		for _, p := range paths {
			items = append(items, item{path: p})
		}
	}
	var (
		results []probeResult
		errs    []error
	)
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := it.path, it.err
		var r probeResult
		if err == nil {
			r, err = probeFile(ctx, res, opts, g)
			if errors.Is(err, context.Canceled) {
				return err
			}
		} else {
			r = probeResult{Path: res}
		}
		if err != nil {
			r.Error = oneLine(err.Error())
			errs = append(errs, err)
			if len(items) > 1 {
				fmt.Fprintf(g.con, "framepred: %s\n", r.Error)
			}
		} else if !opts.JSON {
			if err := printProbe(g.stdout, r); err != nil {
				return err
			}
		}
		results = append(results, r)
	}
	if opts.JSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return fmt.Errorf("probe: writing results: %w", err)
		}
	}
	switch {
	case len(errs) == 0:
		return nil
	case len(items) == 1:
		return errs[0]
	}
	return fmt.Errorf("probe: %d of %d files failed", len(errs), len(items))
}

// probeFile reads one file's headers and, unless opts.Headers, decodes
// every frame. A damaged file gives its info and the error.
func probeFile(ctx context.Context, path string, opts probeOptions, g *globals) (probeResult, error) {
	res := probeResult{Path: path}
	if opts.Headers {
		info, err := decode.Probe(path)
		if err != nil {
			return res, err
		}
		res.OK, res.ProbeInfo = true, newProbeInfo(info)
		return res, nil
	}
	// The frames themselves are not needed: a tiny gray output keeps the
	// conversion cheap while every frame is still decoded.
	r, err := decode.Open(path, decode.Options{Width: 16, Height: 16, Gray: true, Verbose: g.verbose})
	if err != nil {
		return res, err
	}
	defer r.Close()
	info := r.Info()
	res.ProbeInfo = newProbeInfo(info)
	n, err := countDecoded(ctx, g, r, "probe "+filepath.Base(path))
	if err != nil {
		if ctx.Err() == nil { // damaged: say how far it decodes
			res.Frames, res.FramesFrom = n, framesDecoded
		}
		return res, err
	}
	res.OK, res.Frames, res.FramesFrom = true, n, framesDecoded
	g.log.Debug("probed", "file", path, "decoded", n, "headers say", info.Frames)
	return res, nil
}

func newProbeInfo(i decode.Info) *ProbeInfo {
	p := &ProbeInfo{
		Format: i.Format, Streams: i.Streams, VideoStream: i.Stream,
		Codec: i.Codec, PixFmt: i.PixFmt, Width: i.Width, Height: i.Height,
		FPS: i.FPS, Duration: i.Duration.Seconds(), Frames: i.Frames, FramesFrom: framesContainer,
	}
	if i.Frames < 0 {
		p.FramesFrom = framesUnknown
	}
	return p
}

// printProbe prints one file's result as text:
//
//	clip.mp4
//	  container  mov,mp4,m4a,3gp,3g2,mj2, 2 streams, video is stream 0
//	  video      h264, yuv420p, 160x90, 30 fps
//	  length     90 frames (decoded), 3s
func printProbe(w io.Writer, r probeResult) error {
	streams := "1 stream"
	if r.Streams != 1 {
		streams = fmt.Sprintf("%d streams", r.Streams)
	}
	rate := "unknown frame rate"
	if r.FPS > 0 {
		rate = fmt.Sprintf("%.4g fps", r.FPS)
	}
	frames := "unknown number of frames"
	switch r.FramesFrom {
	case framesDecoded:
		frames = fmt.Sprintf("%d frames (decoded)", r.Frames)
	case framesContainer:
		frames = fmt.Sprintf("%d frames (from the headers)", r.Frames)
	}
	dur := "unknown duration"
	if r.Duration > 0 {
		dur = time.Duration(r.Duration * float64(time.Second)).Round(time.Millisecond).String()
	}
	_, err := fmt.Fprintf(w, "%s\n  container  %s, %s, video is stream %d\n  video      %s, %s, %dx%d, %s\n  length     %s, %s\n",
		r.Path, r.Format, streams, r.VideoStream, r.Codec, r.PixFmt, r.Width, r.Height, rate, frames, dur)
	return err
}
