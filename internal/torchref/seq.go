package torchref

import (
	"math"

	"gorgonia.org/tensor"
)

// splitmix is splitmix64's output function, torchref.py's integer hash.
func splitmix(z uint64) uint64 {
	z += 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// Hseq is torchref.py's hseq: n values uniform in [offset-scale,
// offset+scale), value i from splitmix64(seed<<32 | i).
func Hseq(n int, seed uint64, scale, offset float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		u := float64(splitmix(seed<<32|uint64(i))>>11) / (1 << 53)
		v[i] = (u*2-1)*scale + offset
	}
	return v
}

// CNHW is torchref.py's cnhw: a float64 tensor of the given CNHW shape
// holding Hseq values.
func CNHW(seed uint64, scale, offset float64, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(Hseq(tensor.Shape(shape).TotalSize(), seed, scale, offset)))
}

// Seq is torchref.py's seq: element i is sin(0.7·i + 1.3·seed)·scale + offset.
func Seq(n, seed int, scale, offset float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Sin(0.7*float64(i)+1.3*float64(seed))*scale + offset
	}
	return v
}

// Float32s rounds each value to float32.
func Float32s(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// To32 returns a float32 copy of a float64 tensor.
func To32(t *tensor.Dense) *tensor.Dense {
	return tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(Float32s(t.Float64s())))
}

// Floats returns a copy of a tensor's elements as float64, whatever its
// dtype (float64 or float32).
func Floats(t *tensor.Dense) []float64 {
	if t.Dtype() == tensor.Float64 {
		return append([]float64(nil), t.Float64s()...)
	}
	v := make([]float64, t.DataSize())
	for i, x := range t.Float32s() {
		v[i] = float64(x)
	}
	return v
}
