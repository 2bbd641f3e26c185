//go:build !purego

package blas

/*
#cgo LDFLAGS: -lopenblas

// The few OpenBLAS entry points framepred uses, declared here rather than
// through cblas.h so the build does not depend on which BLAS the system's
// header alternatives point at. The enum values are the CBLAS standard's.
void cblas_sgemm(int order, int transA, int transB, int m, int n, int k,
	float alpha, const float *a, int lda, const float *b, int ldb,
	float beta, float *c, int ldc);
void cblas_dgemm(int order, int transA, int transB, int m, int n, int k,
	double alpha, const double *a, int lda, const double *b, int ldb,
	double beta, double *c, int ldc);
void openblas_set_num_threads(int n);
int openblas_get_num_threads(void);
char *openblas_get_config(void);
char *openblas_get_corename(void);
*/
import "C"

import (
	"fmt"
	"math"
)

const (
	cblasRowMajor = 101
	cblasNoTrans  = 111
	cblasTrans    = 112
)

func trans(t bool) C.int {
	if t {
		return cblasTrans
	}
	return cblasNoTrans
}

// toC converts a dimension; OpenBLAS's LP64 interface takes 32-bit ints.
func toC(v int) C.int {
	if v > math.MaxInt32 {
		panic(fmt.Sprintf("blas: dimension %d exceeds OpenBLAS's 32-bit interface", v))
	}
	return C.int(v)
}

func sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	var pa, pb *C.float
	if len(a) > 0 {
		pa = (*C.float)(&a[0])
	}
	if len(b) > 0 {
		pb = (*C.float)(&b[0])
	}
	C.cblas_sgemm(cblasRowMajor, trans(transA), trans(transB), toC(m), toC(n), toC(k),
		C.float(alpha), pa, toC(lda), pb, toC(ldb), C.float(beta), (*C.float)(&c[0]), toC(ldc))
}

func dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	var pa, pb *C.double
	if len(a) > 0 {
		pa = (*C.double)(&a[0])
	}
	if len(b) > 0 {
		pb = (*C.double)(&b[0])
	}
	C.cblas_dgemm(cblasRowMajor, trans(transA), trans(transB), toC(m), toC(n), toC(k),
		C.double(alpha), pa, toC(lda), pb, toC(ldb), C.double(beta), (*C.double)(&c[0]), toC(ldc))
}

// Name reports the active implementation, e.g.
// "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64 (core Zen)".
func Name() string {
	return fmt.Sprintf("%s (core %s)", C.GoString(C.openblas_get_config()), C.GoString(C.openblas_get_corename()))
}

// SetThreads sets how many threads OpenBLAS may use for one product (at
// least 1) and returns the previous setting.
func SetThreads(n int) int {
	prev := Threads()
	C.openblas_set_num_threads(C.int(max(1, n)))
	return prev
}

// Threads reports how many threads OpenBLAS may use for one product.
func Threads() int { return int(C.openblas_get_num_threads()) }
