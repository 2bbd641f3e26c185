package encode

import (
	"errors"
	"fmt"
	"io/fs"

	"framepred/frame"
	"framepred/internal/atomicfile"
	"framepred/internal/avlog"
)

// Writer encodes frames into an H.264 MP4 file. Create one with Create,
// call Write for each frame, then Close to finish the file (or Abort to
// drop it). A Writer is not safe for concurrent use.
type Writer struct {
	path string
	out  *atomicfile.Pending // the temporary file FFmpeg writes by name
	opts Options

	shape    frame.Frame // C, H, W of the first frame; Pix unused
	enc      *encoder    // nil until the first frame
	n        int64       // frames sent to the encoder
	err      error       // first encoding error; every later call returns it
	finished bool        // Close or Abort was called
}

// Create starts a video at path. It fails at once if path exists (unless
// opts.Force) or its folder cannot be written. The encoder itself starts
// with the first frame, whose size fixes the video's.
func Create(path string, opts Options) (*Writer, error) {
	o, err := opts.withDefaults(DefaultFPS)
	if err != nil {
		return nil, err
	}
	out, err := atomicfile.Reserve(path, o.Force)
	if err != nil {
		return nil, fileError(err)
	}
	avlog.Init()
	return &Writer{path: path, out: out, opts: o}, nil
}

// fileError words an error from writing a file for encode's callers.
func fileError(err error) error { return atomicfile.Explain(err, "encode", "set Force to replace it") }

// Write encodes one frame. Frames must be gray (C 1) or RGB (C 3) and share
// the first frame's shape; a frame that does not is refused and the video
// goes on. Values outside [0,1] are clamped. Write does not keep f. An
// encoding or file error ends the video: Write and Close return it from
// then on.
func (w *Writer) Write(f frame.Frame) error {
	switch {
	case w.finished:
		return fmt.Errorf("encode: %s: write after close: %w", w.path, fs.ErrClosed)
	case w.err != nil:
		return w.err
	}
	if err := f.Validate(); err != nil {
		return fmt.Errorf("encode: %s: frame %d: %w", w.path, w.n, err)
	}
	if f.C != 1 && f.C != 3 {
		return fmt.Errorf("encode: %s: frame %d has %d channels, want 1 (gray) or 3 (RGB)", w.path, w.n, f.C)
	}
	if w.enc == nil {
		// "file:" keeps FFmpeg from reading a name like "a:b/c.mp4" as a URL.
		enc, err := newEncoder("file:"+w.out.TempPath(), f.W, f.H, w.opts)
		if err != nil {
			w.err = fmt.Errorf("encode: %s: %w", w.path, err)
			return w.err
		}
		w.enc, w.shape = enc, frame.Frame{C: f.C, H: f.H, W: f.W}
	}
	if !f.SameShape(w.shape) {
		return fmt.Errorf("encode: %s: frame %d is %s (CxHxW), but the video's first frame was %s",
			w.path, w.n, f.Shape(), w.shape.Shape())
	}
	if err := w.enc.encode(f, w.n); err != nil {
		w.err = fmt.Errorf("encode: %s: frame %d: %w", w.path, w.n, err)
		return w.err
	}
	w.n++
	return nil
}

// Frames returns the number of frames written so far.
func (w *Writer) Frames() int { return int(w.n) }

// Size returns the encoded width and height: the first frame's, each
// rounded up to even. Both are 0 before the first frame.
func (w *Writer) Size() (width, height int) {
	if w.enc == nil {
		return 0, 0
	}
	return w.enc.w, w.enc.h
}

// Close flushes the encoder, finishes the MP4 and gives it its final name.
// If anything failed, or no frame was written, it removes the temporary
// file, returns every error met, and no file appears under the final name.
func (w *Writer) Close() error {
	if w.finished {
		return fmt.Errorf("encode: %s: %w", w.path, fs.ErrClosed)
	}
	w.finished = true
	err := w.err
	switch {
	case err != nil:
	case w.n == 0:
		err = fmt.Errorf("encode: %s: no frames written", w.path)
	default:
		if ferr := w.enc.finish(); ferr != nil {
			err = fmt.Errorf("encode: %s: %w", w.path, ferr)
		}
	}
	if w.enc != nil {
		if cerr := w.enc.close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("encode: %s: %w", w.path, cerr))
		}
	}
	if err != nil {
		return errors.Join(err, fileError(w.out.Abort()))
	}
	return fileError(w.out.Commit())
}

// Abort drops the video: it frees the encoder and removes the temporary
// file. It does nothing after Close or Abort, so it suits a defer.
func (w *Writer) Abort() error {
	if w.finished {
		return nil
	}
	w.finished = true
	var err error
	if w.enc != nil {
		err = w.enc.close()
	}
	return errors.Join(err, fileError(w.out.Abort()))
}
