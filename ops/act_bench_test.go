package ops

import "testing"

func BenchmarkElementwise(b *testing.B) {
	const c, n = 32, 8 * 64 * 64
	x, y, d := make([]float32, c*n), make([]float32, c*n), make([]float32, c*n)
	bias, s := make([]float32, c), make([]float32, c)
	for i := range x {
		x[i] = float32((i*7919)%200-100) / 50
	}
	b.Run("BiasAct", func(b *testing.B) {
		b.SetBytes(int64(8 * len(x)))
		for b.Loop() {
			BiasActForward(x, bias, y, 0.2)
		}
	})
	b.Run("ActBackward", func(b *testing.B) {
		b.SetBytes(int64(12 * len(x)))
		for b.Loop() {
			ActBackward(x, y, d, 0.2)
		}
	})
	b.Run("ChannelSum", func(b *testing.B) {
		b.SetBytes(int64(4 * len(x)))
		for b.Loop() {
			ChannelSum(x, s)
		}
	})
}
