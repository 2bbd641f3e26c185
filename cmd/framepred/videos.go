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
	return countDecoded(ctx, g, r, "check "+filepath.Base(path))
}

// countDecoded decodes the rest of r's frames, showing progress under the
// name what, and returns how many it decoded, also when an error stops it.
func countDecoded(ctx context.Context, g *globals, r *decode.Reader, what string) (int, error) {
	pr := g.progress(what, "frames")
	defer pr.Done()
	total := r.Info().Frames
	n := 0
	for {
		_, ok, err := next(ctx, r.Next)
		if !ok {
			return n, err
		}
		n++
		pr.Update(n, total)
	}
}

// next returns the next frame or clip from read (a decode.Reader's or
// decode.Clips' Next) and true; at the end false and no error. It stops
// with ctx's error once ctx is done.
func next[T any](ctx context.Context, read func() (T, error)) (T, bool, error) {
	var none T
	if err := ctx.Err(); err != nil {
		return none, false, err
	}
	x, err := read()
	switch {
	case errors.Is(err, io.EOF):
		return none, false, nil
	case err != nil:
		return none, false, err
	}
	return x, true, nil
}
