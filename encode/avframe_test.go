package encode

import (
	"strings"
	"testing"

	"github.com/asticode/go-astiav"
)

// TestYUVFrame checks what yuvFrame adds to internal/avframe's planes (whose
// own tests write through them): the size and strides, and the package's
// prefix on errors.
func TestYUVFrame(t *testing.T) {
	f := astiav.AllocFrame()
	defer f.Free()
	f.SetWidth(6)
	f.SetHeight(4)
	f.SetPixelFormat(astiav.PixelFormatYuv420P)
	if _, err := yuvFrame(f); err == nil || !strings.HasPrefix(err.Error(), "encode: ") {
		t.Errorf("frame without buffer: error %v, want one starting with encode:", err)
	}
	if err := f.AllocBuffer(0); err != nil {
		t.Fatal(err)
	}
	p, err := yuvFrame(f)
	if err != nil {
		t.Fatal(err)
	}
	ls := f.Linesize()
	if p.w != 6 || p.h != 4 || p.ys != ls[0] || p.us != ls[1] || p.vs != ls[2] {
		t.Errorf("planes %dx%d strides %d/%d/%d, want 6x4 and the frame's linesizes %v", p.w, p.h, p.ys, p.us, p.vs, ls[:3])
	}
	if len(p.y) != ls[0]*4 || len(p.u) != ls[1]*2 || len(p.v) != ls[2]*2 {
		t.Errorf("plane lengths %d/%d/%d, want linesize x rows", len(p.y), len(p.u), len(p.v))
	}
}
