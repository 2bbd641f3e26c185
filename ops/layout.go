package ops

import (
	"fmt"

	"gorgonia.org/tensor"
)

// NCHWToCNHW copies src, laid out N×C×HW (PyTorch's and decode's order),
// into dst laid out C×N×HW, the order every op here works in. Both hold
// n·c·hw elements.
func NCHWToCNHW[T Float](dst, src []T, n, c, hw int) {
	swapOuter(dst, src, n, c, hw)
}

// CNHWToNCHW is the inverse of NCHWToCNHW.
func CNHWToNCHW[T Float](dst, src []T, n, c, hw int) {
	swapOuter(dst, src, c, n, hw)
}

// swapOuter copies src (a×b blocks of hw) to dst (b×a blocks of hw).
func swapOuter[T Float](dst, src []T, a, b, hw int) {
	if len(src) < a*b*hw || len(dst) < a*b*hw {
		panic(fmt.Sprintf("ops: layout: slices of %d and %d elements, want %d", len(src), len(dst), a*b*hw))
	}
	parallelRange(a*b*hw, func(lo, hi int) {
		// Copy whole planes; a chunk boundary may split one plane.
		for p := lo / hw; p*hw < hi; p++ {
			i, j := p/b, p%b
			s, e := max(lo, p*hw), min(hi, (p+1)*hw)
			off := s - p*hw
			copy(dst[(j*a+i)*hw+off:][:e-s], src[s:e])
		}
	})
}

// ToCNHW returns a new CNHW tensor with the contents of an NCHW tensor.
func ToCNHW(t *tensor.Dense) (*tensor.Dense, error) {
	return swapDense(t, "ToCNHW")
}

// ToNCHW returns a new NCHW tensor with the contents of a CNHW tensor.
func ToNCHW(t *tensor.Dense) (*tensor.Dense, error) {
	return swapDense(t, "ToNCHW")
}

// swapDense swaps the two outer axes, which is both conversions.
func swapDense(t *tensor.Dense, name string) (*tensor.Dense, error) {
	d, err := dense(name, t)
	if err != nil {
		return nil, err
	}
	s := d.Shape()
	if s.Dims() != 4 {
		return nil, fmt.Errorf("ops: %s: want a 4-D tensor, got shape %v", name, s)
	}
	out := tensor.New(tensor.Of(d.Dtype()), tensor.WithShape(s[1], s[0], s[2], s[3]))
	a, b, hw := s[0], s[1], s[2]*s[3]
	if d.Dtype() == tensor.Float32 {
		swapOuter(data[float32](out), data[float32](d), a, b, hw)
	} else {
		swapOuter(data[float64](out), data[float64](d), a, b, hw)
	}
	return out, nil
}
