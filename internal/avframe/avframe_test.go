package avframe

import (
	"testing"

	"github.com/asticode/go-astiav"
)

// TestMakeWritable checks both of MakeWritable's cases: a frame whose
// buffers only it references keeps them (the encoder reuses its buffer),
// and a frame whose buffers another frame also references (as an encoder
// may hold one) gets its own copy, so writing it leaves the other intact.
func TestMakeWritable(t *testing.T) {
	const w, h = 8, 4
	f := astiav.AllocFrame()
	defer f.Free()
	f.SetWidth(w)
	f.SetHeight(h)
	f.SetPixelFormat(astiav.PixelFormatYuv420P)
	if err := f.AllocBuffer(0); err != nil {
		t.Fatal(err)
	}
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
