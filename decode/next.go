package decode

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/asticode/go-astiav"

	"framepred/frame"
)

// maxErrRun bounds the decoder errors in a row before decode gives up on a
// file, so that no input can keep Next busy forever.
const maxErrRun = 1000

// Next returns the next frame. At the end of a whole file it returns io.EOF;
// for a damaged or truncated file it first returns the frames FFmpeg could
// decode, then an error wrapping ErrDamaged that names the file and the
// damage. After an error every call returns the same error.
func (r *Reader) Next() (frame.Frame, error) {
	if r.err != nil {
		return frame.Frame{}, r.err
	}
	f, err := r.next()
	if err != nil {
		r.err = err
		return frame.Frame{}, err
	}
	r.returned++
	return f, nil
}

func (r *Reader) next() (frame.Frame, error) {
	for {
		if r.opts.MaxFrames > 0 && r.returned >= r.opts.MaxFrames {
			r.stopped = true
			return frame.Frame{}, r.endError()
		}
		if r.dupLeft > 0 {
			r.dupLeft--
			if r.dupLeft == 0 {
				f := r.dup
				r.dup = frame.Frame{}
				return f, nil
			}
			return r.dup.Clone(), nil
		}
		if r.drained || r.stopped {
			return frame.Frame{}, r.endError()
		}
		err := r.cc.ReceiveFrame(r.frm)
		switch {
		case err == nil:
			r.errRun, r.stall = 0, 0
			f, ok, err := r.handle()
			if err != nil {
				return frame.Frame{}, err
			}
			if ok {
				return f, nil
			}
		case errors.Is(err, astiav.ErrEagain) && !r.flushing:
			r.errRun = 0
			r.feed()
		case errors.Is(err, astiav.ErrEof), errors.Is(err, astiav.ErrEagain):
			// EAGAIN while draining would mean the decoder wants input it
			// has already had all of: treat it as the end as well.
			r.drained = true
			if err := r.flushHeld(); err != nil {
				return frame.Frame{}, err
			}
		default:
			// With frame threading, errors in a packet surface here.
			r.decodeError(err)
		}
	}
}

// feed sends the next packet of the video stream to the decoder, or starts
// draining it at the end of the file.
func (r *Reader) feed() {
	if !r.pktPending {
		for {
			err := r.fc.ReadFrame(r.pkt)
			if err != nil {
				if !errors.Is(err, astiav.ErrEof) {
					r.readErr = err
				}
				r.flushing = true
				if err := r.cc.SendPacket(nil); err != nil && !errors.Is(err, astiav.ErrEof) {
					r.decodeError(err)
				}
				return
			}
			if r.pkt.StreamIndex() == r.stream {
				break
			}
			r.pkt.Unref()
		}
		if r.pkt.Flags().Has(astiav.PacketFlagCorrupt) {
			r.corruptPkts++
		}
	}
	err := r.cc.SendPacket(r.pkt)
	if errors.Is(err, astiav.ErrEagain) {
		r.pktPending = true // receive frames first, then send it again
		// The decoder refusing input while having no output would loop
		// forever; FFmpeg's API rules it out, and this makes sure.
		if r.stall++; r.stall >= maxErrRun {
			r.stopped = true
			r.readErr = errors.New("the decoder stopped taking input")
		}
		return
	}
	r.stall = 0
	r.pktPending = false
	r.pkt.Unref()
	if err != nil {
		r.decodeError(err)
	}
}

func (r *Reader) decodeError(err error) {
	r.decodeErrs++
	r.lastDecErr = err
	r.errRun++
	if r.errRun >= maxErrRun {
		r.stopped = true
		r.readErr = fmt.Errorf("%d decoding errors in a row", r.errRun)
	}
}

// frameTime returns the time of the frame in r.frm in seconds from the
// stream's start, and its duration.
func (r *Reader) frameTime() (t, dur float64) {
	ts, d := frameTimestamp(r.frm)
	dur = r.fallback
	if d > 0 {
		dur = float64(d) * r.tb
	}
	if ts == astiav.NoPtsValue {
		if r.decoded == 1 {
			return 0, dur
		}
		return r.lastT + r.lastDur, dur
	}
	return float64(ts-r.origin) * r.tb, dur
}

