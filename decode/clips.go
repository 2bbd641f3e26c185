package decode

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"

	"framepred/frame"
)

// ClipOptions say how Clips cuts frames into clips.
type ClipOptions struct {
	Context int // frames a model sees, at least 1
	Future  int // frames it must predict, 0 or more
	Stride  int // frames between the starts of consecutive clips of a file; 0 means 1

	// Shuffle visits the files in a random order and hands out clips in a
	// random order drawn from a buffer of Buffer clips (0: 256). The same
	// Seed gives the same order.
	Shuffle bool
	Seed    int64
	Buffer  int
}

const defaultBuffer = 256

// Clips streams clips of consecutive frames from one or more files. It
// decodes one file at a time and holds at most one clip window of frames
// plus, when shuffling, Buffer clips, however long the files are.
//
// Clips that overlap share their frames' pixel memory: treat the frames as
// read-only (Clone one to change it).
type Clips struct {
	paths []string // in the order they are read
	opts  Options
	copts ClipOptions
	rng   *rand.Rand

	nextFile int
	r        *Reader
	path     string
	win      []frame.Frame // the newest frames of the current file
	count    int           // frames read from the current file

	buf  []frame.Clip // shuffle buffer
	dry  bool         // every file has been read
	done bool
}

// NewClips returns clips of copts.Context + copts.Future frames from the
// files in paths, decoded with opts. Files are opened as they are reached.
func NewClips(paths []string, opts Options, copts ClipOptions) (*Clips, error) {
	switch {
	case len(paths) == 0:
		return nil, errors.New("decode: clips: no input files")
	case copts.Context < 1 || copts.Future < 0:
		return nil, fmt.Errorf("decode: clips: bad clip length: %d context and %d future frames", copts.Context, copts.Future)
	case copts.Stride < 0 || copts.Buffer < 0:
		return nil, fmt.Errorf("decode: clips: bad stride %d or buffer %d", copts.Stride, copts.Buffer)
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if copts.Stride == 0 {
		copts.Stride = 1
	}
	if copts.Buffer == 0 {
		copts.Buffer = defaultBuffer
	}
	c := &Clips{paths: append([]string(nil), paths...), opts: opts, copts: copts}
	if copts.Shuffle {
		c.rng = rand.New(rand.NewPCG(uint64(copts.Seed), 0x6672616d65707265)) // "framepre"
		c.rng.Shuffle(len(c.paths), func(i, j int) { c.paths[i], c.paths[j] = c.paths[j], c.paths[i] })
	}
	return c, nil
}

// Next returns the next clip, or io.EOF after the last one. An error about
// one file (it cannot be opened, is damaged, or has fewer frames than one
// clip) is returned when decoding reaches it: after that file's clips in
// file order, while with Shuffle some of them may still be in the buffer.
// Calling Next again goes on with the next file, so a caller may log and
// skip it.
func (c *Clips) Next() (frame.Clip, error) {
	if c.done {
		return frame.Clip{}, io.EOF
	}
	if !c.copts.Shuffle {
		clip, err := c.produce()
		if errors.Is(err, io.EOF) {
			c.done = true
		}
		return clip, err
	}
	for !c.dry && len(c.buf) < c.copts.Buffer {
		clip, err := c.produce()
		if errors.Is(err, io.EOF) {
			c.dry = true
			break
		}
		if err != nil {
			return frame.Clip{}, err
		}
		c.buf = append(c.buf, clip)
	}
	if len(c.buf) == 0 {
		c.done = true
		return frame.Clip{}, io.EOF
	}
	i := c.rng.IntN(len(c.buf))
	clip := c.buf[i]
	last := len(c.buf) - 1
	c.buf[i] = c.buf[last]
	c.buf[last] = frame.Clip{} // let the frames go
	c.buf = c.buf[:last]
	return clip, nil
}

// produce returns the next clip in file order.
func (c *Clips) produce() (frame.Clip, error) {
	k, n := c.copts.Context, c.copts.Context+c.copts.Future
	for {
		if c.r == nil {
			if c.nextFile >= len(c.paths) {
				return frame.Clip{}, io.EOF
			}
			c.path = c.paths[c.nextFile]
			c.nextFile++
			r, err := Open(c.path, c.opts)
			if err != nil {
				return frame.Clip{}, err
			}
			c.r, c.count = r, 0
			clear(c.win)
			c.win = c.win[:0]
		}
		f, err := c.r.Next()
		if err != nil {
			c.r.Close()
			c.r = nil
			if !errors.Is(err, io.EOF) {
				return frame.Clip{}, err
			}
			if c.count < n {
				return frame.Clip{}, fmt.Errorf("decode: %s: %w: it has %d %s (with these options), one clip needs %d (%d context + %d future)",
					c.path, ErrTooShort, c.count, plural(c.count, "frame"), n, k, c.copts.Future)
			}
			continue
		}
		c.count++
		if len(c.win) == n {
			copy(c.win, c.win[1:])
			c.win[n-1] = frame.Frame{}
			c.win = c.win[:n-1]
		}
		c.win = append(c.win, f)
		if start := c.count - n; start >= 0 && start%c.copts.Stride == 0 {
			return frame.Clip{
				Context: append([]frame.Frame(nil), c.win[:k]...),
				Future:  append([]frame.Frame(nil), c.win[k:]...),
				Source:  c.path,
				Start:   start,
			}, nil
		}
	}
}

// Close closes the file being read.
func (c *Clips) Close() error {
	c.done = true
	c.buf = nil
	clear(c.win)
	if c.r != nil {
		err := c.r.Close()
		c.r = nil
		return err
	}
	return nil
}
