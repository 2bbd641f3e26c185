package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// Tensor is one tensor's element type, shape and raw little-endian bytes.
type Tensor struct {
	DType DType
	Shape []int // empty for a scalar
	Data  []byte
}

// FromFloat32 returns an F32 tensor of the given shape holding a copy of
// data. It panics if the shape's product is not len(data): that is a
// programmer's mistake.
func FromFloat32(shape []int, data []float32) Tensor {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("safetensors: FromFloat32 with shape %v", shape))
		}
		n *= d
	}
	if n != len(data) {
		panic(fmt.Sprintf("safetensors: FromFloat32 with shape %v (%d elements) and %d values", shape, n, len(data)))
	}
	b := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return Tensor{DType: F32, Shape: slices.Clone(shape), Data: b}
}

// Len returns the number of elements: the product of the shape.
func (t Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// check reports whether the tensor's dtype is known and its data has the
// size its shape needs.
func (t Tensor) check() error {
	shape := make([]uint64, len(t.Shape))
	for i, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("negative dimension in shape %v", t.Shape)
		}
		shape[i] = uint64(d)
	}
	n, err := byteSize(t.DType, shape)
	if err != nil {
		return err
	}
	if n != uint64(len(t.Data)) {
		return fmt.Errorf("shape %v of %s needs %d bytes, data has %d", t.Shape, t.DType, n, len(t.Data))
	}
	return nil
}

// Float32s returns the elements as float32. F32 is decoded as is; F16,
// BF16 and F64 are converted (F16 and BF16 exactly, F64 rounded to
// nearest). Other dtypes are an error.
func (t Tensor) Float32s() ([]float32, error) {
	if err := t.check(); err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	return decodeFloat32s(t.DType, t.Data)
}
