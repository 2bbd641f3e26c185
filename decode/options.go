package decode

import (
	"fmt"
	"time"
)

// Aspect says how a picture is fitted to an output size of another shape.
type Aspect int

const (
	// Stretch scales the whole picture to the output size.
	Stretch Aspect = iota
	// Crop cuts the centre of the picture to the output's aspect ratio,
	// then scales it.
	Crop
)

func (a Aspect) String() string {
	switch a {
	case Stretch:
		return "stretch"
	case Crop:
		return "crop"
	}
	return fmt.Sprintf("Aspect(%d)", int(a))
}

// Options control what a Reader returns. The zero value returns every
// frame at the source size in RGB.
type Options struct {
	// Width and Height give the output size. Both 0 keep the source size;
	// one 0 follows the source's display aspect ratio.
	Width, Height int
	Aspect        Aspect

	// Gray returns 1 channel of full-range luma (white 1, black 0);
	// otherwise 3 channels R, G, B.
	Gray bool

	// FPS > 0 returns frames at evenly spaced times 1/FPS apart, repeating
	// or dropping decoded frames as needed; 0 returns every decoded frame.
	FPS float64

	// Start skips the first part of the video; Duration > 0 stops after
	// that much video time. Both count from the video stream's start.
	Start, Duration time.Duration

	// MaxFrames > 0 stops after that many frames.
	MaxFrames int

	// Threads is the decoder's thread count; 0 lets FFmpeg choose one per
	// core, with frame threading.
	Threads int

	// Verbose turns FFmpeg's console logging on (for the whole process).
	Verbose bool
}

func (o Options) validate() error {
	switch {
	case o.Width < 0 || o.Height < 0:
		return fmt.Errorf("decode: bad output size %dx%d", o.Width, o.Height)
	case o.Aspect != Stretch && o.Aspect != Crop:
		return fmt.Errorf("decode: bad aspect mode %v", o.Aspect)
	case o.FPS < 0 || o.FPS > 1e6 || o.FPS != o.FPS:
		return fmt.Errorf("decode: bad frame rate %v", o.FPS)
	case o.Start < 0 || o.Duration < 0:
		return fmt.Errorf("decode: bad time range start %v duration %v", o.Start, o.Duration)
	case o.MaxFrames < 0:
		return fmt.Errorf("decode: bad frame limit %d", o.MaxFrames)
	case o.Threads < 0:
		return fmt.Errorf("decode: bad thread count %d", o.Threads)
	}
	return nil
}

// Info describes a file's video stream.
type Info struct {
	Path   string
	Format string // container, as FFmpeg names it ("mov,mp4,m4a,3gp,3g2,mj2")
	Codec  string // codec, as FFmpeg names it ("h264")
	PixFmt string // decoded pixel format ("yuv420p")

	Width, Height int // coded picture size
	FPS           float64
	Duration      time.Duration // video stream's duration, else the file's; 0 if unknown

	// Frames is the container's frame count, or an estimate from the
	// duration and frame rate, or -1 if neither is known.
	Frames int

	Streams int // streams of any kind in the file
	Stream  int // index of the decoded video stream
}

func (i Info) String() string {
	return fmt.Sprintf("%s: %s %s %dx%d %.3g fps %v, %d frames", i.Path, i.Codec, i.PixFmt, i.Width, i.Height, i.FPS, i.Duration, i.Frames)
}
