package train

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math"
	"strconv"

	"framepred/decode"
	"framepred/frame"
	"framepred/synth"
)

// Position is where the training data stream stands; a checkpoint saves it
// so a resumed run sees the very clips the uninterrupted run would have.
// For synthetic data Index is the next sample's position in the stream;
// for video, Epoch counts the passes over the files and Index the training
// clips taken in the current one.
type Position struct {
	Epoch int64 `json:"epoch"`
	Index int64 `json:"index"`
}

// source is a stream of training clips plus a fixed validation set.
type source interface {
	next(n int) ([]frame.Clip, error)
	position() Position
	validation() ([]frame.Clip, error)
	close() error
}

// synthSource draws training samples from a synth generator's training
// split: the stream's sample p is the generator's sample offset+p, with an
// offset derived from the run's seed, so runs with different seeds see
// different samples of one data set. Validation uses the held-out split's
// samples 0, 1, ..., whatever the seed, so runs compare on the same clips.
type synthSource struct {
	gen    *synth.Generator
	offset int64
	pos    int64
	valN   int
}

func newSynthSource(cfg synth.Config, seed uint64, valN int, pos Position) (*synthSource, error) {
	gen, err := synth.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if pos.Epoch != 0 || pos.Index < 0 {
		return nil, fmt.Errorf("train: synthetic data position %+v is not a sample index", pos)
	}
	return &synthSource{gen: gen, offset: int64(derive(seed, "synth") >> 24), pos: pos.Index, valN: valN}, nil
}

func (s *synthSource) next(n int) ([]frame.Clip, error) {
	clips := s.gen.Batch(s.offset+s.pos, n)
	s.pos += int64(n)
	return clips, nil
}

func (s *synthSource) position() Position { return Position{Index: s.pos} }

func (s *synthSource) validation() ([]frame.Clip, error) {
	return s.gen.HeldOut().Batch(0, s.valN), nil
}

func (s *synthSource) close() error { return nil }

// videoSource cuts video files into clips of context frames and one next
// frame. Each epoch visits the files and clips in an order shuffled with a
// seed derived from the run's seed and the epoch; held-out clips are
// skipped. A file that fails is reported to the logger and skipped.
type videoSource struct {
	v       Video
	context int
	seed    uint64
	valN    int
	log     *slog.Logger

	clips *decode.Clips
	pos   Position
}

func newVideoSource(v Video, context int, seed uint64, valN int, log *slog.Logger, pos Position) (*videoSource, error) {
	s := &videoSource{v: v, context: context, seed: seed, valN: valN, log: log}
	if pos.Epoch < 0 || pos.Index < 0 {
		return nil, fmt.Errorf("train: bad video data position %+v", pos)
	}
	s.pos.Epoch = pos.Epoch
	for s.pos.Index < pos.Index {
		if _, err := s.nextClip(); err != nil {
			return nil, err
		}
		if s.pos.Epoch != pos.Epoch {
			return nil, fmt.Errorf("train: the video data has fewer training clips than when the checkpoint was written (epoch %d ended after %d of %d clips): were files changed or removed?", pos.Epoch, s.pos.Index, pos.Index)
		}
	}
	return s, nil
}

// heldOut reports whether a clip is in the validation share: a hash of its
// file and first frame, so the split is the same in every run and epoch.
func (s *videoSource) heldOut(c frame.Clip) bool {
	return heldOut(c.Source, c.Start, s.v.ValShare)
}

func heldOut(source string, start int, share float64) bool {
	if share <= 0 {
		return false
	}
	h := fnv.New64a()
	io.WriteString(h, source)
	h.Write([]byte{0})
	io.WriteString(h, strconv.Itoa(start))
	// FNV-1a alone leaves the high bits nearly equal for names that differ
	// only at the end; the finaliser spreads every bit.
	return float64(mix(h.Sum64()))/math.Exp2(64) < share
}

func (s *videoSource) open(shuffle bool, seed uint64) (*decode.Clips, error) {
	c, err := decode.NewClips(s.v.Paths, s.v.Options, decode.ClipOptions{
		Context: s.context, Future: 1, Stride: s.v.Stride,
		Shuffle: shuffle, Seed: int64(seed), Buffer: s.v.Buffer,
	})
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return c, nil
}

// nextClip returns the next training clip, starting a new epoch after the
// last one of the current.
func (s *videoSource) nextClip() (frame.Clip, error) {
	for {
		if s.clips == nil {
			c, err := s.open(true, derive(s.seed, "video", uint64(s.pos.Epoch)))
			if err != nil {
				return frame.Clip{}, err
			}
			s.clips = c
		}
		c, err := s.clips.Next()
		switch {
		case errors.Is(err, io.EOF):
			s.clips.Close()
			s.clips = nil
			if s.pos.Index == 0 {
				return frame.Clip{}, fmt.Errorf("train: no training clips in %d video files (see the warnings above)", len(s.v.Paths))
			}
			s.pos = Position{Epoch: s.pos.Epoch + 1}
			continue
		case err != nil:
			s.log.Warn("skipping a video file", "err", err)
			continue
		case s.heldOut(c):
			continue
		}
		s.pos.Index++
		return c, nil
	}
}

func (s *videoSource) next(n int) ([]frame.Clip, error) {
	clips := make([]frame.Clip, n)
	for i := range clips {
		c, err := s.nextClip()
		if err != nil {
			return nil, err
		}
		clips[i] = c
	}
	return clips, nil
}

func (s *videoSource) position() Position { return s.pos }

// validation returns the first valN held-out clips in file order.
func (s *videoSource) validation() ([]frame.Clip, error) {
	if s.valN == 0 || s.v.ValShare == 0 {
		return nil, nil
	}
	clips, err := s.open(false, 0)
	if err != nil {
		return nil, err
	}
	defer clips.Close()
	var val []frame.Clip
	for len(val) < s.valN {
		c, err := clips.Next()
		switch {
		case errors.Is(err, io.EOF):
			return val, nil
		case err != nil:
			s.log.Warn("skipping a video file", "err", err)
		case s.heldOut(c):
			val = append(val, c)
		}
	}
	return val, nil
}

// countTrain counts the training clips of one epoch, in one pass.
func (s *videoSource) countTrain() (int64, error) {
	clips, err := s.open(false, 0)
	if err != nil {
		return 0, err
	}
	defer clips.Close()
	var n int64
	for {
		c, err := clips.Next()
		switch {
		case errors.Is(err, io.EOF):
			return n, nil
		case err != nil:
			s.log.Warn("skipping a video file", "err", err)
		case !s.heldOut(c):
			n++
		}
	}
}

func (s *videoSource) close() error {
	if s.clips == nil {
		return nil
	}
	err := s.clips.Close()
	s.clips = nil
	return err
}

// derive mixes the run's seed with a label and numbers into an independent
// 64-bit seed (SplitMix64's finaliser over an FNV-1a hash).
func derive(seed uint64, label string, nums ...uint64) uint64 {
	h := fnv.New64a()
	io.WriteString(h, label)
	z := seed ^ h.Sum64()
	for _, n := range nums {
		z = mix(z + 0x9e3779b97f4a7c15*(n+1))
	}
	return mix(z)
}

func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