// handle takes the frame in r.frm and returns a frame to give out, if any.
func (r *Reader) handle() (frame.Frame, bool, error) {
	r.decoded++
	if frameCorrupt(r.frm) {
		r.corruptFrame++
	}
	t, dur := r.frameTime()
	r.lastT, r.lastDur = t, dur
	if r.opts.FPS > 0 {
		return r.pickFrame(t, dur)
	}
	defer r.frm.Unref()
	if t < r.startSec-tol {
		return frame.Frame{}, false, nil
	}
	if t >= r.endSec-tol {
		r.stopped = true
		return frame.Frame{}, false, nil
	}
	f, err := r.conv.convert(r.frm)
	if err != nil {
		return frame.Frame{}, false, fmt.Errorf("decode: %s: frame %d: %w", r.path, r.decoded, err)
	}
	return f, true, nil
}

// pickFrame, in FPS mode, settles how often the held frame is shown now
// that its successor (at time t) is known, and holds the new frame.
func (r *Reader) pickFrame(t, dur float64) (frame.Frame, bool, error) {
	var n int
	if r.heldOK {
		n = r.pick.take((r.heldT + t) / 2)
	}
	f, ok, err := r.emitHeld(n)
	if err != nil {
		r.frm.Unref()
		return f, false, err
	}
	r.held.Unref()
	r.held.MoveRef(r.frm)
	r.heldOK, r.heldT, r.heldDur = true, t, dur
	if r.pick.done() {
		r.stopped = true
	}
	return f, ok, nil
}

// flushHeld, at the end of the stream, shows the last frame for the output
// times up to half a frame after it.
func (r *Reader) flushHeld() error {
	if r.opts.FPS == 0 || !r.heldOK {
		return nil
	}
	n := r.pick.take(r.heldT + r.heldDur/2)
	f, ok, err := r.emitHeld(n)
	r.held.Unref()
	r.heldOK = false
	if ok { // hand the first copy out through the dup queue too
		if r.dupLeft == 0 {
			r.dup = f
		}
		r.dupLeft++
	}
	return err
}

// emitHeld converts the held frame if it is to be shown n > 0 times: the
// first copy is returned, the rest are owed through r.dup.
func (r *Reader) emitHeld(n int) (frame.Frame, bool, error) {
	if n == 0 {
		return frame.Frame{}, false, nil
	}
	f, err := r.conv.convert(r.held)
	if err != nil {
		return frame.Frame{}, false, fmt.Errorf("decode: %s: frame at %.3fs: %w", r.path, r.heldT, err)
	}
	if n > 1 {
		r.dup, r.dupLeft = f.Clone(), n-1
	}
	return f, true, nil
}

// endError is returned once the frames are out: io.EOF for a whole file,
// otherwise an error wrapping ErrDamaged that says what went wrong.
func (r *Reader) endError() error {
	var probs []string
	if r.trunc != "" && !r.stopped {
		// A range that ended before the cut is not affected by it.
		probs = append(probs, r.trunc)
	}
	if r.readErr != nil {
		probs = append(probs, fmt.Sprintf("reading stopped early: %v", r.readErr))
	}
	if r.corruptPkts > 0 {
		probs = append(probs, fmt.Sprintf("%d %s marked corrupt by the demuxer", r.corruptPkts, plural(r.corruptPkts, "packet")))
	}
	if r.decodeErrs > 0 {
		probs = append(probs, fmt.Sprintf("%d decoding %s (last: %v)", r.decodeErrs, plural(r.decodeErrs, "error"), r.lastDecErr))
	}
	if r.corruptFrame > 0 {
		probs = append(probs, fmt.Sprintf("%d %s decoded with errors concealed", r.corruptFrame, plural(r.corruptFrame, "frame")))
	}
	if r.decoded == 0 && !r.stopped {
		probs = append(probs, "no frame could be decoded")
	}
	if len(probs) == 0 {
		return io.EOF
	}
	return fmt.Errorf("decode: %s: %w: %s (after %d %s)", r.path, ErrDamaged, strings.Join(probs, "; "), r.returned, plural(r.returned, "frame"))
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}
