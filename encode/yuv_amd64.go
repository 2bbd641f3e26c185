//go:build !purego

package encode

import "golang.org/x/sys/cpu"

// hasAVX2 reports whether rgbToYUV420AVX2 can run here.
var hasAVX2 = cpu.X86.HasAVX2

// yuvCoef are the constants rgbToYUV420AVX2 works with, as float32: the
// values the Go code's untyped constants become in its float32 arithmetic.
var yuvCoef = [13]float32{yR, yG, yB, cbR, cbG, cbB, crR, crG, crB, 16.5, 128.5, 0.25, 1}

//go:noescape
func rgbToYUV420AVX2(r0, r1, g0, g1, b0, b1 *float32, y0, y1, u, v *byte, blocks int, coef *[13]float32)

// rgbBlocksFast converts the first of rows' blocks with AVX2, as many as it
// can of the first full (a multiple of 8), and returns how many it did; the
// rest are left to rgbBlocks, which gives the same bytes.
func rgbBlocksFast(rows *blockRows, full int) int {
	n := full &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	// The kernel reads 2n floats of each source row and writes 2n luma and
	// n chroma bytes: check that much is there, as indexing would.
	_, _, _, _, _, _ = rows.r0[2*n-1], rows.r1[2*n-1], rows.g0[2*n-1], rows.g1[2*n-1], rows.b0[2*n-1], rows.b1[2*n-1]
	_, _, _, _ = rows.y0[2*n-1], rows.y1[2*n-1], rows.u[n-1], rows.v[n-1]
	rgbToYUV420AVX2(&rows.r0[0], &rows.r1[0], &rows.g0[0], &rows.g1[0], &rows.b0[0], &rows.b1[0],
		&rows.y0[0], &rows.y1[0], &rows.u[0], &rows.v[0], n, &yuvCoef)
	return n
}
