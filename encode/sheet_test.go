package encode

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"framepred/frame"
)

// readPNG decodes a PNG into an RGB frame.
func readPNG(t testing.TB, path string) frame.Frame {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b := img.Bounds()
	f := frame.New(3, b.Dy(), b.Dx())
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			f.Set(0, y, x, float32(r>>8)/255)
			f.Set(1, y, x, float32(g>>8)/255)
			f.Set(2, y, x, float32(bl>>8)/255)
		}
	}
	return f
}

// quantize rounds f's values to 8 bits, as a PNG stores them.
func quantize(f frame.Frame) frame.Frame {
	g := f.Clone()
	for i, v := range g.Pix {
		g.Pix[i] = float32(to8(v)) / 255
	}
	return g
}

func TestContactSheet(t *testing.T) {
	rng := newRNG()
	frames := slices.Concat(movingScene(rng, 3, 3, 12, 16), movingScene(rng, 2, 1, 8, 8))
	labels := []string{"t=0", "t=1", "t=2", "gray 0", ""}
	dir := t.TempDir()
	path := filepath.Join(dir, "sheet.png")
	const scale, cols, gap = 2, 3, 4
	if err := WriteContactSheet(path, frames, SheetOptions{Columns: cols, Scale: scale, Labels: labels}); err != nil {
		t.Fatal(err)
	}
	got := readPNG(t, path)
	tw, th := 16*scale, 12*scale // the largest frame sets the tile
	if got.W != gap+cols*(tw+gap) || got.H <= gap+2*(th+gap) {
		t.Errorf("sheet is %dx%d, want %d wide and taller than %d (labels)", got.W, got.H, gap+cols*(tw+gap), gap+2*(th+gap))
	}
	labelH := (got.H-gap)/2 - th - gap
	for i, f := range frames {
		x := gap + (i%cols)*(tw+gap)
		y := gap + (i/cols)*(th+labelH+gap)
		want := upscale(quantize(f), f.H*scale, f.W*scale)
		if p := psnr(t, want, crop(got, y, x, f.H*scale, f.W*scale)); p < 100 {
			t.Errorf("tile %d: PSNR %.1f dB against the frame scaled by %d, want identical", i, p, scale)
		}
		ink := inkFraction(got, image.Rect(x, y+th, x+tw, y+th+labelH))
		if (labels[i] != "") != (ink > 0.02) {
			t.Errorf("tile %d label %q: %.3f of its strip inked", i, labels[i], ink)
		}
	}

	err := WriteContactSheet(path, frames, SheetOptions{})
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second sheet without Force: error %v, want 'already exists'", err)
	}
	if err := WriteContactSheet(path, frames[:1], SheetOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if f := readPNG(t, path); f.W != 16+2*gap || f.H != 12+2*gap {
		t.Errorf("replaced sheet is %dx%d, want one 16x12 tile with its gaps", f.W, f.H)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"sheet.png"}) {
		t.Errorf("folder holds %v, want only sheet.png", got)
	}
}

func TestContactSheetErrors(t *testing.T) {
	one := []frame.Frame{frame.New(3, 4, 4)}
	tests := []struct {
		name   string
		path   string
		frames []frame.Frame
		o      SheetOptions
		want   string
	}{
		{"no frames", "a.png", nil, SheetOptions{}, "no frames"},
		{"labels count", "a.png", one, SheetOptions{Labels: []string{"a", "b"}}, "2 labels for 1 frames"},
		{"scale", "a.png", one, SheetOptions{Scale: 100}, "scale 100 is not in [1,64]"},
		{"bad frame", "a.png", []frame.Frame{{C: 3, H: 2, W: 2}}, SheetOptions{}, "frame 0: frame: 3x2x2 frame has 0 values"},
		{"missing folder", "no/such/a.png", one, SheetOptions{}, "cannot write"},
	}
	for _, tc := range tests {
		dir := t.TempDir()
		err := WriteContactSheet(filepath.Join(dir, tc.path), tc.frames, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
		if names := listDir(t, dir); len(names) != 0 {
			t.Errorf("%s: folder holds %v, want nothing", tc.name, names)
		}
	}
}

func TestWritePNGGray(t *testing.T) {
	f := movingScene(newRNG(), 1, 1, 9, 7)[0]
	path := filepath.Join(t.TempDir(), "g.png")
	if err := WritePNG(path, f, false); err != nil {
		t.Fatal(err)
	}
	if p := psnr(t, upscale(quantize(f), 9, 7), readPNG(t, path)); p < 100 {
		t.Errorf("gray PNG: PSNR %.1f dB against the frame, want identical", p)
	}
}
