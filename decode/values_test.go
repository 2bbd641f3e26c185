package decode

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"framepred/frame"
)

// colours are the solid colours of the colour videos, 3 frames each, in
// this order. want is the RGB value in [0,1].
var colours = []struct {
	name string
	rgb  [3]float32
}{
	{"white", [3]float32{1, 1, 1}},
	{"black", [3]float32{0, 0, 0}},
	{"red", [3]float32{1, 0, 0}},
	{"lime", [3]float32{0, 1, 0}}, // lavfi "green" is #008000
	{"blue", [3]float32{0, 0, 1}},
	{"gray", [3]float32{128.0 / 255, 128.0 / 255, 128.0 / 255}}, // lavfi "gray" is #808080
}

// colourGraph is a lavfi graph of the colours above, 3 frames each, at
// 32x32, made in pixel format pixFmt.
func colourGraph(pixFmt string) string {
	var parts, labels []string
	for i, c := range colours {
		parts = append(parts, fmt.Sprintf("color=c=%s:s=32x32:r=30:d=0.1,format=%s[c%d]", c.name, pixFmt, i))
		labels = append(labels, fmt.Sprintf("[c%d]", i))
	}
	return strings.Join(parts, ";") + ";" + strings.Join(labels, "") + fmt.Sprintf("concat=n=%d", len(colours))
}

// luma is the full-range luma of an RGB colour with the matrix's Kr and
// Kb, what gray frames hold: BT.601 has 0.299 and 0.114, BT.709 0.2126 and
// 0.0722.
func luma(c [3]float32, kr, kb float32) float32 { return kr*c[0] + (1-kr-kb)*c[1] + kb*c[2] }

