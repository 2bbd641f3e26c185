package avframe

import (
	"strings"
	"testing"

	"github.com/asticode/go-astiav"
)

// newFrame returns a w x h frame of format pf, with buffers when alloc,
// freed when the test ends.
func newFrame(t *testing.T, w, h int, pf astiav.PixelFormat, alloc bool) *astiav.Frame {
	t.Helper()
	f := astiav.AllocFrame()
	t.Cleanup(f.Free)
	f.SetWidth(w)
	f.SetHeight(h)
	f.SetPixelFormat(pf)
	if alloc {
		if err := f.AllocBuffer(0); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// TestYUV420 writes through YUV420's slices and reads the frame back with
// go-astiav's own (copying, safe) accessor.
func TestYUV420(t *testing.T) {
	const w, h = 6, 4
	f := newFrame(t, w, h, astiav.PixelFormatYuv420P, true)
	p, err := YUV420(f)
	if err != nil {
		t.Fatal(err)
	}
	ls := f.Linesize()
	if ls[0] < w || ls[1] < w/2 || ls[2] < w/2 {
		t.Fatalf("linesizes %v too small for width %d", ls, w)
	}
	for i, rows := range []int{h, h / 2, h / 2} {
		if len(p[i]) != ls[i]*rows {
			t.Fatalf("plane %d has %d bytes, want linesize %d x %d rows", i, len(p[i]), ls[i], rows)
		}
	}
	var want []byte // packed: Y rows, then Cb rows, then Cr rows
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			p[0][y*ls[0]+x] = byte(10 + y*w + x)
			want = append(want, byte(10+y*w+x))
		}
	}
	for i := 1; i <= 2; i++ {
		for y := 0; y < h/2; y++ {
			for x := 0; x < w/2; x++ {
				v := byte(100 + 50*i + y*w/2 + x)
				p[i][y*ls[i]+x] = v
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

func TestYUV420Refuses(t *testing.T) {
	tests := []struct {
		name string
		f    *astiav.Frame
		want string
	}{
		{"rgb24", newFrame(t, 4, 4, astiav.PixelFormatRgb24, true), "want yuv420p"},
		{"no buffer", newFrame(t, 4, 4, astiav.PixelFormatYuv420P, false), "no buffer"},
		{"odd size", newFrame(t, 5, 4, astiav.PixelFormatYuv420P, true), "not positive and even"},
	}
	for _, tc := range tests {
		if _, err := YUV420(tc.f); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}

// TestMakeWritable checks both of MakeWritable's cases: a frame whose
// buffers only it references keeps them (the encoder reuses its buffer),
// and a frame whose buffers another frame also references (as an encoder
// may hold one) gets its own copy, so writing it leaves the other intact.
func TestMakeWritable(t *testing.T) {
	f := newFrame(t, 8, 4, astiav.PixelFormatYuv420P, true)
	p, err := YUV420(f)
	if err != nil {
		t.Fatal(err)
	}
	p[0][0] = 7
	if err := MakeWritable(f); err != nil {
		t.Fatal(err)
	}
	if q, _ := YUV420(f); &q[0][0] != &p[0][0] {
		t.Error("MakeWritable replaced the buffer of a frame nothing else references")
	}

	held := astiav.AllocFrame() // another reference, as an encoder keeps
	defer held.Free()
	if err := held.Ref(f); err != nil {
		t.Fatal(err)
	}
	if err := MakeWritable(f); err != nil {
		t.Fatal(err)
	}
	q, err := YUV420(f)
	if err != nil {
		t.Fatal(err)
	}
	if &q[0][0] == &p[0][0] {
		t.Fatal("MakeWritable kept a buffer another frame references")
	}
	if q[0][0] != 7 {
		t.Errorf("the new buffer starts with %d, want the copied 7", q[0][0])
	}
	q[0][0] = 9
	if other, _ := YUV420(held); other[0][0] != 7 {
		t.Errorf("writing the new buffer changed the held frame: %d, want 7", other[0][0])
	}
}
