package synth

import (
	"errors"
	"fmt"
)

// Shape is the kind of object that moves.
type Shape int

const (
	// Square fills a Side×Side box.
	Square Shape = iota
	// Disc fills the pixels of a Side×Side box whose centres lie within
	// Side/2 of the box centre.
	Disc
)

func (s Shape) String() string {
	switch s {
	case Square:
		return "square"
	case Disc:
		return "disc"
	}
	return fmt.Sprintf("Shape(%d)", int(s))
}

// maxSize bounds the frame size so that the tables New builds stay small.
const maxSize = 4096

// MinGap is the smallest gap, in pixels, between the shapes of two branches:
// the Chebyshev distance between their corners is at least side+MinGap.
const MinGap = 2

// Config describes a data set. Start from [DefaultConfig] and change fields.
type Config struct {
	Seed uint64 // every sample derives from it

	Height, Width int // frame size in pixels; default 32×32
	Channels      int // 1 (gray, white shape on black) or 3 (RGB); default 1

	Context  int // frames the model sees, ≥ 2 so the velocity shows; default 4
	Future   int // frames after the context, ≥ 1; default 1
	Branches int // possible futures, ≥ 2; default 2

	Shape            Shape   // default Square
	MinSide, MaxSide int     // side of the shape's box in px, drawn uniformly; default 4–6
	MinSpeed         float64 // integer velocities with MinSpeed ≤ |v| ≤ MaxSpeed
	MaxSpeed         float64 // px/frame; default 1–3
	Kick             float64 // length of the sideways jump in px; default 5
}

// DefaultConfig returns the two-futures experiment's data set with seed 0.
func DefaultConfig() Config {
	return Config{
		Height: 32, Width: 32, Channels: 1,
		Context: 4, Future: 1, Branches: 2,
		Shape:   Square,
		MinSide: 4, MaxSide: 6,
		MinSpeed: 1, MaxSpeed: 3,
		Kick: 5,
	}
}

// validate checks each field on its own; New then checks that some track fits.
func (c Config) validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.Height < 1 || c.Width < 1 || c.Height > maxSize || c.Width > maxSize {
		bad("frame size %dx%d must be 1–%d px on each side", c.Width, c.Height, maxSize)
	}
	if c.Channels != 1 && c.Channels != 3 {
		bad("channels %d must be 1 (gray) or 3 (RGB)", c.Channels)
	}
	if c.Context < 2 {
		bad("context %d must be at least 2 frames (one frame shows no motion)", c.Context)
	}
	if c.Future < 1 {
		bad("future %d must be at least 1 frame", c.Future)
	}
	if c.Branches < 2 {
		bad("branches %d must be at least 2", c.Branches)
	}
	if c.Shape != Square && c.Shape != Disc {
		bad("unknown shape %v", c.Shape)
	}
	if c.MinSide < 1 || c.MaxSide < c.MinSide {
		bad("side range %d–%d must satisfy 1 ≤ min ≤ max", c.MinSide, c.MaxSide)
	}
	if !(c.MinSpeed > 0) || !(c.MaxSpeed >= c.MinSpeed) {
		bad("speed range %g–%g must satisfy 0 < min ≤ max", c.MinSpeed, c.MaxSpeed)
	}
	if !(c.Kick > 0) || c.Kick > 1e6 {
		bad("kick %g must be positive (and at most 1e6)", c.Kick)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("synth: bad config: %w", err)
	}
	return nil
}