// TestSolidColours decodes solid colours from sources of different
// pixel formats, ranges and matrices and checks the values in gray and RGB,
// at the source size (swscale's unscaled paths) and scaled down and up.
// White must be 1 and black 0 in gray also for TV-range (16-235) sources,
// and a BT.709 source must give the same RGB as a BT.601 one.
func TestSolidColours(t *testing.T) {
	sources := []struct {
		name, file string
		args       []string
		tol        float32
		bt709      bool
	}{
		{"h264 yuv420p TV range", "colours.mp4", []string{"-c:v", "libx264", "-crf", "1", "-pix_fmt", "yuv420p"}, 3.0 / 255, false},
		// Decoded with BT.601, red would come out as (0.91, 0, 0.01).
		{"h264 yuv420p BT.709", "colours-709.mp4", []string{"-colorspace", "bt709", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p"}, 3.0 / 255, true},
		{"mjpeg yuvj420p full range", "colours-mjpeg.avi", []string{"-c:v", "mjpeg", "-q:v", "1", "-pix_fmt", "yuvj420p"}, 4.0 / 255, false},
		// VP9 yuv420p flagged full range: swscale must be told by mapping
		// it to yuvj420p, or white comes out brighter than 1 and clips.
		{"vp9 yuv420p full range", "colours-fullrange.webm", []string{"-color_range", "pc",
			"-c:v", "libvpx-vp9", "-lossless", "1", "-deadline", "realtime", "-cpu-used", "8"}, 3.0 / 255, false},
		{"png rgb24", "colours-png.mkv", []string{"-c:v", "png", "-pix_fmt", "rgb24"}, 1.0 / 255, false},
	}
	sizes := [][2]int{{0, 0}, {16, 16}, {48, 40}}
	for _, src := range sources {
		graph := colourGraph("yuv420p")
		switch {
		case src.args[1] == "png":
			graph = colourGraph("rgb24")
		case src.args[1] == "pc":
			graph += ",scale=out_range=full,format=yuv420p"
		case src.bt709: // from RGB, so that only one conversion rounds
			graph = colourGraph("rgb24") + ",scale=out_color_matrix=bt709,format=yuv420p"
		}
		kr, kb := float32(0.299), float32(0.114)
		if src.bt709 {
			kr, kb = 0.2126, 0.0722
		}
		path := fixture(t, src.file, append([]string{"-filter_complex", graph}, src.args...)...)
		for _, size := range sizes {
			for _, gray := range []bool{true, false} {
				name := fmt.Sprintf("%s/%dx%d/gray=%v", src.name, size[0], size[1], gray)
				t.Run(name, func(t *testing.T) {
					fs := mustReadAll(t, path, Options{Width: size[0], Height: size[1], Gray: gray})
					if len(fs) != 3*len(colours) {
						t.Fatalf("%d frames, want %d", len(fs), 3*len(colours))
					}
					for i, c := range colours {
						f := fs[3*i+1]
						want := c.rgb[:]
						if gray {
							want = []float32{luma(c.rgb, kr, kb)}
						}
						checkSolid(t, c.name, f, want, src.tol)
					}
				})
			}
		}
	}
}

// checkSolid checks every value of each channel of f against want within
// tol.
func checkSolid(t *testing.T, name string, f frame.Frame, want []float32, tol float32) {
	t.Helper()
	if f.C != len(want) {
		t.Fatalf("%s: %d channels, want %d", name, f.C, len(want))
	}
	for c, w := range want {
		lo, hi := minMax(f.Plane(c))
		if lo < w-tol || hi > w+tol {
			t.Errorf("%s: channel %d in [%.4f, %.4f], want %.4f ± %.4f", name, c, lo, hi, w, tol)
		}
	}
}

func minMax(v []float32) (lo, hi float32) {
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

// rampMP4 makes a w x h H.264 (lossless 4:4:4) video whose luma rises
// linearly from 16 (black) at x=0 to 235 (white) at x=w-1; vertical makes
// it rise along y instead. Full-range gray is then x/(w-1).
func rampMP4(t *testing.T, w, h int, vertical bool) string {
	axis, n := "X", w
	if vertical {
		axis, n = "Y", h
	}
	graph := fmt.Sprintf("color=c=black:s=%dx%d:r=30:d=0.1,format=yuv444p,geq=lum='16+219*%s/%d':cb=128:cr=128", w, h, axis, n-1)
	name := fmt.Sprintf("ramp-%dx%d-%s.mp4", w, h, axis)
	return fixture(t, name, "-f", "lavfi", "-i", graph, "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p")
}

// TestScaleAndCrop checks where each output pixel comes from: on a ramp,
// the value at an output column is the source position it samples. For an
// output pixel x of a source span [a, a+n) scaled to m pixels, that position
// is a + (x+0.5)*n/m - 0.5 (pixel centres), so the ramp value is it over
// (w-1). Bicubic scaling reproduces a linear ramp away from the borders.
func TestScaleAndCrop(t *testing.T) {
	tests := []struct {
		name      string
		srcW      int
		srcH      int
		vertical  bool
		o         Options
		outW      int
		outH      int
		spanStart float64 // first source pixel (along the ramp) that is used
		spanLen   float64 // source pixels (along the ramp) that are used
	}{
		{"stretch wide", 128, 64, false, Options{Width: 32, Height: 32}, 32, 32, 0, 128},
		{"crop wide", 128, 64, false, Options{Width: 32, Height: 32, Aspect: Crop}, 32, 32, 32, 64},
		// 3:1 from 2:1 keeps 43 of 64 rows (128/3), starting at row 10.
		{"crop wide to wider", 128, 64, true, Options{Width: 48, Height: 16, Aspect: Crop}, 48, 16, 10, 43},
		{"stretch tall", 64, 128, true, Options{Width: 32, Height: 32}, 32, 32, 0, 128},
		{"crop tall", 64, 128, true, Options{Width: 32, Height: 32, Aspect: Crop}, 32, 32, 32, 64},
		{"crop, same aspect", 128, 64, false, Options{Width: 64, Height: 32, Aspect: Crop}, 64, 32, 0, 128},
		{"height from aspect", 128, 64, false, Options{Width: 64}, 64, 32, 0, 128},
		{"width from aspect", 128, 64, false, Options{Height: 16}, 32, 16, 0, 128},
		{"source size", 128, 64, false, Options{}, 128, 64, 0, 128},
	}
	const tol = 0.012 // about 3/255
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := rampMP4(t, tc.srcW, tc.srcH, tc.vertical)
			tc.o.Gray = true
			fs := mustReadAll(t, path, tc.o)
			if len(fs) != 3 {
				t.Fatalf("%d frames, want 3", len(fs))
			}
			f := fs[0]
			if f.W != tc.outW || f.H != tc.outH {
				t.Fatalf("size %dx%d, want %dx%d", f.W, f.H, tc.outW, tc.outH)
			}
			n, m := tc.srcW, tc.outW
			if tc.vertical {
				n, m = tc.srcH, tc.outH
			}
			scale := tc.spanLen / float64(m)
			for y := 0; y < f.H; y++ {
				for x := 0; x < f.W; x++ {
					i := x
					if tc.vertical {
						i = y
					}
					if i < 2 || i >= m-2 {
						continue // borders: the filter is clamped there
					}
					pos := tc.spanStart + (float64(i)+0.5)*scale - 0.5
					want := float32(pos / float64(n-1))
					if got := f.At(0, y, x); math.Abs(float64(got-want)) > tol {
						t.Fatalf("pixel (%d,%d) = %.4f, want %.4f (source position %.2f)", x, y, got, want, pos)
					}
				}
			}
		})
	}
}

