package encode

import (
	"strings"
	"testing"

	"github.com/asticode/go-astiav"
)

// TestYUVFrame writes through yuvFrame's slices and reads the frame back
// with go-astiav's own (copying, safe) accessor.
func TestYUVFrame(t *testing.T) {
	const w, h = 6, 4
	f := astiav.AllocFrame()
	defer f.Free()
	f.SetWidth(w)
	f.SetHeight(h)
	f.SetPixelFormat(astiav.PixelFormatYuv420P)
	if err := f.AllocBuffer(0); err != nil {
		t.Fatal(err)
	}
	p, err := yuvFrame(f)
	if err != nil {
		t.Fatal(err)
	}
	if p.w != w || p.h != h || p.ys < w || p.us < w/2 {
		t.Fatalf("planes %dx%d strides %d/%d, want %dx%d", p.w, p.h, p.ys, p.us, w, h)
	}
	var want []byte // packed: Y rows, then Cb rows, then Cr rows
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			p.y[y*p.ys+x] = byte(10 + y*w + x)
			want = append(want, byte(10+y*w+x))
		}
	}
	for i, pl := range []struct {
		b []byte
		s int
	}{{p.u, p.us}, {p.v, p.vs}} {
		for y := 0; y < h/2; y++ {
			for x := 0; x < w/2; x++ {
				v := byte(100 + 50*i + y*w/2 + x)
				pl.b[y*pl.s+x] = v
				want = append(want, v)
			}
		}
	}
	got, err := f.Data().Bytes(1)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("frame holds %v, want %v", got, want)
	}
}

func TestYUVFrameRefusesOthers(t *testing.T) {
	rgb := astiav.AllocFrame()
	defer rgb.Free()
	rgb.SetWidth(4)
	rgb.SetHeight(4)
	rgb.SetPixelFormat(astiav.PixelFormatRgb24)
	if err := rgb.AllocBuffer(0); err != nil {
		t.Fatal(err)
	}
	if _, err := yuvFrame(rgb); err == nil || !strings.Contains(err.Error(), "want yuv420p") {
		t.Errorf("rgb24 frame: error %v, want one saying yuv420p", err)
	}
	empty := astiav.AllocFrame()
	defer empty.Free()
	empty.SetWidth(4)
	empty.SetHeight(4)
	empty.SetPixelFormat(astiav.PixelFormatYuv420P)
	if _, err := yuvFrame(empty); err == nil || !strings.Contains(err.Error(), "no buffer") {
		t.Errorf("frame without buffer: error %v, want one saying it has no buffer", err)
	}
}
