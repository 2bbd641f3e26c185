package encode

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"framepred/frame"
)

// upscale is the reference nearest-neighbour scaling: destination pixel
// (x, y) of an dh x dw picture takes source pixel (x*W/dw, y*H/dh).
func upscale(f frame.Frame, dh, dw int) frame.Frame {
	g := frame.New(3, dh, dw)
	for c := 0; c < 3; c++ {
		sc := min(c, f.C-1) // gray feeds R, G and B
		for y := 0; y < dh; y++ {
			for x := 0; x < dw; x++ {
				g.Set(c, y, x, f.At(sc, y*f.H/dh, x*f.W/dw))
			}
		}
	}
	return g
}

// inkFraction is the share of r's pixels that differ from the reel
// background by more than 60 in some channel: text, borders or pictures.
func inkFraction(f frame.Frame, r image.Rectangle) float64 {
	bg := [3]uint8{colBackground.R, colBackground.G, colBackground.B}
	ink := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			for c := 0; c < 3; c++ {
				if math.Abs(float64(f.At(c, y, x))*255-float64(bg[c])) > 60 {
					ink++
					break
				}
			}
		}
	}
	return float64(ink) / float64(r.Dx()*r.Dy())
}

// meanColour is the mean RGB (0-255) of f over r.
func meanColour(f frame.Frame, r image.Rectangle) [3]float64 {
	var m [3]float64
	for c := 0; c < 3; c++ {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				m[c] += float64(f.At(c, y, x)) * 255
			}
		}
		m[c] /= float64(r.Dx() * r.Dy())
	}
	return m
}

func kinds(n int, k ...Kind) []Kind {
	out := make([]Kind, n)
	for i := range out {
		out[i] = k[min(i, len(k)-1)]
	}
	return out
}

// testReel is 2 rows of 4 panels, n frames long: gray and RGB, square and
// not, one panel shorter than the rest (held), one without a label.
func testReel(n int) Reel {
	rng := newRNG()
	caps := make([]string, n)
	for i := range caps {
		caps[i] = fmt.Sprintf("PSNR %.1f dB", 30-float64(i))
	}
	ctx := kinds(n, Context, Context, Context, Predicted)
	gt := kinds(n, Context, Context, Context, Real)
	return Reel{Title: "two rows of four", Rows: [][]Panel{
		{
			{Label: "context", Frames: movingScene(rng, 3, 3, 64, 64), Kinds: kinds(3, Context)},
			{Label: "ground truth", Frames: movingScene(rng, n, 3, 64, 64), Kinds: gt},
			{Label: "MSE (gray)", Frames: movingScene(rng, n, 1, 64, 64), Kinds: ctx, Captions: caps},
			{Label: "wide", Frames: movingScene(rng, n, 3, 32, 48), Kinds: ctx},
		},
		{
			{Label: "context", Frames: movingScene(rng, n, 3, 64, 64), Kinds: kinds(n, Context)},
			{Label: "", Frames: movingScene(rng, n, 3, 64, 64)},
			{Label: "MSE + perceptual + adversarial", Frames: movingScene(rng, n, 3, 64, 64), Kinds: ctx, Captions: caps},
			{Label: "tall", Frames: movingScene(rng, n, 3, 48, 32), Kinds: ctx},
		},
	}}
}

