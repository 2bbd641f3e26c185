package cuda

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"framepred/internal/blas"
)

// colMajorGemm is the reference BLAS product on column-major matrices
// (element (i, j) of X at x[i + j·ldx]), the convention cuBLAS follows.
func colMajorGemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for j := 0; j < n; j++ {
		for i := 0; i < m; i++ {
			var s float64
			for p := 0; p < k; p++ {
				ia, ib := i+p*lda, p+j*ldb
				if transA {
					ia = p + i*lda
				}
				if transB {
					ib = j + p*ldb
				}
				av, bv := a[ia], b[ib]
				s += float64(av) * float64(bv)
			}
			if beta == 0 {
				c[i+j*ldc] = float32(float64(alpha) * s)
			} else {
				c[i+j*ldc] = float32(float64(alpha)*s + float64(beta)*float64(c[i+j*ldc]))
			}
		}
	}
}

type gemmShape struct{ m, n, k, pad int }

var gemmShapes = []gemmShape{
	{1, 1, 1, 0}, {3, 5, 7, 0}, {16, 33, 9, 2}, {64, 17, 130, 3}, {7, 300, 5, 1}, {5, 4, 0, 0}, {0, 3, 2, 0},
}

// gemmCase makes row-major operands for a shape and transposes.
func gemmCase(r *rand.Rand, s gemmShape, ta, tb bool) (a, b, c []float32, lda, ldb, ldc int) {
	ar, ac := s.m, s.k
	if ta {
		ar, ac = s.k, s.m
	}
	br, bc := s.k, s.n
	if tb {
		br, bc = s.n, s.k
	}
	lda, ldb, ldc = max(1, ac)+s.pad, max(1, bc)+s.pad, max(1, s.n)+s.pad
	return randFloats(r, max(1, ar*lda)), randFloats(r, max(1, br*ldb)), randFloats(r, max(1, s.m*ldc)), lda, ldb, ldc
}

// TestRowMajorMapping runs the column-major call that rowMajor derives,
// in Go, and compares it with framepred/internal/blas's row-major product.
func TestRowMajorMapping(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range gemmShapes {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			ta, tb := tr[0], tr[1]
			t.Run(fmt.Sprintf("m%d_n%d_k%d_ta%v_tb%v", s.m, s.n, s.k, ta, tb), func(t *testing.T) {
				a, b, c0, lda, ldb, ldc := gemmCase(r, s, ta, tb)
				const alpha, beta = 0.7, -0.3
				want := append([]float32(nil), c0...)
				blas.Sgemm(ta, tb, s.m, s.n, s.k, alpha, a, lda, b, ldb, beta, want, ldc)

				g := rowMajor(ta, tb, s.m, s.n, s.k, lda, ldb, ldc)
				x, y := a, b
				if g.xIsB {
					x, y = b, a
				}
				got := append([]float32(nil), c0...)
				if g.m > 0 && g.n > 0 {
					colMajorGemm(g.transX, g.transY, g.m, g.n, g.k, alpha, x, g.ldx, y, g.ldy, beta, got, g.ldc)
				}
				// Both sum in at least float32; 1e-5 relative.
				if e := maxRelErr(got, want); e > 1e-5 {
					t.Errorf("column-major call %+v differs from internal/blas by %.3g", g, e)
				}
			})
		}
	}
}

// naiveRowMajor is the row-major reference in float64.
func naiveRowMajor(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
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
				s += float64(av) * float64(bv)
			}
			if beta == 0 {
				c[i*ldc+j] = float32(float64(alpha) * s)
			} else {
				c[i*ldc+j] = float32(float64(alpha)*s + float64(beta)*float64(c[i*ldc+j]))
			}
		}
	}
}

