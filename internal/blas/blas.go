package blas

import (
	"fmt"
	"unsafe"
)

// Float is the element type of the products: float32 or float64.
type Float interface{ ~float32 | ~float64 }

// Sgemm computes C = alpha·op(A)·op(B) + beta·C in float32, where op(X) is X
// or its transpose, op(A) is m×k, op(B) is k×n and C is m×n. All matrices are
// row-major with leading dimensions (row strides) lda, ldb and ldc. When beta
// is 0, C need not be initialised. Sgemm panics if a slice is too short for
// its dimensions: that is a programmer's mistake, and the C library would
// otherwise read or write out of bounds.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	check(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Dgemm is Sgemm in float64.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	check(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	dgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Gemm is Sgemm or Dgemm, chosen by the element type, for generic kernels.
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if unsafe.Sizeof(alpha) == 4 {
		Sgemm(transA, transB, m, n, k, float32(alpha), as[float32](a), lda, as[float32](b), ldb, float32(beta), as[float32](c), ldc)
		return
	}
	Dgemm(transA, transB, m, n, k, float64(alpha), as[float64](a), lda, as[float64](b), ldb, float64(beta), as[float64](c), ldc)
}

// as reinterprets a slice of T as a slice of U of the same element size.
func as[U, T Float](s []T) []U {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*U)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// check panics unless every matrix fits its slice.
func check(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("blas: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	fits("A", ar, ac, la, lda)
	fits("B", br, bc, lb, ldb)
	fits("C", m, n, lc, ldc)
}

func fits(name string, rows, cols, length, ld int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("blas: leading dimension of %s is %d, want at least %d", name, ld, max(1, cols)))
	}
	if rows > 0 && cols > 0 && length < (rows-1)*ld+cols {
		panic(fmt.Sprintf("blas: %s is %d×%d with stride %d but its slice holds %d elements", name, rows, cols, ld, length))
	}
}