// TestReelVideo renders a 2x4 reel to MP4 and checks, on the decoded
// video, its size and length and that every panel shows its own source,
// carries its label and is framed in its kind's colour.
func TestReelVideo(t *testing.T) {
	const n = 5
	r := testReel(n)
	path := filepath.Join(t.TempDir(), "reel.mp4")
	if err := WriteReel(path, r, Options{Preset: "veryfast"}); err != nil {
		t.Fatal(err)
	}
	l := newLayout(Reel{Rows: r.Rows, PanelSize: DefaultPanelSize})
	p := ffprobe(t, path)
	s := p.Streams[0]
	if s.Width != l.w || s.Height != l.h || s.NbReadFrames != strconv.Itoa(n) || s.RFrameRate != fmt.Sprintf("%d/1", DefaultReelFPS) {
		t.Errorf("reel is %dx%d, %s frames at %s fps; want %dx%d, %d at %d", s.Width, s.Height, s.NbReadFrames, s.RFrameRate, l.w, l.h, n, DefaultReelFPS)
	}
	if l.w < 4*DefaultPanelSize || l.h < 2*DefaultPanelSize {
		t.Errorf("reel %dx%d is too small for 2x4 panels of %d px", l.w, l.h, DefaultPanelSize)
	}
	out := decodeFrames(t, path, 3, l.h, l.w)
	if len(out) != n {
		t.Fatalf("decoded %d frames, want %d", len(out), n)
	}
	panels := slices.Concat(r.Rows...)
	for i, got := range out {
		// Each source frame scaled as the reel should show it.
		want := make([]frame.Frame, len(panels))
		for k, pn := range panels {
			src := pn.Frames[min(i, len(pn.Frames)-1)]
			rect := l.picture(k/l.cols, k%l.cols, src.H, src.W)
			want[k] = upscale(src, rect.Dy(), rect.Dx())
		}
		for k, pn := range panels {
			row, col := k/l.cols, k%l.cols
			rect := l.picture(row, col, want[k].H, want[k].W)
			region := crop(got, rect.Min.Y, rect.Min.X, rect.Dy(), rect.Dx())
			own := psnr(t, want[k], region)
			if own < 35 {
				t.Errorf("frame %d panel (%d,%d) %q: PSNR %.1f dB against its source, want >= 35", i, row, col, pn.Label, own)
			}
			// Every other panel's frame of the same size must match worse:
			// the panel shows its own source, not just something smooth.
			for m, alt := range want {
				if m == k || !alt.SameShape(want[k]) {
					continue
				}
				if p := psnr(t, alt, region); p > own-10 {
					t.Errorf("frame %d panel (%d,%d): own source %.1f dB, panel %d's %.1f dB: not told apart", i, row, col, own, m, p)
				}
			}
		}
	}

	last := out[n-1]
	for row, panels := range r.Rows {
		for col, pn := range panels {
			ink := inkFraction(last, l.label(row, col))
			if pn.Label != "" && ink < 0.02 {
				t.Errorf("panel (%d,%d) label %q: %.3f of the strip inked, want text", row, col, pn.Label, ink)
			}
			if pn.Label == "" && ink > 0.001 {
				t.Errorf("panel (%d,%d) has no label but %.3f of its strip is inked", row, col, ink)
			}
			j := min(n-1, len(pn.Frames)-1)
			k := Real
			if pn.Kinds != nil {
				k = pn.Kinds[j]
			}
			box := l.frameBox(row, col)
			top := image.Rect(box.Min.X+l.border, box.Min.Y, box.Max.X-l.border, box.Min.Y+l.border)
			m, want := meanColour(last, top), kindColours[k]
			if !near(m, want, 12) {
				t.Errorf("panel (%d,%d) frame %d is %v: border is %.0f, want %v", row, col, j, k, m, want)
			}
		}
	}
}

func near(m [3]float64, c color.RGBA, tol float64) bool {
	return math.Abs(m[0]-float64(c.R)) <= tol && math.Abs(m[1]-float64(c.G)) <= tol && math.Abs(m[2]-float64(c.B)) <= tol
}

