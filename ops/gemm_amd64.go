//go:build !purego

package ops

import "golang.org/x/sys/cpu"

// hasKernels reports whether the AVX2/FMA micro-kernels can run here.
var hasKernels = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func kernNN4x24(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, acc int)

//go:noescape
func kernNN4x8(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, acc int)

//go:noescape
func kernNT4x3(k int, a *float32, lda int, b *float32, ldb int, out *[12]float32)

//go:noescape
func kernNNI4x24(k int, a *float32, lda int, b *float32, offs *int, c *float32, ldc int, acc int)

//go:noescape
func kernNNS4x24(k int, a *float32, lda int, b *float32, offs *int, segs *[3]int, c *float32, coffs *[3]int, ldc int, acc int)

//go:noescape
func kernNTS4x3(imgs int, rows int, w int, a *float32, lda int, aImg int, aRow int, b *float32, offs *[3]int, bImg int, bRow int, out *[12]float32)

//go:noescape
func biasActAVX(x *float32, y *float32, n int, bias float32, slope float32)

//go:noescape
func actGradAVX(y *float32, dy *float32, dx *float32, n int, slope float32)

//go:noescape
func sum256AVX(v *float32, blocks int) float64

//go:noescape
func kernNNH4x24(k int, a *float32, lda int, b *float32, offs *int, segs *[6]int, c *float32, coffs *[6]int, ldc int)
