package decode

import (
	"fmt"
	"math"

	"github.com/asticode/go-astiav"

	"framepred/frame"
)

// converter turns decoded pictures into frame tensors: optional centre
// crop, swscale to the output size, then float32 CHW. Gray output is
// swscale's GRAY8; RGB output from Y'CbCr sources is scaled as 4:4:4
// Y'CbCr and converted here (see yuv.go), from other sources it is
// swscale's RGB24.
type converter struct {
	w, h   int // output size; 0 until the first picture when it follows the source
	gray   bool
	aspect Aspect

	sws    *astiav.SoftwareScaleContext
	srcW   int // the swscale context's source (after cropping)
	srcH   int
	srcFmt astiav.PixelFormat
	dstFmt astiav.PixelFormat
	dst    *astiav.Frame // swscale output, reused
	buf    []byte        // dst copied tightly packed

	yuv    *yuvTables // for the matrix and range in yuvKey
	yuvKey [2]int     // AVColorSpace, 1 for full range
}

func newConverter(o Options) *converter {
	return &converter{w: o.Width, h: o.Height, gray: o.Gray, aspect: o.Aspect}
}

func (c *converter) free() {
	if c.sws != nil {
		c.sws.Free()
		c.sws = nil
	}
	if c.dst != nil {
		c.dst.Free()
		c.dst = nil
	}
}

// outputSize fills in a 0 width or height from the source's display aspect
// ratio (sar is the sample aspect ratio, 0 when unknown).
func outputSize(w, h, srcW, srcH int, sar float64) (int, int) {
	if sar <= 0 || math.IsInf(sar, 0) || math.IsNaN(sar) {
		sar = 1
	}
	switch {
	case w == 0 && h == 0:
		return srcW, srcH
	case h == 0:
		return w, max(1, int(math.Round(float64(w)*float64(srcH)/(float64(srcW)*sar))))
	case w == 0:
		return max(1, int(math.Round(float64(h)*float64(srcW)*sar/float64(srcH)))), h
	}
	return w, h
}

// cropRect returns the centre part of a srcW x srcH picture (pixels of
// aspect sar) whose display shape matches w:h. x and y are rounded down to
// multiples of the chroma subsampling (1<<cw, 1<<ch) so that the chroma
// planes stay aligned with luma.
func cropRect(srcW, srcH, w, h int, sar float64, cw, ch int) (x, y, cropW, cropH int) {
	if sar <= 0 || math.IsInf(sar, 0) || math.IsNaN(sar) {
		sar = 1
	}
	cropW, cropH = srcW, srcH
	want := float64(w) / float64(h)             // output display aspect
	have := float64(srcW) * sar / float64(srcH) // source display aspect
	switch {
	case have > want*(1+1e-9):
		cropW = min(srcW, max(1, int(math.Round(float64(srcH)*want/sar))))
	case have < want*(1-1e-9):
		cropH = min(srcH, max(1, int(math.Round(float64(srcW)*sar/want))))
	}
	x = (srcW - cropW) / 2 >> cw << cw
	y = (srcH - cropH) / 2 >> ch << ch
	return x, y, cropW, cropH
}

// convert scales f into a new frame. It may crop f in place (moving its
// data pointers), so f must not be converted twice.
func (c *converter) convert(f *astiav.Frame) (frame.Frame, error) {
	srcW, srcH := f.Width(), f.Height()
	if srcW <= 0 || srcH <= 0 {
		return frame.Frame{}, fmt.Errorf("picture has no size (%dx%d)", srcW, srcH)
	}
	sar := f.SampleAspectRatio().Float64()
	if c.w == 0 || c.h == 0 {
		c.w, c.h = outputSize(c.w, c.h, srcW, srcH, sar)
	}
	pf := f.PixelFormat()
	cw, ch := chromaShift(pf)
	if c.aspect == Crop {
		x, y, w, h := cropRect(srcW, srcH, c.w, c.h, sar, cw, ch)
		if (w != srcW || h != srcH) && !cropFrame(f, x, y, w, h) {
			return frame.Frame{}, fmt.Errorf("cannot crop %dx%d %s picture to %dx%d", srcW, srcH, pf, w, h)
		}
	}
	full := jpegFormats[pf] || f.ColorRange() == astiav.ColorRangeJpeg
	if j, ok := fullRangeFormat[pf]; ok && full {
		// swscale takes the range from the pixel format, not the frame:
		// a full-range stream decoded as yuv420p is converted as yuvj420p.
		pf = j
	}
	// swscale treats GRAY8 as full range, so TV-range luma (16-235) is
	// stretched to 0-255; TestSolidColours checks that white is 1 and black
	// 0 for TV- and full-range sources, scaled or not. For 4:4:4 output the
	// range is kept (J to J) and handled by the YUV tables.
	dstFmt := astiav.PixelFormatRgb24
	switch {
	case c.gray:
		dstFmt = astiav.PixelFormatGray8
	case isYUV(pf) && jpegFormats[pf]:
		dstFmt = astiav.PixelFormatYuvj444P
	case isYUV(pf):
		dstFmt = astiav.PixelFormatYuv444P
	}
	if err := c.prepare(f.Width(), f.Height(), pf, dstFmt); err != nil {
		return frame.Frame{}, err
	}
	saved := f.PixelFormat()
	f.SetPixelFormat(pf)
	err := c.sws.ScaleFrame(f, c.dst)
	f.SetPixelFormat(saved)
	if err != nil {
		return frame.Frame{}, fmt.Errorf("scaling %dx%d %s to %dx%d: %w", f.Width(), f.Height(), pf, c.w, c.h, err)
	}
	if _, err := c.dst.ImageCopyToBuffer(c.buf, 1); err != nil {
		return frame.Frame{}, fmt.Errorf("copying scaled picture: %w", err)
	}
	if dstFmt == astiav.PixelFormatYuv444P || dstFmt == astiav.PixelFormatYuvj444P {
		key := [2]int{frameColorSpace(f), 0}
		if full {
			key[1] = 1
		}
		if c.yuv == nil || c.yuvKey != key {
			c.yuv, c.yuvKey = newYUVTables(key[0], full), key
		}
	}
	return c.tensor(), nil
}