// TestReelStill renders a still and checks it against RenderFrame without
// a video codec in between: PNG is lossless.
func TestReelStill(t *testing.T) {
	r := testReel(4)
	path := filepath.Join(t.TempDir(), "still.png")
	if err := WriteReelStill(path, r, 3, false); err != nil {
		t.Fatal(err)
	}
	want, err := r.RenderFrame(3)
	if err != nil {
		t.Fatal(err)
	}
	got := readPNG(t, path)
	if !got.SameShape(want) {
		t.Fatalf("still is %s, RenderFrame gives %s", got.Shape(), want.Shape())
	}
	if p := psnr(t, want, got); !math.IsInf(p, 1) {
		t.Errorf("still differs from RenderFrame: PSNR %.1f dB, want identical", p)
	}
	// The held context panel (3 frames) shows its last frame.
	l := newLayout(Reel{Rows: r.Rows, PanelSize: DefaultPanelSize})
	src := r.Rows[0][0].Frames[2]
	rect := l.picture(0, 0, src.H, src.W)
	if p := psnr(t, upscale(src, rect.Dy(), rect.Dx()), crop(got, rect.Min.Y, rect.Min.X, rect.Dy(), rect.Dx())); p < 45 {
		t.Errorf("held panel: PSNR %.1f dB against its last frame, want >= 45 (8-bit rounding only)", p)
	}
	if err := WriteReelStill(path, r, 0, false); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second still without force: error %v, want 'already exists'", err)
	}
}

func TestReelErrors(t *testing.T) {
	ok := Panel{Label: "ok", Frames: movingScene(newRNG(), 2, 3, 16, 16)}
	mixed := Panel{Label: "mixed", Frames: []frame.Frame{frame.New(3, 16, 16), frame.New(3, 16, 8)}}
	tests := []struct {
		name string
		r    Reel
		want string
	}{
		{"no rows", Reel{}, "reel has no rows"},
		{"empty row", Reel{Rows: [][]Panel{{ok}, {}}}, "reel row 1 has no panels"},
		{"ragged rows", Reel{Rows: [][]Panel{{ok, ok}, {ok}}}, "reel row 1 has 1 panels, row 0 has 2"},
		{"panel without frames", Reel{Rows: [][]Panel{{ok, {Label: "empty"}}}}, `reel row 0 panel 1 ("empty"): no frames`},
		{"frame sizes differ in a panel", Reel{Rows: [][]Panel{{ok, mixed}}}, "frame 1 is 3x16x8 (CxHxW), frame 0 is 3x16x16"},
		{"kinds count", Reel{Rows: [][]Panel{{{Frames: ok.Frames, Kinds: []Kind{Context}}}}}, "1 kinds for 2 frames"},
		{"captions count", Reel{Rows: [][]Panel{{{Frames: ok.Frames, Captions: []string{"a", "b", "c"}}}}}, "3 captions for 2 frames"},
		{"bad kind", Reel{Rows: [][]Panel{{{Frames: ok.Frames, Kinds: []Kind{Real, 7}}}}}, "frame 1 has unknown kind 7"},
		{"four channels", Reel{Rows: [][]Panel{{{Frames: []frame.Frame{frame.New(4, 8, 8)}}}}}, "has 4 channels"},
		{"small panels", Reel{Rows: [][]Panel{{ok}}, PanelSize: 100}, "panel size 100 is not even and in [256,2048]"},
		{"too large", Reel{Rows: slices.Repeat([][]Panel{{ok}}, 20), PanelSize: 512}, "over the 8192 px"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "r.mp4")
			err := WriteReel(path, tc.r, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "encode: ") {
				t.Errorf("WriteReel: error %v, want one containing %q", err, tc.want)
			}
			if _, err := tc.r.RenderFrame(0); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("RenderFrame: error %v, want one containing %q", err, tc.want)
			}
			if names := listDir(t, dir); len(names) != 0 {
				t.Errorf("folder holds %v, want nothing", names)
			}
		})
	}
	r := Reel{Rows: [][]Panel{{ok}}}
	for _, i := range []int{-1, 2} {
		if _, err := r.RenderFrame(i); err == nil || !strings.Contains(err.Error(), "out of range [0,2)") {
			t.Errorf("RenderFrame(%d): error %v, want out of range", i, err)
		}
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "missing", "r.mp4")
	if err := WriteReel(bad, r, Options{}); err == nil || !strings.Contains(err.Error(), "cannot write "+bad) {
		t.Errorf("WriteReel into a missing folder: error %v", err)
	}
}
