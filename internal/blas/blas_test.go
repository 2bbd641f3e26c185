package blas

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time: under contention from
// other processes it still measures the work done.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// naive is the textbook triple loop the implementations are checked against.
func naive(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				ia, ib := i*lda+p, p*ldb+j
				if transA {
					ia = p*lda + i
				}
				if transB {
					ib = j*ldb + p
				}
				av, bv := a[ia], b[ib]
				s += av * bv
			}
			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
		}
	}
}

func randSlice(r *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = r.NormFloat64()
	}
	return s
}

func to32(s []float64) []float32 {
	o := make([]float32, len(s))
	for i, v := range s {
		o[i] = float32(v)
	}
	return o
}

func TestGemmMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	shapes := []struct{ m, n, k, pad int }{
		{1, 1, 1, 0}, {3, 5, 7, 0}, {16, 33, 9, 2}, {64, 17, 130, 3}, {7, 300, 5, 1}, {5, 4, 0, 0},
	}
	for _, s := range shapes {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			ta, tb := tr[0], tr[1]
			name := fmt.Sprintf("m%d_n%d_k%d_ta%v_tb%v", s.m, s.n, s.k, ta, tb)
			t.Run(name, func(t *testing.T) {
				ar, ac := s.m, s.k
				if ta {
					ar, ac = s.k, s.m
				}
				br, bc := s.k, s.n
				if tb {
					br, bc = s.n, s.k
				}
				lda, ldb, ldc := max(1, ac)+s.pad, max(1, bc)+s.pad, s.n+s.pad
				a := randSlice(r, max(1, ar*lda))
				b := randSlice(r, max(1, br*ldb))
				c0 := randSlice(r, s.m*ldc)
				const alpha, beta = 0.7, -0.3

				want := append([]float64(nil), c0...)
				naive(ta, tb, s.m, s.n, s.k, alpha, a, lda, b, ldb, beta, want, ldc)

				got := append([]float64(nil), c0...)
				Dgemm(ta, tb, s.m, s.n, s.k, alpha, a, lda, b, ldb, beta, got, ldc)
				// float64 sums of at most 130 terms: tol 1e-12 relative to the magnitude.
				compare(t, "Dgemm", got, want, 1e-12)

				got32 := to32(c0)
				Sgemm(ta, tb, s.m, s.n, s.k, alpha, to32(a), lda, to32(b), ldb, beta, got32, ldc)
				g := make([]float64, len(got32))
				for i, v := range got32 {
					g[i] = float64(v)
				}
				// float32 rounding of inputs and sums: tol 1e-5 relative.
				compare(t, "Sgemm", g, want, 1e-5)

				gen := to32(c0)
				Gemm(ta, tb, s.m, s.n, s.k, float32(alpha), to32(a), lda, to32(b), ldb, float32(beta), gen, ldc)
				for i := range gen {
					if gen[i] != got32[i] {
						t.Fatalf("Gemm[float32] differs from Sgemm at %d: %v vs %v", i, gen[i], got32[i])
					}
				}
			})
		}
	}
}

func compare(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	scale := 1.0
	for _, v := range want {
		scale = math.Max(scale, math.Abs(v))
	}
	for i := range want {
		if d := math.Abs(got[i] - want[i]); d > tol*scale {
			t.Fatalf("%s: element %d = %v, naive loop gives %v (|diff| %.3g > %.3g)", what, i, got[i], want[i], d, tol*scale)
		}
	}
}

func TestShortSlicePanics(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), "slice holds") {
			t.Fatalf("want a panic naming the short slice, got %v", r)
		}
	}()
	a := make([]float32, 5) // 2×3 needs 6
	Sgemm(false, false, 2, 2, 3, 1, a, 3, make([]float32, 6), 2, 0, make([]float32, 4), 2)
}

func TestNameAndThreads(t *testing.T) {
	if Name() == "" {
		t.Fatal("Name is empty")
	}
	prev := SetThreads(1)
	defer SetThreads(prev)
	if got := Threads(); got != 1 && got != 0 {
		t.Fatalf("after SetThreads(1), Threads() = %d, want 1 (OpenBLAS) or 0 (pure Go)", got)
	}
	t.Logf("implementation: %s, threads before the test: %d", Name(), prev)
}

// BenchmarkSgemm measures square products and the shapes a convolution
// layer of framepred's U-Net hands to the library (m = output channels,
// k = input channels × 9, n = a tile of pixels).
func BenchmarkSgemm(b *testing.B) {
	cases := []struct{ m, n, k int }{
		{1024, 1024, 1024}, {16, 4096, 144}, {32, 4096, 288}, {64, 2048, 576}, {144, 4096, 16},
	}
	for _, threads := range []int{1, 2} {
		for _, c := range cases {
			b.Run(fmt.Sprintf("t%d/%dx%dx%d", threads, c.m, c.n, c.k), func(b *testing.B) {
				prev := SetThreads(threads)
				defer SetThreads(prev)
				r := rand.New(rand.NewPCG(1, 1))
				a, bb, cc := to32(randSlice(r, c.m*c.k)), to32(randSlice(r, c.k*c.n)), make([]float32, c.m*c.n)
				b.SetBytes(int64(4 * (c.m*c.k + c.k*c.n + c.m*c.n)))
				c0 := cpuTime()
				for b.Loop() {
					Sgemm(false, false, c.m, c.n, c.k, 1, a, c.k, bb, c.n, 0, cc, c.n)
				}
				flop := 2 * float64(c.m*c.n*c.k) * float64(b.N)
				b.ReportMetric(flop/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				b.ReportMetric(flop/(cpuTime()-c0).Seconds()/1e9, "GFLOP/cpu-s")
			})
		}
	}
}
