package decode

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/asticode/go-astiav"

	"framepred/frame"
	"framepred/internal/avlog"
)

// Reader decodes one file's video stream into frames. It is not safe for
// concurrent use.
type Reader struct {
	path string
	opts Options
	info Info

	fc     *astiav.FormatContext
	opened bool // fc went through OpenInput and needs CloseInput
	cc     *astiav.CodecContext
	pkt    *astiav.Packet
	frm    *astiav.Frame // decoder output
	held   *astiav.Frame // FPS mode: the newest frame, waiting for its successor
	conv   *converter

	stream   int
	tb       float64 // stream time base in seconds
	origin   int64   // stream start timestamp
	fallback float64 // frame duration in seconds when a frame does not say

	// Decoding state.
	pktPending bool // pkt was refused with EAGAIN and must be sent again
	flushing   bool // the demuxer is done and the decoder is being drained
	drained    bool // the decoder returned its last frame
	stopped    bool // no more frames are wanted (range or count complete) or possible
	errRun     int  // decoder errors in a row
	stall      int  // packets refused in a row
	err        error
	decoded    int // frames out of the decoder
	returned   int // frames returned by Next
	lastT      float64
	lastDur    float64

	// FPS mode.
	pick     picker
	heldOK   bool
	heldT    float64
	heldDur  float64
	dup      frame.Frame // frame still owed dupLeft more times
	dupLeft  int
	startSec float64
	endSec   float64

	// Damage seen so far.
	trunc        string // the container declares more bytes than the file has
	readErr      error  // the demuxer stopped with an error other than end of file
	corruptPkts  int
	decodeErrs   int
	lastDecErr   error
	corruptFrame int
}

// tol absorbs rounding when comparing frame times with Start and the end.
const tol = 1e-6

// Open opens path for decoding with the given options. The caller must
// Close the Reader.
func Open(path string, opts Options) (*Reader, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	r := &Reader{path: path, opts: opts}
	if err := r.openInput(); err != nil {
		r.Close()
		return nil, err
	}
	if err := r.openDecoder(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Probe describes the video stream of path without decoding it.
func Probe(path string) (Info, error) {
	r := &Reader{path: path}
	defer r.Close()
	if err := r.openInput(); err != nil {
		return Info{}, err
	}
	return r.info, nil
}

// Info describes the file and its decoded video stream.
func (r *Reader) Info() Info { return r.info }

// checkFile makes sure path is a non-empty regular file before FFmpeg
// sees it (FFmpeg blocks forever opening a FIFO), and inspects the
// container's declared sizes for truncation.
func checkFile(path string) (trunc string, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", pathError(path, err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("decode: %s: %w (it is %s)", path, ErrNotRegular, fileKind(st.Mode()))
	}
	if st.Size() == 0 {
		return "", fmt.Errorf("decode: %s: %w (the file is empty)", path, ErrFormat)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", pathError(path, err)
	}
	defer f.Close()
	return truncation(f, st.Size()), nil
}

func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "not a regular file"
}

// openInput opens the container, picks the video stream and fills r.info.
func (r *Reader) openInput() error {
	avlog.Init()
	if r.opts.Verbose {
		avlog.SetVerbose(true)
	}
	trunc, err := checkFile(r.path)
	if err != nil {
		return err
	}
	r.trunc = trunc
	r.fc = astiav.AllocFormatContext()
	if r.fc == nil {
		return fmt.Errorf("decode: %s: cannot allocate a format context", r.path)
	}
	// The "file:" prefix keeps FFmpeg from reading a name such as
	// "a:b.mp4" as a protocol.
	if err := r.fc.OpenInput("file:"+r.path, nil, nil); err != nil {
		// avformat_open_input freed the context on failure.
		r.fc.Free()
		r.fc = nil
		return r.openError("FFmpeg cannot open it", err)
	}
	r.opened = true
	if err := r.fc.FindStreamInfo(nil); err != nil {
		return r.openError("FFmpeg cannot read its streams", err)
	}
	r.info = Info{Path: r.path, Streams: r.fc.NbStreams(), Frames: -1}
	if f := r.fc.InputFormat(); f != nil {
		r.info.Format = f.Name()
	}
	idx := bestVideoStream(r.fc)
	if idx < 0 {
		return fmt.Errorf("decode: %s: %w (%s)", r.path, ErrNoVideo, streamSummary(r.fc))
	}
	s := r.fc.Streams()[idx]
	cp := s.CodecParameters()
	r.stream = idx
	discardOtherStreams(r.fc, idx)
	r.info.Stream = idx
	r.info.Codec = cp.CodecID().Name()
	r.info.PixFmt = cp.PixelFormat().Name()
	r.info.Width, r.info.Height = cp.Width(), cp.Height()
	if q := r.fc.GuessFrameRate(s, nil); q.Num() > 0 && q.Den() > 0 {
		r.info.FPS = q.Float64()
	}
	tb := s.TimeBase()
	if tb.Num() <= 0 || tb.Den() <= 0 {
		tb = astiav.NewRational(1, 1000000)
	}
	r.tb = tb.Float64()
	if st := s.StartTime(); st != astiav.NoPtsValue {
		r.origin = st
	}
	switch {
	case s.Duration() > 0 && s.Duration() != astiav.NoPtsValue:
		r.info.Duration = seconds(float64(s.Duration()) * r.tb)
	case r.fc.Duration() > 0 && r.fc.Duration() != astiav.NoPtsValue:
		r.info.Duration = seconds(float64(r.fc.Duration()) / 1e6)
	}
	switch {
	case s.NbFrames() > 0:
		r.info.Frames = int(s.NbFrames())
	case r.info.Duration > 0 && r.info.FPS > 0:
		r.info.Frames = int(math.Round(r.info.Duration.Seconds() * r.info.FPS))
	}
	return nil
}

