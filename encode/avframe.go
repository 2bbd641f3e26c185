package encode

import (
	"fmt"
	"unsafe"

	"github.com/asticode/go-astiav"
)

// yuvFrame gives the planes of f, a yuv420p AVFrame with allocated buffers,
// as Go slices that alias its C memory. They are valid until f's buffers are
// unreferenced or freed.
//
// This is the package's only unsafe code: go-astiav v0.16.0 can read frame
// planes but has no way to write into them. AVFrame starts with
// "uint8_t *data[AV_NUM_DATA_POINTERS]" (libavutil/frame.h, unchanged since
// FFmpeg 1.0), so the plane pointers are read from there; the strides come
// from go-astiav's Linesize.
func yuvFrame(f *astiav.Frame) (yuvPlanes, error) {
	if f.PixelFormat() != astiav.PixelFormatYuv420P {
		return yuvPlanes{}, fmt.Errorf("encode: frame is %s, want yuv420p", f.PixelFormat())
	}
	w, h := f.Width(), f.Height()
	if w <= 0 || h <= 0 || w%2 != 0 || h%2 != 0 {
		return yuvPlanes{}, fmt.Errorf("encode: frame size %dx%d is not positive and even", w, h)
	}
	data := (*[astiav.NumDataPointers]*byte)(f.UnsafePointer())
	ls := f.Linesize()
	rows := [3]int{h, h / 2, h / 2}
	widths := [3]int{w, w / 2, w / 2}
	var planes [3][]byte
	for i := range planes {
		if data[i] == nil || ls[i] < widths[i] {
			return yuvPlanes{}, fmt.Errorf("encode: frame plane %d has no buffer (linesize %d)", i, ls[i])
		}
		planes[i] = unsafe.Slice(data[i], ls[i]*rows[i])
	}
	return yuvPlanes{w: w, h: h, y: planes[0], u: planes[1], v: planes[2], ys: ls[0], us: ls[1], vs: ls[2]}, nil
}
