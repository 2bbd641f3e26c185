package ops

import (
	"math"
	"testing"
)

// TestActExact checks BiasActForward and ActBackward bitwise against the
// definitions, z for z ≥ 0 and slope·z below, dy for y > 0 and slope·dy
// elsewhere, on every length up to 40 (vector bodies and tails) with
// zeros of both signs among the values, so that where a worker's chunk
// begins can never change a result.
func TestActExact(t *testing.T) {
	r := rng(5)
	for _, slope := range []float32{0.2, 0, 1} {
		for n := 0; n <= 40; n++ {
			x, b := make([]float32, 2*n), []float32{float32(r.NormFloat64()), 0}
			for i := range x {
				switch r.IntN(6) {
				case 0:
					x[i] = 0
				case 1:
					x[i] = float32(math.Copysign(0, -1))
				case 2:
					x[i] = -b[i/max(1, n)]
				default:
					x[i] = float32(r.NormFloat64())
				}
			}
			y, dx := make([]float32, len(x)), make([]float32, len(x))
			dy := make([]float32, len(x))
			for i := range dy {
				dy[i] = float32(r.NormFloat64())
			}
			BiasActForward(x, b, y, slope)
			ActBackward(y, dy, dx, slope)
			for i := range x {
				z := x[i] + b[i/max(1, n)]
				want := z
				if z < 0 || z == 0 && math.Signbit(float64(z)) {
					want = z * slope
				}
				if math.Float32bits(y[i]) != math.Float32bits(want) {
					t.Fatalf("slope %v, n %d: y[%d] = %v, want %v (z = %v)", slope, n, i, y[i], want, z)
				}
				g := dy[i] * slope
				if y[i] > 0 {
					g = dy[i]
				}
				if math.Float32bits(dx[i]) != math.Float32bits(g) {
					t.Fatalf("slope %v, n %d: dx[%d] = %v, want %v (y = %v)", slope, n, i, dx[i], g, y[i])
				}
			}
		}
	}
}

// TestSumExact checks the vector sum of ChannelSum bitwise against the
// plain Go loop it replaces.
func TestSumExact(t *testing.T) {
	r := rng(6)
	v := make([]float32, 256*5+17)
	for i := range v {
		v[i] = float32(r.NormFloat64()) * float32(math.Pow(10, float64(r.IntN(9)-4)))
	}
	for _, n := range []int{0, 255, 256, 257, 1024, len(v)} {
		want := 0.0
		w := v[:n]
		for len(w) >= 256 {
			var l [8]float32
			for i := 0; i < 256; i += 8 {
				for j := range l {
					l[j] += w[i+j]
				}
			}
			want += float64(l[0]+l[1]) + float64(l[2]+l[3]) + float64(l[4]+l[5]) + float64(l[6]+l[7])
			w = w[256:]
		}
		for _, e := range w {
			want += float64(e)
		}
		if got := sum(v[:n]); math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("sum of %d values: %v, want %v", n, got, want)
		}
	}
}
