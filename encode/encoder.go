package encode

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/asticode/go-astiav"

	"framepred/frame"
	"framepred/internal/avframe"
)

// encoder owns the FFmpeg objects of one video.
type encoder struct {
	w, h int // even size given to libx264
	fc   *astiav.FormatContext
	pb   *astiav.IOContext
	cc   *astiav.CodecContext
	st   *astiav.Stream
	pkt  *astiav.Packet
	fr   *astiav.Frame // the yuv420p frame being sent
}

// newEncoder opens libx264 for w x h frames (padded to even) and writes the
// MP4 header to url (also read back by +faststart when finishing).
func newEncoder(url string, w, h int, o Options) (e *encoder, err error) {
	e = &encoder{}
	e.w, e.h = evenSize(w, h)
	defer func() {
		if err != nil {
			err = errors.Join(err, e.close())
			e = nil
		}
	}()
	if e.fc, err = astiav.AllocOutputFormatContext(nil, "mp4", url); err != nil {
		return e, fmt.Errorf("mp4 muxer: %w", err)
	}
	codec := astiav.FindEncoderByName("libx264")
	if codec == nil {
		return e, errors.New("FFmpeg has no libx264 encoder")
	}
	if e.cc = astiav.AllocCodecContext(codec); e.cc == nil {
		return e, errors.New("cannot allocate the libx264 context")
	}
	e.cc.SetWidth(e.w)
	e.cc.SetHeight(e.h)
	e.cc.SetPixelFormat(astiav.PixelFormatYuv420P)
	e.cc.SetTimeBase(astiav.NewRational(1, o.FPS))
	e.cc.SetFramerate(astiav.NewRational(o.FPS, 1))
	e.cc.SetSampleAspectRatio(astiav.NewRational(1, 1))
	e.cc.SetThreadCount(o.Threads) // libavcodec's default is 1 thread; 0 is auto
	if e.fc.OutputFormat().Flags().Has(astiav.IOFormatFlagGlobalheader) {
		e.cc.SetFlags(e.cc.Flags().Add(astiav.CodecContextFlagGlobalHeader))
	}
	if err = openCodec(e.cc, codec, o); err != nil {
		return e, err
	}
	if e.st = e.fc.NewStream(nil); e.st == nil {
		return e, errors.New("cannot add the video stream")
	}
	if err = e.st.CodecParameters().FromCodecContext(e.cc); err != nil {
		return e, fmt.Errorf("stream parameters: %w", err)
	}
	e.st.SetTimeBase(e.cc.TimeBase())
	e.st.SetAvgFrameRate(e.cc.Framerate())
	e.st.SetRFrameRate(e.cc.Framerate())
	if e.pb, err = astiav.OpenIOContext(url, astiav.NewIOContextFlags(astiav.IOContextFlagWrite)); err != nil {
		return e, fmt.Errorf("open: %w", err)
	}
	e.fc.SetPb(e.pb)
	mopts := astiav.NewDictionary()
	defer mopts.Free()
	if err = mopts.Set("movflags", "+faststart", astiav.NewDictionaryFlags()); err != nil {
		return e, fmt.Errorf("muxer options: %w", err)
	}
	// WriteHeader replaces the stream's time base (the MP4 muxer picks its
	// own, e.g. 1/12800): packets are rescaled to it in drain.
	if err = e.fc.WriteHeader(mopts); err != nil {
		return e, fmt.Errorf("MP4 header: %w", err)
	}
	e.pkt = astiav.AllocPacket()
	e.fr = astiav.AllocFrame()
	if e.pkt == nil || e.fr == nil {
		return e, errors.New("cannot allocate a packet or frame")
	}
	e.fr.SetWidth(e.w)
	e.fr.SetHeight(e.h)
	e.fr.SetPixelFormat(astiav.PixelFormatYuv420P)
	if err = e.fr.AllocBuffer(0); err != nil {
		return e, fmt.Errorf("frame buffer: %w", err)
	}
	return e, nil
}

