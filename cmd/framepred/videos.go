package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"framepred/decode"
)

// checkVideos decodes every file once with opts, as training will, and
// fails on the first that cannot be read, is damaged or has fewer than
// need frames: one error naming the file, before any training step.
func checkVideos(ctx context.Context, g *globals, paths []string, opts decode.Options, need int) error {
	total := 0
	for _, p := range paths {
		n, err := countFrames(ctx, g, p, opts)
		if err != nil {
			return err
		}
		if n < need {
			return fmt.Errorf("train: %s: %w: it has %d %s at these settings, one clip needs %d (the context and the next frame)",
				p, decode.ErrTooShort, n, plural(n, "frame"), need)
		}
		total += n
	}
	g.log.Info("videos checked", "files", len(paths), "frames", total)
	return nil
}

// countFrames decodes every frame of path with opts and counts them.
func countFrames(ctx context.Context, g *globals, path string, opts decode.Options) (int, error) {
	opts.Verbose = g.verbose
	r, err := decode.Open(path, opts)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	pr := g.progress("check "+filepath.Base(path), "frames")
	defer pr.Done()
	total := r.Info().Frames
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
		pr.Update(n, total)
	}
}
