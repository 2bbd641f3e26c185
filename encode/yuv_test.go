package encode

import (
	"math"
	"testing"

	"framepred/frame"
)

// newPlanes allocates Go-memory planes for a w x h picture (w, h even),
// with strides wider than the rows to catch stride mistakes.
func newPlanes(w, h int) yuvPlanes {
	ys, cs := w+5, w/2+3
	return yuvPlanes{w: w, h: h, y: make([]byte, ys*h), u: make([]byte, cs*h/2), v: make([]byte, cs*h/2), ys: ys, us: cs, vs: cs}
}

func solid(c int, v ...float32) frame.Frame {
	f := frame.New(c, 2, 2)
	for ch := 0; ch < c; ch++ {
		for i := range f.Plane(ch) {
			f.Plane(ch)[i] = v[ch]
		}
	}
	return f
}

// withPixel sets pixel (y, x) of f to v (one value per channel).
func withPixel(f frame.Frame, y, x int, v ...float32) frame.Frame {
	for c := range f.C {
		f.Set(c, y, x, v[c])
	}
	return f
}

func TestToYUV420Colours(t *testing.T) {
	nan := float32(math.NaN())
	// Reference: ITU-R BT.601 8-bit limited range (the values FFmpeg's
	// swscale and every BT.601 table give for these colours).
	tests := []struct {
		name    string
		f       frame.Frame
		y, u, v byte
	}{
		{"black", solid(3, 0, 0, 0), 16, 128, 128},
		{"white", solid(3, 1, 1, 1), 235, 128, 128},
		{"red", solid(3, 1, 0, 0), 81, 90, 240},
		{"green", solid(3, 0, 1, 0), 145, 54, 34},
		{"blue", solid(3, 0, 0, 1), 41, 240, 110},
		{"out of range clamps", solid(3, 2, -1, nan), 81, 90, 240},
		{"one pixel out of range", withPixel(solid(3, 1, 0, 0), 1, 1, float32(math.Inf(1)), float32(math.Copysign(0, -1)), nan), 81, 90, 240},
		{"just above one", solid(3, math.Nextafter32(1, 2), 0, 0), 81, 90, 240},
		{"gray black", solid(1, 0), 16, 128, 128},
		{"gray mid", solid(1, 0.5), 126, 128, 128},
		{"gray white", solid(1, 1), 235, 128, 128},
		{"gray NaN", solid(1, nan), 16, 128, 128},
	}
	for _, tc := range tests {
		p := newPlanes(2, 2)
		toYUV420(tc.f, p)
		for _, i := range []int{0, 1, p.ys, p.ys + 1} {
			if p.y[i] != tc.y {
				t.Errorf("%s: Y at %d = %d, want %d", tc.name, i, p.y[i], tc.y)
			}
		}
		if p.u[0] != tc.u || p.v[0] != tc.v {
			t.Errorf("%s: Cb, Cr = %d, %d, want %d, %d", tc.name, p.u[0], p.v[0], tc.u, tc.v)
		}
	}
}

// TestToYUV420Layout checks pixel placement, chroma averaging over 2x2
// blocks and edge padding of an odd-sized frame.
func TestToYUV420Layout(t *testing.T) {
	// A 3x3 RGB frame: red channel steps by column, blue by row.
	f := frame.New(3, 3, 3)
	for y := 0; y < 3; y++ {
		for x := 0; x < 3; x++ {
			f.Set(0, y, x, float32(x)/2)
			f.Set(2, y, x, float32(y)/2)
		}
	}
	p := newPlanes(evenSize(3, 3))
	if p.w != 4 || p.h != 4 {
		t.Fatalf("evenSize(3,3) = %dx%d, want 4x4", p.w, p.h)
	}
	toYUV420(f, p)
	lumaOf := func(r, b float32) byte { return uint8(16.5 + yR*r + yB*b) }
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			sx, sy := min(x, 2), min(y, 2) // padding repeats the last column and row
			want := lumaOf(float32(sx)/2, float32(sy)/2)
			if got := p.y[y*p.ys+x]; got != want {
				t.Errorf("Y(%d,%d) = %d, want %d", x, y, got, want)
			}
		}
	}
	// Chroma block (1,1) covers source pixel (2,2) four times: R = B = 1.
	if want := u8(128.5 + cbR + cbB); p.u[p.us+1] != want {
		t.Errorf("Cb(1,1) = %d, want %d", p.u[p.us+1], want)
	}
	// Chroma block (0,0) averages R over columns 0,1 (0, 0.5) and B over rows 0,1.
	if want := u8(128.5 + crR*0.25 + crB*0.25); p.v[0] != want {
		t.Errorf("Cr(0,0) = %d, want %d", p.v[0], want)
	}
	gray := frame.New(1, 1, 1)
	gray.Pix[0] = 1
	q := newPlanes(evenSize(1, 1))
	toYUV420(gray, q)
	for _, i := range []int{0, 1, q.ys, q.ys + 1} {
		if q.y[i] != 235 {
			t.Errorf("gray 1x1 padded: Y at %d = %d, want 235", i, q.y[i])
		}
	}
}

// u8 truncates v to a byte, as toYUV420 does after adding 0.5.
func u8(v float64) byte { return byte(v) }

// TestToYUV420FastPath checks that toYUV420, which hands whole groups of 8
// blocks to the AVX2 kernel where the CPU has it, gives byte for byte what
// the Go block loop gives for every block, over widths that leave every
// possible tail, odd sizes, and values that need clamping (out of range,
// ±Inf, NaN, -0) scattered among ordinary ones.
func TestToYUV420FastPath(t *testing.T) {
	specials := []float32{-0.5, 1.5, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
		float32(math.Copysign(0, -1)), math.Nextafter32(1, 2), 1, 0}
	rng := newRNG()
	for _, w := range []int{1, 2, 15, 16, 17, 31, 32, 33, 47, 64, 65, 100, 641} {
		for _, h := range []int{1, 2, 3, 8} {
			f := frame.New(3, h, w)
			for i := range f.Pix {
				if rng.IntN(10) == 0 {
					f.Pix[i] = specials[rng.IntN(len(specials))]
				} else {
					f.Pix[i] = rng.Float32()
				}
			}
			got := newPlanes(evenSize(w, h))
			toYUV420(f, got)
			want := newPlanes(evenSize(w, h))
			r, g, b := f.Plane(0), f.Plane(1), f.Plane(2)
			for cy := 0; cy < want.h/2; cy++ {
				y0, y1 := 2*cy, min(2*cy+1, h-1)
				rows := blockRows{
					r0: r[y0*w : (y0+1)*w], r1: r[y1*w : (y1+1)*w],
					g0: g[y0*w : (y0+1)*w], g1: g[y1*w : (y1+1)*w],
					b0: b[y0*w : (y0+1)*w], b1: b[y1*w : (y1+1)*w],
					y0: want.y[2*cy*want.ys:][:want.w], y1: want.y[(2*cy+1)*want.ys:][:want.w],
					u: want.u[cy*want.us:][:want.w/2], v: want.v[cy*want.vs:][:want.w/2],
				}
				rgbBlocks(&rows, w, 0, want.w/2)
			}
			for name, pl := range map[string][2][]byte{"Y": {got.y, want.y}, "Cb": {got.u, want.u}, "Cr": {got.v, want.v}} {
				for i := range pl[1] {
					if pl[0][i] != pl[1][i] {
						t.Errorf("%dx%d: %s byte %d = %d, the Go loop gives %d", w, h, name, i, pl[0][i], pl[1][i])
						break
					}
				}
			}
		}
	}
}
