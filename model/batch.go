package model

import (
	"fmt"

	"gorgonia.org/tensor"

	"framepred/frame"
)

// Batch turns clips into a training batch: x, the contexts stacked on
// channels ((K·C)×N×H×W, frame k's channel c at k·C+c), and y, each clip's
// first future frame (C×N×H×W). All clips must have the same number of
// context frames, at least one future frame, and frames of one shape.
func Batch(clips []frame.Clip) (x, y *tensor.Dense, err error) {
	ctx := make([][]frame.Frame, len(clips))
	next := make([]frame.Frame, len(clips))
	for i, c := range clips {
		if len(c.Future) == 0 {
			return nil, nil, fmt.Errorf("model: Batch: clip %d (%s) has no future frame", i, c.Source)
		}
		ctx[i], next[i] = c.Context, c.Future[0]
	}
	if x, err = ContextTensor(ctx); err != nil {
		return nil, nil, err
	}
	if y, err = FrameTensor(next); err != nil {
		return nil, nil, err
	}
	if !x.Shape()[1:].Eq(y.Shape()[1:]) || y.Shape()[0]*len(ctx[0]) != x.Shape()[0] {
		return nil, nil, fmt.Errorf("model: Batch: future frames %v do not match the context %v", y.Shape(), x.Shape())
	}
	return x, y, nil
}

// ContextTensor stacks N samples of K frames each into a (K·C)×N×H×W
// tensor, the predictor's input.
func ContextTensor(ctx [][]frame.Frame) (*tensor.Dense, error) {
	if len(ctx) == 0 || len(ctx[0]) == 0 {
		return nil, fmt.Errorf("model: no context frames (%d samples)", len(ctx))
	}
	k, f0 := len(ctx[0]), ctx[0][0]
	for i, fs := range ctx {
		if len(fs) != k {
			return nil, fmt.Errorf("model: sample %d has %d context frames, sample 0 has %d", i, len(fs), k)
		}
		for j, f := range fs {
			if err := checkFrame(f, f0); err != nil {
				return nil, fmt.Errorf("model: sample %d, context frame %d: %w", i, j, err)
			}
		}
	}
	n, c, hw := len(ctx), f0.C, f0.H*f0.W
	x := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(k*c, n, f0.H, f0.W))
	d := x.Float32s()
	for i, fs := range ctx {
		for j, f := range fs {
			for ch := range c {
				copy(d[((j*c+ch)*n+i)*hw:][:hw], f.Plane(ch))
			}
		}
	}
	return x, nil
}

// FrameTensor packs N frames of one shape into a C×N×H×W tensor.
func FrameTensor(fs []frame.Frame) (*tensor.Dense, error) {
	if len(fs) == 0 {
		return nil, fmt.Errorf("model: no frames")
	}
	for i, f := range fs {
		if err := checkFrame(f, fs[0]); err != nil {
			return nil, fmt.Errorf("model: frame %d: %w", i, err)
		}
	}
	n, c, h, w := len(fs), fs[0].C, fs[0].H, fs[0].W
	t := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(c, n, h, w))
	d := t.Float32s()
	for i, f := range fs {
		for ch := range c {
			copy(d[(ch*n+i)*h*w:][:h*w], f.Plane(ch))
		}
	}
	return t, nil
}

// TensorFrames unpacks a C×N×H×W float32 tensor into N new frames.
func TensorFrames(t *tensor.Dense) ([]frame.Frame, error) {
	s := t.Shape()
	if s.Dims() != 4 || t.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("model: TensorFrames: want a 4-D float32 C×N×H×W tensor, got %v %v", t.Dtype(), s)
	}
	c, n, h, w := s[0], s[1], s[2], s[3]
	d := t.Float32s()
	fs := make([]frame.Frame, n)
	for i := range fs {
		fs[i] = frame.New(c, h, w)
		for ch := range c {
			copy(fs[i].Plane(ch), d[(ch*n+i)*h*w:][:h*w])
		}
	}
	return fs, nil
}

func checkFrame(f, ref frame.Frame) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if !f.SameShape(ref) {
		return fmt.Errorf("shape %s differs from the first frame's %s", f.Shape(), ref.Shape())
	}
	return nil
}

// Roll returns a copy of a CNHW tensor with its samples (axis 1) rotated by
// k: sample i of the result is sample (i-k) mod N of t, as torch.roll(t, k,
// 0) does in NCHW. Paired with the unrolled contexts, Roll(y, 1) gives the
// discriminator real frames that belong to another sample's context:
// mismatched pairs, to be scored as fake. It needs N ≥ 2.
func Roll(t *tensor.Dense, k int) (*tensor.Dense, error) {
	s := t.Shape()
	if s.Dims() != 4 || t.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("model: Roll: want a 4-D float32 CNHW tensor, got %v %v", t.Dtype(), s)
	}
	c, n, plane := s[0], s[1], s[2]*s[3]
	if n < 2 {
		return nil, fmt.Errorf("model: Roll: %d sample(s); a mismatched pair needs at least 2", n)
	}
	k = ((k % n) + n) % n
	out := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(s...))
	src, dst := t.Float32s(), out.Float32s()
	for ch := range c {
		blk := ch * n * plane
		for i := range n {
			copy(dst[blk+i*plane:][:plane], src[blk+((i-k+n)%n)*plane:][:plane])
		}
	}
	return out, nil
}