func TestSgemmOnDevice(t *testing.T) {
	c := testContext(t)
	r := rand.New(rand.NewPCG(5, 6))
	for _, s := range gemmShapes {
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, beta := range []float32{-0.3, 0} {
				ta, tb := tr[0], tr[1]
				t.Run(fmt.Sprintf("m%d_n%d_k%d_ta%v_tb%v_beta%v", s.m, s.n, s.k, ta, tb, beta), func(t *testing.T) {
					a, b, c0, lda, ldb, ldc := gemmCase(r, s, ta, tb)
					if beta == 0 {
						// C need not be initialised when beta is 0.
						for i := range c0 {
							c0[i] = float32(math.NaN())
						}
					}
					const alpha = 0.7
					want := append([]float32(nil), c0...)
					naiveRowMajor(ta, tb, s.m, s.n, s.k, alpha, a, lda, b, ldb, beta, want, ldc)
					da, db, dc := upload(t, c, a), upload(t, c, b), upload(t, c, c0)
					must(t, c.Sgemm(ta, tb, s.m, s.n, s.k, alpha, da, lda, db, ldb, beta, dc, ldc))
					got := make([]float32, len(c0))
					must(t, c.CopyOut(got, dc))
					// cuBLAS sums in float32 (no TF32 by default): 1e-5 relative.
					if e := maxRelErr(got, want); !(e <= 1e-5) {
						t.Errorf("differs from the float64 reference by %.3g", e)
					}
				})
			}
		}
	}
}

func TestSgemmStridedBatched(t *testing.T) {
	c := testContext(t)
	r := rand.New(rand.NewPCG(7, 8))
	const m, n, k, batch = 5, 6, 7, 3
	for _, tr := range [][2]bool{{false, false}, {true, true}} {
		ta, tb := tr[0], tr[1]
		// Row-major m×k (or k×m) A, k×n (or n×k) B, m×n C, packed with a
		// gap between batch entries.
		lda, ldb := k, n
		if ta {
			lda = m
		}
		if tb {
			ldb = k
		}
		sa, sb, sc := m*k+3, k*n+1, m*n+2
		a, b, c0 := randFloats(r, batch*sa), randFloats(r, batch*sb), randFloats(r, batch*sc)
		want := append([]float32(nil), c0...)
		for i := range batch {
			naiveRowMajor(ta, tb, m, n, k, 1.5, a[i*sa:], lda, b[i*sb:], ldb, 0.5, want[i*sc:], n)
		}
		da, db, dc := upload(t, c, a), upload(t, c, b), upload(t, c, c0)
		must(t, c.SgemmStridedBatched(ta, tb, m, n, k, 1.5, da, lda, sa, db, ldb, sb, 0.5, dc, n, sc, batch))
		got := make([]float32, len(c0))
		must(t, c.CopyOut(got, dc))
		if e := maxRelErr(got, want); !(e <= 1e-5) {
			t.Errorf("ta=%v tb=%v: differs from the reference by %.3g", ta, tb, e)
		}
	}
}

func TestSgemmShortBufferPanics(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), "buffer holds 5 values") {
			t.Fatalf("want a panic naming the short buffer, got %v", r)
		}
	}()
	var c Context // checked before the context is used
	c.Sgemm(false, false, 2, 2, 3, 1, Buffer{ptr: 1, n: 5}, 3, Buffer{ptr: 2, n: 6}, 2, 0, Buffer{ptr: 3, n: 4}, 2)
}

// TestSetTF32 switches TF32 products on and off. On a GPU with tensor
// cores a TF32 product of random 512×512 matrices differs from the float32
// one by about 2⁻¹¹ relative (inputs rounded to 10 mantissa bits), and
// switching back gives the float32 product's bits again; the stand-in's
// products are exact either way, so there it checks the calls only.
func TestSetTF32(t *testing.T) {
	c := testContext(t)
	n := 512
	if !onGPU {
		n = 32 // the stand-in multiplies slowly
	}
	r := rand.New(rand.NewPCG(13, 14))
	a, b, out := upload(t, c, randFloats(r, n*n)), upload(t, c, randFloats(r, n*n)), upload(t, c, make([]float32, n*n))
	product := func() []float32 {
		must(t, c.Sgemm(false, false, n, n, n, 1, a, n, b, n, 0, out, n))
		v := make([]float32, n*n)
		must(t, c.CopyOut(v, out))
		return v
	}
	fp32 := product()
	must(t, c.SetTF32(true))
	tf32 := product()
	must(t, c.SetTF32(false))
	again := product()
	if !slices.Equal(again, fp32) {
		t.Error("after SetTF32(false) the product differs from the float32 one")
	}
	if onGPU {
		e := maxRelErr(tf32, fp32)
		t.Logf("TF32 against float32: max relative error %.2g", e)
		if e < 1e-5 || e > 1e-2 {
			t.Errorf("TF32 product differs from float32 by %.2g relative, want TF32's rounding (1e-5 to 1e-2)", e)
		}
	}
}