// prepare (re)creates the swscale context when the source changes.
func (c *converter) prepare(w, h int, pf, dstFmt astiav.PixelFormat) error {
	if c.sws != nil && c.srcW == w && c.srcH == h && c.srcFmt == pf && c.dstFmt == dstFmt {
		return nil
	}
	c.free()
	sws, err := astiav.CreateSoftwareScaleContext(w, h, pf, c.w, c.h, dstFmt,
		astiav.NewSoftwareScaleContextFlags(swsFlags...))
	if err != nil {
		return fmt.Errorf("cannot scale %dx%d %s to %dx%d %s: %w", w, h, pf, c.w, c.h, dstFmt, err)
	}
	c.sws = sws
	c.srcW, c.srcH, c.srcFmt, c.dstFmt = w, h, pf, dstFmt
	c.dst = astiav.AllocFrame()
	c.dst.SetWidth(c.w)
	c.dst.SetHeight(c.h)
	c.dst.SetPixelFormat(dstFmt)
	if err := c.dst.AllocBuffer(0); err != nil {
		return fmt.Errorf("allocating %dx%d picture: %w", c.w, c.h, err)
	}
	c.buf = make([]byte, c.w*c.h*3)
	if dstFmt == astiav.PixelFormatGray8 {
		c.buf = c.buf[:c.w*c.h]
	}
	return nil
}

func (c *converter) channels() int {
	if c.gray {
		return 1
	}
	return 3
}

// tensor converts the packed bytes in c.buf to a new CHW float32 frame.
func (c *converter) tensor() frame.Frame {
	out := frame.New(c.channels(), c.h, c.w)
	n := c.w * c.h
	if c.gray {
		for i, v := range c.buf[:n] {
			out.Pix[i] = unit[v]
		}
		return out
	}
	r, g, b := out.Pix[:n], out.Pix[n:2*n], out.Pix[2*n:3*n]
	if c.dstFmt != astiav.PixelFormatRgb24 { // planar 4:4:4 Y'CbCr
		c.yuv.toRGB(c.buf[:n], c.buf[n:2*n], c.buf[2*n:3*n], r, g, b)
		return out
	}
	src := c.buf[:3*n]
	for i := range n {
		p := src[3*i : 3*i+3 : 3*i+3]
		r[i], g[i], b[i] = unit[p[0]], unit[p[1]], unit[p[2]]
	}
	return out
}

// unit maps a byte to [0,1].
var unit = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i) / 255
	}
	return t
}()

// fullRangeFormat maps Y'CbCr formats to the deprecated "J" formats that
// tell swscale the data is full range.
var fullRangeFormat = map[astiav.PixelFormat]astiav.PixelFormat{
	astiav.PixelFormatYuv420P: astiav.PixelFormatYuvj420P,
	astiav.PixelFormatYuv422P: astiav.PixelFormatYuvj422P,
	astiav.PixelFormatYuv444P: astiav.PixelFormatYuvj444P,
	astiav.PixelFormatYuv440P: astiav.PixelFormatYuvj440P,
	astiav.PixelFormatYuv411P: astiav.PixelFormatYuvj411P,
}

// swsFlags: bicubic like FFmpeg's scale filter, with accurate rounding:
// without it swscale's 8-bit planar output comes out biased (neutral
// chroma 128 becomes 129, a visible tint once converted to RGB;
// TestOddSize catches it).
var swsFlags = []astiav.SoftwareScaleContextFlag{astiav.SoftwareScaleContextFlagBicubic, swsAccurateRound}

// jpegFormats are the "J" (full range) Y'CbCr formats.
var jpegFormats = map[astiav.PixelFormat]bool{
	astiav.PixelFormatYuvj420P: true,
	astiav.PixelFormatYuvj422P: true,
	astiav.PixelFormatYuvj444P: true,
	astiav.PixelFormatYuvj440P: true,
	astiav.PixelFormatYuvj411P: true,
}
