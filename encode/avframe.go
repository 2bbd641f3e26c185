package encode

import (
	"fmt"

	"github.com/asticode/go-astiav"

	"framepred/internal/avframe"
)

// yuvFrame gives the planes of f, a yuv420p AVFrame with allocated buffers,
// as Go slices that alias its C memory. They are valid until f's buffers are
// unreferenced or freed. go-astiav v0.16.0 can read frame planes but has no
// way to write into them: internal/avframe holds the unsafe part.
func yuvFrame(f *astiav.Frame) (yuvPlanes, error) {
	planes, err := avframe.YUV420(f)
	if err != nil {
		return yuvPlanes{}, fmt.Errorf("encode: %w", err)
	}
	ls := f.Linesize()
	return yuvPlanes{w: f.Width(), h: f.Height(), y: planes[0], u: planes[1], v: planes[2], ys: ls[0], us: ls[1], vs: ls[2]}, nil
}
