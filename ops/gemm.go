package ops

import (
	"fmt"
	"unsafe"

	"framepred/internal/blas"
)

// The convolutions' matrix products have few rows (the channel counts, 1
// to 64) and many columns (pixels). OpenBLAS packs both operands for every
// call and reaches only a third to a half of its large-matrix speed on such
// shapes. In float32 on CPUs with AVX2 and FMA, gemmNN and gemmNT instead run
// small assembly micro-kernels that read the operands in place (4 rows by 24
// or 8 columns, or 4×3 dot products), leaving only ragged edges to OpenBLAS.

// kernels reports whether T's products go to the micro-kernels.
func kernels[T Float]() bool {
	var zero T
	return hasKernels && unsafe.Sizeof(zero) == 4
}

func mustFit(name string, rows, cols, length, ld int) {
	if rows > 0 && cols > 0 && (ld < cols || length < (rows-1)*ld+cols) {
		panic(fmt.Sprintf("ops: %s: %d×%d with stride %d does not fit %d elements", name, rows, cols, ld, length))
	}
}

// gemmNN computes C(m×n) = A(m×k)·B(k×n) + beta·C, beta 0 or 1, row-major.
func gemmNN[T Float](m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if !kernels[T]() || m < 4 || n < 8 || k == 0 {
		blas.Gemm(false, false, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
		return
	}
	mustFit("gemmNN A", m, k, len(a), lda)
	mustFit("gemmNN B", k, n, len(b), ldb)
	mustFit("gemmNN C", m, n, len(c), ldc)
	a32, b32, c32 := as[float32](a), as[float32](b), as[float32](c)
	acc := 0
	if beta != 0 {
		acc = 1
	}
	m4, n8 := m&^3, n&^7
	// Column blocks outside, so each block of B is reused from L1 by every
	// block of rows.
	j := 0
	for ; j+24 <= n8; j += 24 {
		for i := 0; i < m4; i += 4 {
			kernNN4x24(k, &a32[i*lda], lda, &b32[j], ldb, &c32[i*ldc+j], ldc, acc)
		}
	}
	for ; j < n8; j += 8 {
		for i := 0; i < m4; i += 4 {
			kernNN4x8(k, &a32[i*lda], lda, &b32[j], ldb, &c32[i*ldc+j], ldc, acc)
		}
	}
	if n8 < n {
		blas.Gemm(false, false, m4, n-n8, k, 1, a, lda, b[n8:], ldb, beta, c[n8:], ldc)
	}
	if m4 < m {
		blas.Gemm(false, false, m-m4, n, k, 1, a[m4*lda:], lda, b, ldb, beta, c[m4*ldc:], ldc)
	}
}

// gemmNT computes C(m×n) = A(m×k)·B(n×k)ᵀ + beta·C, beta 0 or 1, row-major.
func gemmNT[T Float](m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if !kernels[T]() || m < 4 || n < 3 || k == 0 || k%8 != 0 {
		blas.Gemm(false, true, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
		return
	}
	mustFit("gemmNT A", m, k, len(a), lda)
	mustFit("gemmNT B", n, k, len(b), ldb)
	mustFit("gemmNT C", m, n, len(c), ldc)
	a32, b32 := as[float32](a), as[float32](b)
	m4, n3 := m&^3, n-n%3
	var out [12]float32
	for j := 0; j < n3; j += 3 {
		for i := 0; i < m4; i += 4 {
			kernNT4x3(k, &a32[i*lda], lda, &b32[j*ldb], ldb, &out)
			for r := 0; r < 4; r++ {
				row := c[(i+r)*ldc+j:][:3]
				for s := range row {
					row[s] = beta*row[s] + T(out[3*r+s])
				}
			}
		}
	}
	if n3 < n {
		blas.Gemm(false, true, m4, n-n3, k, 1, a, lda, b[n3*ldb:], ldb, beta, c[n3:], ldc)
	}
	if m4 < m {
		blas.Gemm(false, true, m-m4, n, k, 1, a[m4*lda:], lda, b, ldb, beta, c[m4*ldc:], ldc)
	}
}
