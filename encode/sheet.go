package encode

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"

	"framepred/frame"
	"framepred/internal/atomicfile"
)

// SheetOptions control WriteContactSheet. The zero value gives a square-ish
// grid at the frames' own size.
type SheetOptions struct {
	// Columns is the number of frames a row; 0 means about the square root
	// of their number.
	Columns int
	// Scale enlarges every frame by nearest neighbour, 1 to 64; 0 means 1.
	Scale int
	// Labels, if not nil, gives a line of text under each frame.
	Labels []string
	// Force lets the sheet replace an existing file.
	Force bool
}

// WriteContactSheet writes frames (gray or RGB, of any sizes) as a PNG grid
// at path, in order, row by row. Like every output of this package it
// appears under its name only once complete.
func WriteContactSheet(path string, frames []frame.Frame, opts SheetOptions) error {
	img, err := contactSheet(frames, opts)
	if err != nil {
		return fmt.Errorf("encode: contact sheet %s: %w", path, err)
	}
	return writePNG(path, img, opts.Force)
}

func contactSheet(frames []frame.Frame, o SheetOptions) (*image.RGBA, error) {
	n := len(frames)
	if n == 0 {
		return nil, errors.New("no frames")
	}
	if o.Columns == 0 {
		o.Columns = int(math.Ceil(math.Sqrt(float64(n))))
	}
	if o.Scale == 0 {
		o.Scale = 1
	}
	switch {
	case o.Columns < 0:
		return nil, fmt.Errorf("negative column count %d", o.Columns)
	case o.Scale < 1 || o.Scale > 64:
		return nil, fmt.Errorf("scale %d is not in [1,64]", o.Scale)
	case o.Labels != nil && len(o.Labels) != n:
		return nil, fmt.Errorf("%d labels for %d frames", len(o.Labels), n)
	}
	tw, th := 0, 0 // tile size: the largest frame, scaled
	for i, f := range frames {
		if err := f.Validate(); err != nil {
			return nil, fmt.Errorf("frame %d: %w", i, err)
		}
		if f.C != 1 && f.C != 3 {
			return nil, fmt.Errorf("frame %d has %d channels, want 1 (gray) or 3 (RGB)", i, f.C)
		}
		tw, th = max(tw, f.W*o.Scale), max(th, f.H*o.Scale)
	}
	const gap = 4
	cols := min(o.Columns, n)
	rows := (n + cols - 1) / cols
	var fc faces
	labelH := 0
	if o.Labels != nil {
		px := max(11, math.Round(float64(tw)/12))
		var err error
		if fc, err = newFaces(px, px); err != nil {
			return nil, err
		}
		labelH = int(px * 1.6)
	}
	w := gap + cols*(tw+gap)
	h := gap + rows*(th+labelH+gap)
	if w > 1<<15 || h > 1<<15 {
		return nil, fmt.Errorf("sheet of %dx%d pixels is too large", w, h)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fillRect(img, img.Rect, colBackground)
	for i, f := range frames {
		x := gap + (i%cols)*(tw+gap)
		y := gap + (i/cols)*(th+labelH+gap)
		blitNearest(img, image.Rect(x, y, x+f.W*o.Scale, y+f.H*o.Scale), f)
		if o.Labels != nil {
			drawText(img, fc.small, x, baseline(fc.small, y+th, labelH), fitText(fc.small, o.Labels[i], tw), colText)
		}
	}
	return img, nil
}

// WritePNG writes f (gray or RGB) as a PNG at path, replacing an existing
// file only if force is set.
func WritePNG(path string, f frame.Frame, force bool) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("encode: %s: %w", path, err)
	}
	if f.C != 1 && f.C != 3 {
		return fmt.Errorf("encode: %s: frame has %d channels, want 1 (gray) or 3 (RGB)", path, f.C)
	}
	img := image.NewRGBA(image.Rect(0, 0, f.W, f.H))
	blitNearest(img, img.Rect, f)
	return writePNG(path, img, force)
}

// writePNG encodes img into a temporary file and commits it to path.
func writePNG(path string, img image.Image, force bool) error {
	f, err := atomicfile.Create(path, force)
	if err != nil {
		return fileError(err)
	}
	bw := bufio.NewWriter(f)
	err = png.Encode(bw, img)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return errors.Join(fileError(err), fileError(f.Abort()))
	}
	return fileError(f.Commit())
}
