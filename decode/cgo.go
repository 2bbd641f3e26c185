package decode

// go-astiav v0.16.0 wraps most of what decode needs; this file reaches the
// few FFmpeg fields and functions it does not: av_find_best_stream, the
// frame's best-effort timestamp, duration and corruption flags, frame
// cropping and pixel format descriptors.

/*
#cgo pkg-config: libavformat libavcodec libavutil libswscale
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
*/
import "C"

import (
	"unsafe"

	"github.com/asticode/go-astiav"
)

// swsAccurateRound is the swscale flag go-astiav does not name.
const swsAccurateRound = astiav.SoftwareScaleContextFlag(C.SWS_ACCURATE_RND)

// cFormatContext returns the AVFormatContext behind fc. go-astiav's
// FormatContext is a struct whose only field is that pointer; the
// TestFormatContextPointer test checks this against NbStreams.
func cFormatContext(fc *astiav.FormatContext) *C.AVFormatContext {
	return *(**C.AVFormatContext)(unsafe.Pointer(fc))
}

// bestVideoStream returns FFmpeg's choice of video stream (as the ffmpeg
// command line would pick it: attached cover pictures are skipped), or a
// negative FFmpeg error code such as AVERROR_STREAM_NOT_FOUND.
func bestVideoStream(fc *astiav.FormatContext) int {
	return int(C.av_find_best_stream(cFormatContext(fc), C.AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0))
}

// cNbStreams is the stream count read through cFormatContext.
func cNbStreams(fc *astiav.FormatContext) int {
	return int(cFormatContext(fc).nb_streams)
}

// discardOtherStreams tells the demuxer to skip every stream but keep, so
// audio and subtitle packets are not even read where the format allows.
func discardOtherStreams(fc *astiav.FormatContext, keep int) {
	c := cFormatContext(fc)
	streams := unsafe.Slice(c.streams, c.nb_streams)
	for i, s := range streams {
		if i != keep {
			s.discard = C.AVDISCARD_ALL
		}
	}
}

func cFrame(f *astiav.Frame) *C.AVFrame { return (*C.AVFrame)(f.UnsafePointer()) }

// frameTimestamp returns the frame's best-effort presentation timestamp and
// its duration, both in the stream's time base; either may be
// astiav.NoPtsValue or 0 when unknown.
func frameTimestamp(f *astiav.Frame) (ts, dur int64) {
	c := cFrame(f)
	return int64(c.best_effort_timestamp), int64(c.pkt_duration)
}

// frameCorrupt reports whether the decoder flagged the frame as corrupt or
// concealed errors in it.
func frameCorrupt(f *astiav.Frame) bool {
	c := cFrame(f)
	return c.flags&C.AV_FRAME_FLAG_CORRUPT != 0 || c.decode_error_flags != 0
}

// cropFrame narrows f to the rectangle (x, y, w, h) by moving its data
// pointers; the pixels are not copied. Offsets are rounded down to the
// chroma subsampling grid by the caller.
func cropFrame(f *astiav.Frame, x, y, w, h int) bool {
	c := cFrame(f)
	c.crop_left = C.size_t(x)
	c.crop_top = C.size_t(y)
	c.crop_right = C.size_t(int(c.width) - x - w)
	c.crop_bottom = C.size_t(int(c.height) - y - h)
	return C.av_frame_apply_cropping(c, C.AV_FRAME_CROP_UNALIGNED) >= 0
}

// isYUV reports whether pf is a Y'CbCr format with chroma (not RGB,
// palette, gray or a hardware format).
func isYUV(pf astiav.PixelFormat) bool {
	d := C.av_pix_fmt_desc_get(C.enum_AVPixelFormat(pf))
	return d != nil && d.nb_components >= 3 &&
		d.flags&(C.AV_PIX_FMT_FLAG_RGB|C.AV_PIX_FMT_FLAG_PAL|C.AV_PIX_FMT_FLAG_HWACCEL|C.AV_PIX_FMT_FLAG_BITSTREAM) == 0
}

// frameColorSpace returns the frame's AVColorSpace (its Y'CbCr matrix).
func frameColorSpace(f *astiav.Frame) int { return int(cFrame(f).colorspace) }

// chromaShift returns pf's chroma subsampling as log2 of the horizontal
// and vertical factors (1, 1 for yuv420p).
func chromaShift(pf astiav.PixelFormat) (w, h int) {
	d := C.av_pix_fmt_desc_get(C.enum_AVPixelFormat(pf))
	if d == nil {
		return 0, 0
	}
	return int(d.log2_chroma_w), int(d.log2_chroma_h)
}