// openError explains an FFmpeg failure to open or probe the file.
func (r *Reader) openError(what string, err error) error {
	switch {
	case r.trunc != "":
		return fmt.Errorf("decode: %s: %w: %s (%v)", r.path, ErrDamaged, r.trunc, err)
	case errors.Is(err, astiav.ErrInvaliddata), errors.Is(err, astiav.ErrEof):
		return fmt.Errorf("decode: %s: %w (%v)", r.path, ErrFormat, err)
	}
	return fmt.Errorf("decode: %s: %s: %w", r.path, what, err)
}

// streamSummary lists the kinds of streams in a file, for ErrNoVideo.
func streamSummary(fc *astiav.FormatContext) string {
	ss := fc.Streams()
	if len(ss) == 0 {
		return "the file has no streams"
	}
	kinds := make([]string, len(ss))
	for i, s := range ss {
		cp := s.CodecParameters()
		kinds[i] = cp.MediaType().String() + " " + cp.CodecID().Name()
	}
	noun := "streams"
	if len(ss) == 1 {
		noun = "stream"
	}
	return fmt.Sprintf("the file has %d %s: %s", len(ss), noun, strings.Join(kinds, ", "))
}

// openDecoder sets up the decoder, the packet and frames, and seeks to
// Start.
func (r *Reader) openDecoder() error {
	s := r.fc.Streams()[r.stream]
	cp := s.CodecParameters()
	dec := astiav.FindDecoder(cp.CodecID())
	if dec == nil {
		return fmt.Errorf("decode: %s: %w (FFmpeg has no decoder for %s)", r.path, ErrNoVideo, cp.CodecID().Name())
	}
	if r.cc = astiav.AllocCodecContext(dec); r.cc == nil {
		return fmt.Errorf("decode: %s: cannot allocate a %s decoder", r.path, dec.Name())
	}
	if err := cp.ToCodecContext(r.cc); err != nil {
		return fmt.Errorf("decode: %s: setting up the %s decoder: %w", r.path, dec.Name(), err)
	}
	r.cc.SetThreadCount(r.opts.Threads) // 0: one per core; frame and slice threading by default
	r.cc.SetTimeBase(s.TimeBase())
	if err := r.cc.Open(dec, nil); err != nil {
		return fmt.Errorf("decode: %s: opening the %s decoder: %w", r.path, dec.Name(), err)
	}
	r.pkt = astiav.AllocPacket()
	r.frm = astiav.AllocFrame()
	r.held = astiav.AllocFrame()
	if r.pkt == nil || r.frm == nil || r.held == nil {
		return fmt.Errorf("decode: %s: cannot allocate packets and frames", r.path)
	}
	r.conv = newConverter(r.opts)

	r.fallback = 1.0 / 25
	if r.info.FPS > 0 {
		r.fallback = 1 / r.info.FPS
	}
	r.startSec = r.opts.Start.Seconds()
	r.endSec = endTime(r.startSec, r.opts.Duration.Seconds())
	if r.opts.FPS > 0 {
		r.pick = newPicker(r.startSec, r.opts.FPS, r.endSec, max(r.tb, tol))
	}
	if r.opts.Start > 0 {
		// Land on the keyframe at or before Start; frames before Start are
		// decoded and dropped. If the file cannot seek, decode from the
		// beginning: the result is the same, only slower.
		ts := r.origin + int64(r.startSec/r.tb)
		_ = r.fc.SeekFrame(r.stream, ts, astiav.NewSeekFlags(astiav.SeekFlagBackward))
	}
	return nil
}

// Close frees every FFmpeg object the Reader holds. It is safe to call
// more than once.
func (r *Reader) Close() error {
	if r.conv != nil {
		r.conv.free()
		r.conv = nil
	}
	for _, f := range []**astiav.Frame{&r.frm, &r.held} {
		if *f != nil {
			(*f).Free()
			*f = nil
		}
	}
	if r.pkt != nil {
		r.pkt.Free()
		r.pkt = nil
	}
	if r.cc != nil {
		r.cc.Free()
		r.cc = nil
	}
	if r.fc != nil {
		if r.opened {
			r.fc.CloseInput() // also frees the context
		} else {
			r.fc.Free()
		}
		r.fc = nil
	}
	if r.err == nil {
		r.err = fmt.Errorf("decode: %s: reader is closed", r.path)
	}
	return nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
