//go:build !amd64 || purego

package ops

// No micro-kernels: every product goes to package blas.
var hasKernels = false

func kernNN4x24(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, acc int) {
	panic("ops: no micro-kernels on this platform")
}

func kernNN4x8(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, acc int) {
	panic("ops: no micro-kernels on this platform")
}

func kernNT4x3(k int, a *float32, lda int, b *float32, ldb int, out *[12]float32) {
	panic("ops: no micro-kernels on this platform")
}

func kernNNI4x24(k int, a *float32, lda int, b *float32, offs *int, c *float32, ldc int, acc int) {
	panic("ops: no micro-kernels on this platform")
}

func kernNNS4x24(k int, a *float32, lda int, b *float32, offs *int, segs *[3]int, c *float32, coffs *[3]int, ldc int, acc int) {
	panic("ops: no micro-kernels on this platform")
}

func kernNTS4x3(imgs int, rows int, w int, a *float32, lda int, aImg int, aRow int, b *float32, offs *[3]int, bImg int, bRow int, out *[12]float32) {
	panic("ops: no micro-kernels on this platform")
}

func biasActAVX(x *float32, y *float32, n int, bias float32, slope float32) {
	panic("ops: no micro-kernels on this platform")
}

func actGradAVX(y *float32, dy *float32, dx *float32, n int, slope float32) {
	panic("ops: no micro-kernels on this platform")
}

func sum256AVX(v *float32, blocks int) float64 {
	panic("ops: no micro-kernels on this platform")
}

func kernNNH4x24(k int, a *float32, lda int, b *float32, offs *int, segs *[6]int, c *float32, coffs *[6]int, ldc int) {
	panic("ops: no micro-kernels on this platform")
}
