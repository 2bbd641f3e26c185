package frame

import "fmt"

// Frame is one picture: C planes of H rows of W float32 values in [0,1].
type Frame struct {
	C, H, W int
	Pix     []float32 // len C*H*W, CHW order
}

// New returns a black frame of the given shape.
// It panics if a dimension is not positive: that is a programmer's mistake.
func New(c, h, w int) Frame {
	if c <= 0 || h <= 0 || w <= 0 {
		panic(fmt.Sprintf("frame: bad shape %dx%dx%d", c, h, w))
	}
	return Frame{C: c, H: h, W: w, Pix: make([]float32, c*h*w)}
}

// At returns the value of channel c at row y, column x.
func (f Frame) At(c, y, x int) float32 { return f.Pix[(c*f.H+y)*f.W+x] }

// Set sets the value of channel c at row y, column x.
func (f Frame) Set(c, y, x int, v float32) { f.Pix[(c*f.H+y)*f.W+x] = v }

// Plane returns channel c as a slice of H*W values that aliases f.Pix.
func (f Frame) Plane(c int) []float32 { return f.Pix[c*f.H*f.W : (c+1)*f.H*f.W] }

// SameShape reports whether f and g have the same C, H and W.
func (f Frame) SameShape(g Frame) bool { return f.C == g.C && f.H == g.H && f.W == g.W }

// Shape returns a short description such as "3x64x64" (CxHxW).
func (f Frame) Shape() string { return fmt.Sprintf("%dx%dx%d", f.C, f.H, f.W) }

// Clone returns a deep copy of f.
func (f Frame) Clone() Frame {
	g := f
	g.Pix = append([]float32(nil), f.Pix...)
	return g
}

// Validate checks that Pix has C*H*W values.
func (f Frame) Validate() error {
	if f.C <= 0 || f.H <= 0 || f.W <= 0 {
		return fmt.Errorf("frame: bad shape %s", f.Shape())
	}
	if len(f.Pix) != f.C*f.H*f.W {
		return fmt.Errorf("frame: %s frame has %d values, want %d", f.Shape(), len(f.Pix), f.C*f.H*f.W)
	}
	return nil
}
