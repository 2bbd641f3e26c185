package encode

import (
	"errors"
	"fmt"

	"framepred/frame"
)

// Kind says where a panel's frame comes from. The reel frames it in the
// kind's colour and names it in a badge under the picture.
type Kind uint8

const (
	// Real is a real frame the model did not see, such as the ground-truth
	// future (green). It is the zero value.
	Real Kind = iota
	// Context is a real frame the model was given as input (blue).
	Context
	// Predicted is a frame the model made (orange).
	Predicted
)

func (k Kind) String() string {
	switch k {
	case Real:
		return "real"
	case Context:
		return "context"
	case Predicted:
		return "predicted"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Panel is one source of frames in a reel, such as the ground truth or a
// model's predictions.
type Panel struct {
	// Label names the source above its picture, e.g. "MSE + adversarial".
	Label string
	// Frames are gray or RGB frames of one shape. Panels may differ in size
	// and channels. A panel shorter than the reel holds its last frame and
	// says so ("held") under the picture.
	Frames []frame.Frame
	// Kinds, if not nil, gives each frame's Kind; nil means all Real.
	Kinds []Kind
	// Captions, if not nil, gives a line under each frame, such as
	// "PSNR 24.1 dB  sharp 0.93"; empty strings leave it blank.
	Captions []string
}

// Reel is a grid of panels that play in step: one row per sample, each row
// with the same number of panels. Its length is that of its longest panel.
type Reel struct {
	Rows [][]Panel
	// PanelSize is the side of the square each picture is scaled into by
	// nearest neighbour (longer side filling it), an even number of pixels;
	// 0 means DefaultPanelSize.
	PanelSize int
	// Title is shown in the bar above the grid, with the frame index.
	Title string
}

// Panel size limits, in pixels.
const (
	DefaultPanelSize = 256
	MinPanelSize     = 256 // smaller panels are too small to study
	MaxPanelSize     = 2048
	maxReelSide      = 8192 // what H.264 players can be relied on to decode
)

// Len returns the number of frames of the reel: that of its longest panel.
func (r Reel) Len() int {
	n := 0
	for _, row := range r.Rows {
		for _, p := range row {
			n = max(n, len(p.Frames))
		}
	}
	return n
}

// check validates the reel and returns it with defaults filled in.
func (r Reel) check() (Reel, error) {
	if r.PanelSize == 0 {
		r.PanelSize = DefaultPanelSize
	}
	if r.PanelSize < MinPanelSize || r.PanelSize > MaxPanelSize || r.PanelSize%2 != 0 {
		return r, fmt.Errorf("encode: reel panel size %d is not even and in [%d,%d]", r.PanelSize, MinPanelSize, MaxPanelSize)
	}
	if len(r.Rows) == 0 {
		return r, errors.New("encode: reel has no rows")
	}
	for i, row := range r.Rows {
		if len(row) == 0 {
			return r, fmt.Errorf("encode: reel row %d has no panels", i)
		}
		if len(row) != len(r.Rows[0]) {
			return r, fmt.Errorf("encode: reel row %d has %d panels, row 0 has %d", i, len(row), len(r.Rows[0]))
		}
		for j, p := range row {
			if err := p.check(); err != nil {
				return r, fmt.Errorf("encode: reel row %d panel %d (%q): %w", i, j, p.Label, err)
			}
		}
	}
	return r, nil
}

func (p Panel) check() error {
	if len(p.Frames) == 0 {
		return errors.New("no frames")
	}
	first := p.Frames[0]
	for i, f := range p.Frames {
		if err := f.Validate(); err != nil {
			return fmt.Errorf("frame %d: %w", i, err)
		}
		if f.C != 1 && f.C != 3 {
			return fmt.Errorf("frame %d has %d channels, want 1 (gray) or 3 (RGB)", i, f.C)
		}
		if !f.SameShape(first) {
			return fmt.Errorf("frame %d is %s (CxHxW), frame 0 is %s: a panel's frames must share one shape", i, f.Shape(), first.Shape())
		}
	}
	if p.Kinds != nil && len(p.Kinds) != len(p.Frames) {
		return fmt.Errorf("%d kinds for %d frames", len(p.Kinds), len(p.Frames))
	}
	for i, k := range p.Kinds {
		if k > Predicted {
			return fmt.Errorf("frame %d has unknown kind %d", i, k)
		}
	}
	if p.Captions != nil && len(p.Captions) != len(p.Frames) {
		return fmt.Errorf("%d captions for %d frames", len(p.Captions), len(p.Frames))
	}
	return nil
}

// RenderFrame draws frame i of the reel as an RGB frame.
func (r Reel) RenderFrame(i int) (frame.Frame, error) {
	rd, err := newRenderer(r)
	if err != nil {
		return frame.Frame{}, err
	}
	if i < 0 || i >= rd.n {
		return frame.Frame{}, fmt.Errorf("encode: reel frame %d is out of range [0,%d)", i, rd.n)
	}
	return frameFromRGBA(rd.render(i)), nil
}

// WriteReel encodes the reel as an MP4 at path. opts.FPS defaults to
// DefaultReelFPS. Like a Writer, it leaves no file under path on error.
func WriteReel(path string, r Reel, opts Options) (err error) {
	rd, err := newRenderer(r)
	if err != nil {
		return err
	}
	if opts.FPS == 0 {
		opts.FPS = DefaultReelFPS
	}
	w, err := Create(path, opts)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, w.Abort())
		}
	}()
	for i := 0; i < rd.n; i++ {
		if err := w.Write(frameFromRGBA(rd.render(i))); err != nil {
			return err
		}
	}
	return w.Close()
}

// WriteReelStill writes frame i of the reel as a PNG at path, replacing an
// existing file only if force is set.
func WriteReelStill(path string, r Reel, i int, force bool) error {
	f, err := r.RenderFrame(i)
	if err != nil {
		return err
	}
	return WritePNG(path, f, force)
}
