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