// openCodec opens libx264 with o's preset and CRF and the colour tags that
// match toYUV420.
func openCodec(cc *astiav.CodecContext, codec *astiav.Codec, o Options) error {
	d := astiav.NewDictionary()
	defer d.Free()
	for _, kv := range [][2]string{
		{"preset", o.Preset},
		{"crf", strconv.Itoa(o.CRF)},
		{"colorspace", "smpte170m"}, // BT.601 matrix
		{"color_range", "tv"},
		{"color_primaries", "bt709"},  // sRGB primaries
		{"color_trc", "iec61966-2-1"}, // sRGB transfer
	} {
		if err := d.Set(kv[0], kv[1], astiav.NewDictionaryFlags()); err != nil {
			return fmt.Errorf("libx264 option %s: %w", kv[0], err)
		}
	}
	if err := cc.Open(codec, d); err != nil {
		return fmt.Errorf("open libx264 (preset %s, crf %d): %w", o.Preset, o.CRF, err)
	}
	// avcodec_open2 leaves the options it did not use in d.
	if e := d.Get("", nil, astiav.NewDictionaryFlags(astiav.DictionaryFlagIgnoreSuffix)); e != nil {
		return fmt.Errorf("libx264 did not take option %s=%s", e.Key(), e.Value())
	}
	return nil
}

// encode converts f into the frame's yuv420p buffer and sends it to
// libx264 with timestamp pts (in frames), then muxes the packets it has
// ready. The buffer is reused from frame to frame unless libavcodec still
// holds a reference to it (MakeWritable then gives a new one): reusing it
// spares the allocation and the kernel's zeroing of fresh pages, which cost
// as much as the colour conversion at 720p.
func (e *encoder) encode(f frame.Frame, pts int64) error {
	if err := avframe.MakeWritable(e.fr); err != nil {
		return err
	}
	p, err := yuvFrame(e.fr)
	if err != nil {
		return err
	}
	toYUV420(f, p)
	e.fr.SetPts(pts)
	if err := e.cc.SendFrame(e.fr); err != nil {
		return fmt.Errorf("libx264: %w", err)
	}
	return e.drain()
}

// drain moves every packet the encoder has ready into the file.
func (e *encoder) drain() error {
	for {
		if err := e.cc.ReceivePacket(e.pkt); err != nil {
			if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
				return nil
			}
			return fmt.Errorf("libx264: %w", err)
		}
		if e.pkt.Duration() == 0 {
			e.pkt.SetDuration(1) // one frame, so the last frame counts in the file's duration
		}
		e.pkt.SetStreamIndex(e.st.Index())
		e.pkt.RescaleTs(e.cc.TimeBase(), e.st.TimeBase())
		// The muxer takes the packet's reference, error or not.
		if err := e.fc.WriteInterleavedFrame(e.pkt); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
}

// finish flushes the encoder and writes the MP4 index (moved to the front
// of the file by +faststart).
func (e *encoder) finish() error {
	if err := e.cc.SendFrame(nil); err != nil {
		return fmt.Errorf("libx264 flush: %w", err)
	}
	if err := e.drain(); err != nil {
		return err
	}
	if err := e.fc.WriteTrailer(); err != nil {
		return fmt.Errorf("MP4 trailer: %w", err)
	}
	return nil
}

// close frees every FFmpeg object and closes the file, returning the
// close error (where buffered bytes meet a full disk).
func (e *encoder) close() error {
	var err error
	if e.pkt != nil {
		e.pkt.Free()
		e.pkt = nil
	}
	if e.fr != nil {
		e.fr.Free()
		e.fr = nil
	}
	if e.cc != nil {
		e.cc.Free()
		e.cc = nil
	}
	if e.pb != nil {
		if cerr := e.pb.Close(); cerr != nil {
			err = fmt.Errorf("close: %w", cerr)
		}
		e.pb = nil
	}
	if e.fc != nil {
		e.fc.Free() // frees the stream too
		e.fc = nil
	}
	return err
}
