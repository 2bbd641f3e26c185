package ops

import (
	"fmt"
	"math"
	"testing"

	"framepred/internal/blas"
)

// TestMicroKernels compares gemmNN and gemmNT (assembly where available)
// with OpenBLAS on shapes with every kind of ragged edge.
func TestMicroKernels(t *testing.T) {
	if !hasKernels {
		t.Log("no AVX2/FMA micro-kernels here: gemmNN/gemmNT are OpenBLAS, checked anyway")
	}
	r := rng(41)
	f := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return v
	}
	for _, s := range []struct{ m, n, k int }{{4, 24, 1}, {16, 96, 144}, {7, 50, 13}, {33, 8, 5}, {3, 40, 9}, {16, 1000, 288}, {64, 37, 16}} {
		for _, beta := range []float32{0, 1} {
			t.Run(fmt.Sprintf("%dx%dx%d_beta%v", s.m, s.n, s.k, beta), func(t *testing.T) {
				lda, ldb, ldc := s.k+3, s.n+5, s.n+2
				a, b, c0 := f(s.m*lda), f(s.k*ldb), f(s.m*ldc)
				got, want := append([]float32(nil), c0...), append([]float32(nil), c0...)
				gemmNN(s.m, s.n, s.k, a, lda, b, ldb, beta, got, ldc)
				blas.Sgemm(false, false, s.m, s.n, s.k, 1, a, lda, b, ldb, beta, want, ldc)
				near(t, "NN", got, want, s.k)

				k8 := (s.k + 7) &^ 7 // the NT kernel wants k a multiple of 8
				lda, ldb = k8+3, k8+1
				a, b = f(s.m*lda), f(s.n*ldb)
				got, want = append([]float32(nil), c0...), append([]float32(nil), c0...)
				gemmNT(s.m, s.n, k8, a, lda, b, ldb, beta, got, ldc)
				blas.Sgemm(false, true, s.m, s.n, k8, 1, a, lda, b, ldb, beta, want, ldc)
				near(t, "NT", got, want, k8)
			})
		}
	}
}

func near(t *testing.T, what string, got, want []float32, k int) {
	t.Helper()
	// float32 sums of k products of N(0,1) values, in different orders.
	tol := 1e-5 * math.Sqrt(float64(k)) * 4
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); d > tol {
			t.Fatalf("%s: element %d = %v, OpenBLAS gives %v", what, i, got[i], want[i])
		}
	}
}