// TestOddSize decodes 641x359 pictures: odd sizes have odd chroma plane
// sizes (4:2:0) and padded rows, which a wrong stride or crop shows as
// skewed or shifted values. The ramp is checked on every row at the source
// size and scaled.
func TestOddSize(t *testing.T) {
	const w, h = 641, 359
	graph := fmt.Sprintf("color=c=black:s=%dx%d:r=30:d=0.1,format=yuv444p,geq=lum='16+219*X/%d':cb=128:cr=128", w, h, w-1)
	sources := []struct{ name, file string }{
		{"h264 yuv444p", fixture(t, "odd444.mp4", "-f", "lavfi", "-i", graph, "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p")},
		{"vp9 yuv420p", fixture(t, "odd420.webm", "-f", "lavfi", "-i", graph, "-pix_fmt", "yuv420p",
			"-c:v", "libvpx-vp9", "-lossless", "1", "-deadline", "realtime", "-cpu-used", "8")},
	}
	for _, src := range sources {
		info, err := Probe(src.file)
		if err != nil {
			t.Fatal(err)
		}
		if info.Width != w || info.Height != h {
			t.Fatalf("%s: Probe size %dx%d, want %dx%d", src.name, info.Width, info.Height, w, h)
		}
		for _, o := range []Options{{Gray: true}, {}, {Width: 64, Height: 64}, {Width: 100, Height: 100, Aspect: Crop}} {
			t.Run(fmt.Sprintf("%s/%dx%d/%v/gray=%v", src.name, o.Width, o.Height, o.Aspect, o.Gray), func(t *testing.T) {
				fs := mustReadAll(t, src.file, o)
				if len(fs) != 3 {
					t.Fatalf("%d frames, want 3", len(fs))
				}
				f := fs[2]
				wantW, wantH := o.Width, o.Height
				if wantW == 0 {
					wantW, wantH = w, h
				}
				if f.W != wantW || f.H != wantH {
					t.Fatalf("size %dx%d, want %dx%d", f.W, f.H, wantW, wantH)
				}
				span0, span := 0.0, float64(w)
				if o.Aspect == Crop {
					span = float64(h) // square crop of the centre
					span0 = float64((w - h) / 2 &^ 1)
				}
				for c := 0; c < f.C; c++ {
					for y := 0; y < f.H; y++ {
						for x := 2; x < f.W-2; x++ {
							pos := span0 + (float64(x)+0.5)*span/float64(f.W) - 0.5
							want := float32(pos / float64(w-1))
							if got := f.At(c, y, x); math.Abs(float64(got-want)) > 0.012 {
								t.Fatalf("channel %d pixel (%d,%d) = %.4f, want %.4f", c, x, y, got, want)
							}
						}
					}
				}
				if o.Width == 0 { // the last column is white, the first black
					for y := 0; y < f.H; y++ {
						if a, b := f.At(0, y, 0), f.At(0, y, w-1); a > 0.01 || b < 0.99 {
							t.Fatalf("row %d: first and last values %.4f and %.4f, want 0 and 1", y, a, b)
						}
					}
				}
			})
		}
	}
}
