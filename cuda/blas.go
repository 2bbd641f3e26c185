package cuda

/*
#include "bind.h"
*/
import "C"

import (
	"fmt"
	"math"
)

// cublasOperation_t values (cublas_api.h).
const (
	cublasOpN = 0
	cublasOpT = 1
)

// gemmCall is the column-major product cuBLAS is asked for:
// C = alpha·op(X)·op(Y) + beta·C with op(X) m×k and op(Y) k×n, where X and Y
// are the caller's matrices as first and second say.
type gemmCall struct {
	transX, transY bool
	m, n, k        int
	ldx, ldy, ldc  int
	xIsB           bool // X is the caller's B (and Y its A)
}

// rowMajor maps a row-major product onto cuBLAS's column-major one. A
// row-major matrix read as column-major is its transpose, so the row-major
// C = op(A)·op(B) (m×n) is the column-major Cᵀ = op(B)ᵀ·op(A)ᵀ (n×m): cuBLAS
// gets B first and A second, each with its own transpose flag (Bᵀ is what
// it already reads when B is not transposed), and m and n trade places.
// Leading dimensions keep their matrices.
func rowMajor(transA, transB bool, m, n, k, lda, ldb, ldc int) gemmCall {
	return gemmCall{transX: transB, transY: transA, m: n, n: m, k: k, ldx: ldb, ldy: lda, ldc: ldc, xIsB: true}
}

func op(t bool) C.int {
	if t {
		return cublasOpT
	}
	return cublasOpN
}

// checkGemm panics unless every matrix of the row-major product fits its
// buffer (batch matrices stride values apart) and every number fits
// cuBLAS's 32-bit interface: a wrong shape is a programmer's mistake, and
// the device would otherwise read or write out of bounds.
func checkGemm(transA, transB bool, m, n, k int, a Buffer, lda, sa int, b Buffer, ldb, sb int, c Buffer, ldc, sc, batch int) {
	for _, v := range []int{m, n, k, lda, ldb, ldc, batch} {
		if v < 0 || v > math.MaxInt32 {
			panic(fmt.Sprintf("cuda: Sgemm: m=%d n=%d k=%d lda=%d ldb=%d ldc=%d batch=%d: each must be in [0, 2³¹)", m, n, k, lda, ldb, ldc, batch))
		}
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	fits("A", ar, ac, a.n, lda, sa, batch)
	fits("B", br, bc, b.n, ldb, sb, batch)
	fits("C", m, n, c.n, ldc, sc, batch)
}

func fits(name string, rows, cols, length, ld, stride, batch int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("cuda: Sgemm: leading dimension of %s is %d, want at least %d", name, ld, max(1, cols)))
	}
	if rows == 0 || cols == 0 || batch == 0 {
		return
	}
	if stride < 0 {
		panic(fmt.Sprintf("cuda: Sgemm: stride of %s is %d", name, stride))
	}
	need := (batch-1)*stride + (rows-1)*ld + cols
	if length < need {
		panic(fmt.Sprintf("cuda: Sgemm: %s is %d×%d with stride %d (batch %d, %d apart) but its buffer holds %d values, want %d",
			name, rows, cols, ld, batch, stride, length, need))
	}
}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C on the device, with the
// semantics of framepred/internal/blas.Sgemm: row-major matrices with
// leading dimensions (row strides) lda, ldb and ldc; op(X) is X or its
// transpose; op(A) is m×k, op(B) k×n, C m×n. When beta is 0, C need not be
// initialised. It panics if a buffer is too small for its matrix.
func (c *Context) Sgemm(transA, transB bool, m, n, k int, alpha float32, a Buffer, lda int, b Buffer, ldb int, beta float32, cm Buffer, ldc int) error {
	checkGemm(transA, transB, m, n, k, a, lda, 0, b, ldb, 0, cm, ldc, 0, 1)
	if err := c.usable(); err != nil {
		return err
	}
	if m == 0 || n == 0 {
		return nil
	}
	g := rowMajor(transA, transB, m, n, k, lda, ldb, ldc)
	x, y := a, b
	if g.xIsB {
		x, y = b, a
	}
	st := C.fp_sgemm(c.rt.drv, c.rt.blas, c.ctx, c.blas, op(g.transX), op(g.transY),
		C.int(g.m), C.int(g.n), C.int(g.k), C.float(alpha),
		C.CUdeviceptr(x.ptr), C.int(g.ldx), C.CUdeviceptr(y.ptr), C.int(g.ldy),
		C.float(beta), C.CUdeviceptr(cm.ptr), C.int(g.ldc))
	return c.blasCheck("cublasSgemm_v2", st)
}

// SgemmStridedBatched computes batch products like [Context.Sgemm], the i-th
// on the matrices that start strideA, strideB and strideC values after the
// (i-1)-th. It panics if a buffer is too small for its batch of matrices.
func (c *Context) SgemmStridedBatched(transA, transB bool, m, n, k int, alpha float32,
	a Buffer, lda, strideA int, b Buffer, ldb, strideB int, beta float32, cm Buffer, ldc, strideC int, batch int) error {
	checkGemm(transA, transB, m, n, k, a, lda, strideA, b, ldb, strideB, cm, ldc, strideC, batch)
	if err := c.usable(); err != nil {
		return err
	}
	if m == 0 || n == 0 || batch == 0 {
		return nil
	}
	g := rowMajor(transA, transB, m, n, k, lda, ldb, ldc)
	x, y, sx, sy := a, b, strideA, strideB
	if g.xIsB {
		x, y, sx, sy = b, a, strideB, strideA
	}
	st := C.fp_sgemm_strided(c.rt.drv, c.rt.blas, c.ctx, c.blas, op(g.transX), op(g.transY),
		C.int(g.m), C.int(g.n), C.int(g.k), C.float(alpha),
		C.CUdeviceptr(x.ptr), C.int(g.ldx), C.longlong(sx), C.CUdeviceptr(y.ptr), C.int(g.ldy), C.longlong(sy),
		C.float(beta), C.CUdeviceptr(cm.ptr), C.int(g.ldc), C.longlong(strideC), C.int(batch))
	return c.blasCheck("cublasSgemmStridedBatched", st)
}

func (c *Context) blasCheck(call string, st C.int) error {
	switch {
	case st == 0:
		return nil
	case int(st) >= ctxErr:
		return driverError(c.rt.drv, "cuCtxSetCurrent", int(st))
	}
	return blasError(c.rt.blas, call, int(st))
}

// cublasMath_t values (cublas_api.h).
const (
	cublasDefaultMath    = 0
	cublasTF32TensorMath = 3
)

// SetTF32 lets cuBLAS's float32 products use TF32 tensor cores (inputs
// rounded to 10 mantissa bits, sums in float32), as PyTorch's convolutions
// do by default on Ampere and later GPUs; false, the default, keeps full
// float32 products.
func (c *Context) SetTF32(on bool) error {
	if err := c.usable(); err != nil {
		return err
	}
	if c.rt.blas.cublasSetMathMode == nil {
		return fmt.Errorf("cuda: this cuBLAS has no cublasSetMathMode")
	}
	mode := cublasDefaultMath
	if on {
		mode = cublasTF32TensorMath
	}
	return c.blasCheck("cublasSetMathMode", C.fp_blas_set_math_mode(c.rt.drv, c.rt.blas, c.ctx, c.blas, C.int(mode)))
}
