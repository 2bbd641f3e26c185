package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// DType names an element type as the header spells it.
type DType string

// The element types of the format.
const (
	BOOL   DType = "BOOL"
	F4     DType = "F4" // 4-bit float; tensors must fill whole bytes
	F6E2M3 DType = "F6_E2M3"
	F6E3M2 DType = "F6_E3M2"
	U8     DType = "U8"
	I8     DType = "I8"
	F8E5M2 DType = "F8_E5M2"
	F8E4M3 DType = "F8_E4M3"
	F8E8M0 DType = "F8_E8M0"
	I16    DType = "I16"
	U16    DType = "U16"
	F16    DType = "F16"
	BF16   DType = "BF16"
	I32    DType = "I32"
	U32    DType = "U32"
	F32    DType = "F32"
	C64    DType = "C64"
	F64    DType = "F64"
	I64    DType = "I64"
	U64    DType = "U64"
)

// dtypeBits gives each known dtype's element size in bits.
var dtypeBits = map[DType]uint64{
	BOOL: 8, F4: 4, F6E2M3: 6, F6E3M2: 6, U8: 8, I8: 8,
	F8E5M2: 8, F8E4M3: 8, F8E8M0: 8, I16: 16, U16: 16, F16: 16, BF16: 16,
	I32: 32, U32: 32, F32: 32, C64: 64, F64: 64, I64: 64, U64: 64,
}

// Bits returns the element size in bits, or 0 for an unknown dtype.
func (d DType) Bits() int { return int(dtypeBits[d]) }

// Known reports whether d is one of the format's dtypes.
func (d DType) Known() bool { return dtypeBits[d] != 0 }

// byteSize returns the bytes that elems elements of d take, or an error when
// d is unknown, the product overflows, or the elements do not fill whole
// bytes.
func byteSize(d DType, shape []uint64) (uint64, error) {
	n, ok := dtypeBits[d]
	if !ok {
		return 0, fmt.Errorf("unknown dtype %q", string(d))
	}
	for _, dim := range shape {
		hi, lo := bits.Mul64(n, dim)
		if hi != 0 {
			return 0, fmt.Errorf("shape %v of %s overflows", shape, d)
		}
		n = lo
	}
	if n%8 != 0 {
		return 0, fmt.Errorf("shape %v of %s is %d bits, not whole bytes", shape, d, n)
	}
	return n / 8, nil
}

// halfToFloat32 converts an IEEE 754 binary16 value exactly.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch exp {
	case 0x1f: // infinity or NaN, payload kept
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case 0: // zero or subnormal: mant·2⁻²⁴
		f := float32(mant) / (1 << 24)
		if sign != 0 {
			f = -f
		}
		return f
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// decodeFloat32s converts the little-endian elements of d in b to float32.
func decodeFloat32s(d DType, b []byte) ([]float32, error) {
	size := int(dtypeBits[d] / 8)
	out := make([]float32, len(b)/max(size, 1))
	switch d {
	case F32:
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	case F64:
		for i := range out {
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])))
		}
	case F16:
		for i := range out {
			out[i] = halfToFloat32(binary.LittleEndian.Uint16(b[2*i:]))
		}
	case BF16:
		for i := range out {
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16)
		}
	default:
		return nil, fmt.Errorf("safetensors: cannot convert %s elements to float32", d)
	}
	return out, nil
}
