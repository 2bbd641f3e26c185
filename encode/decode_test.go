package encode

import (
	"errors"
	"io"
	"testing"

	"framepred/decode"
	"framepred/frame"
)

// decodeFrames decodes every frame of a video written by the tests with
// framepred's decode package, at the file's own size, as RGB (c 3) or gray
// (c 1), and checks the shape.
func decodeFrames(t testing.TB, path string, c, h, w int) []frame.Frame {
	t.Helper()
	r, err := decode.Open(path, decode.Options{Gray: c == 1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []frame.Frame
	for {
		f, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: frame %d: %v", path, len(out), err)
		}
		if f.C != c || f.H != h || f.W != w {
			t.Fatalf("%s: decoded a %s frame, want %dx%dx%d", path, f.Shape(), c, h, w)
		}
		out = append(out, f)
	}
	return out
}
