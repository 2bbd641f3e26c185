package avframe

/*
#cgo pkg-config: libavutil
#include <libavutil/frame.h>
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/asticode/go-astiav"
)

// MakeWritable makes sure no one else holds a reference to f's buffers
// before they are written: when an encoder still holds one, f gets fresh
// buffers with a copy of the picture; otherwise nothing changes, so a
// frame's buffers can be reused instead of allocated for every picture.
func MakeWritable(f *astiav.Frame) error {
	if ret := C.av_frame_make_writable((*C.AVFrame)(f.UnsafePointer())); ret < 0 {
		return fmt.Errorf("frame buffer: %w", astiav.Error(ret))
	}
	return nil
}

// YUV420 returns the Y, Cb and Cr planes of f, a yuv420p frame of even size
// with allocated buffers, as slices of linesize × rows bytes each that alias
// its C memory (the strides are f.Linesize()). They are valid until f's
// buffers are unreferenced or freed; write them only after MakeWritable.
//
// AVFrame starts with "uint8_t *data[AV_NUM_DATA_POINTERS]"
// (libavutil/frame.h, unchanged since FFmpeg 1.0): the plane pointers are
// read from there.
func YUV420(f *astiav.Frame) ([3][]byte, error) {
	var planes [3][]byte
	if f.PixelFormat() != astiav.PixelFormatYuv420P {
		return planes, fmt.Errorf("frame is %s, want yuv420p", f.PixelFormat())
	}
	w, h := f.Width(), f.Height()
	if w <= 0 || h <= 0 || w%2 != 0 || h%2 != 0 {
		return planes, fmt.Errorf("frame size %dx%d is not positive and even", w, h)
	}
	data := (*[astiav.NumDataPointers]*byte)(f.UnsafePointer())
	ls := f.Linesize()
	rows := [3]int{h, h / 2, h / 2}
	widths := [3]int{w, w / 2, w / 2}
	for i := range planes {
		if data[i] == nil || ls[i] < widths[i] {
			return [3][]byte{}, fmt.Errorf("frame plane %d has no buffer (linesize %d)", i, ls[i])
		}
		planes[i] = unsafe.Slice(data[i], ls[i]*rows[i])
	}
	return planes, nil
}
