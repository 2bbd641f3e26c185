package evaluate

import (
	"fmt"
	"strings"

	"framepred/decode"
	"framepred/frame"
	"framepred/synth"
)

// Data is a set of clips to evaluate on. Open may be called more than once;
// each call starts from the beginning, so every Run sees the same clips for
// the same seed.
type Data interface {
	Info() DataInfo
	Open(seed int64) (Clips, error)
}

// Clips streams clips: Next returns io.EOF after the last one. *decode.Clips
// is one.
type Clips interface {
	Next() (frame.Clip, error)
	Close() error
}

// DataInfo says what the clips were, so that they can be made again.
type DataInfo struct {
	Kind        string     `json:"kind"`        // "synth", "video" or a caller's own
	Description string     `json:"description"` // one line for people
	Synth       *SynthInfo `json:"synth"`       // for kind "synth", else null
	Video       *VideoInfo `json:"video"`       // for kind "video", else null
}

// SynthInfo is a generator's configuration (synth.Config) and split.
type SynthInfo struct {
	Seed     uint64  `json:"seed"`
	Split    string  `json:"split"` // "heldout"
	Height   int     `json:"height"`
	Width    int     `json:"width"`
	Channels int     `json:"channels"`
	Context  int     `json:"context"`
	Future   int     `json:"future"`
	Branches int     `json:"branches"`
	Shape    string  `json:"shape"` // "square" or "disc"
	MinSide  int     `json:"min_side"`
	MaxSide  int     `json:"max_side"`
	MinSpeed float64 `json:"min_speed"`
	MaxSpeed float64 `json:"max_speed"`
	Kick     float64 `json:"kick"`
}

// VideoInfo lists the files and how they were decoded and cut into clips.
type VideoInfo struct {
	Files    []string `json:"files"`
	Width    int      `json:"width"`  // 0: source size
	Height   int      `json:"height"` // 0: source size
	Aspect   string   `json:"aspect"` // "stretch" or "crop"
	Gray     bool     `json:"gray"`
	FPS      float64  `json:"fps"`        // 0: every decoded frame
	Start    float64  `json:"start_s"`    // seconds skipped at the start
	Duration float64  `json:"duration_s"` // 0: to the end
	MaxFrame int      `json:"max_frames"` // per file, 0: no limit
	Context  int      `json:"context"`    // frames per clip seen by the models
	Future   int      `json:"future"`     // frames per clip to forecast
	Stride   int      `json:"stride"`     // frames between clip starts
	Shuffle  bool     `json:"shuffle"`    // clips drawn in a seeded random order
	Buffer   int      `json:"shuffle_buffer"`
}

// synthData is the held-out split of a generator.
type synthData struct{ g *synth.Generator }

// Synth returns the held-out split of the built-in generator with
// configuration cfg: clip i of an evaluation is held-out sample i, and it
// carries every branch. cfg.Seed should be the seed the models were trained
// with: the held-out split of that seed never shares random draws with its
// training split. The seed given to Open is not used.
func Synth(cfg synth.Config) (Data, error) {
	g, err := synth.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	return synthData{g: g.HeldOut()}, nil
}

func (d synthData) Info() DataInfo {
	c := d.g.Config()
	si := &SynthInfo{
		Seed: c.Seed, Split: d.g.Split().String(),
		Height: c.Height, Width: c.Width, Channels: c.Channels,
		Context: c.Context, Future: c.Future, Branches: c.Branches,
		Shape:   c.Shape.String(),
		MinSide: c.MinSide, MaxSide: c.MaxSide,
		MinSpeed: c.MinSpeed, MaxSpeed: c.MaxSpeed, Kick: c.Kick,
	}
	color := "gray"
	if c.Channels == 3 {
		color = "RGB"
	}
	desc := fmt.Sprintf("synth %s split, seed %d: %d×%d %s, %d context + %d future frames, %d branches, %s side %d–%d px, speed %g–%g px/frame, kick %g px",
		si.Split, c.Seed, c.Width, c.Height, color, c.Context, c.Future, c.Branches,
		si.Shape, c.MinSide, c.MaxSide, c.MinSpeed, c.MaxSpeed, c.Kick)
	return DataInfo{Kind: "synth", Description: desc, Synth: si}
}

func (d synthData) Open(int64) (Clips, error) { return &synthClips{g: d.g}, nil }

// synthClips is an endless stream of generated clips.
type synthClips struct {
	g    *synth.Generator
	next int64
}

func (s *synthClips) Next() (frame.Clip, error) {
	c := s.g.Sample(s.next)
	s.next++
	return c, nil
}

func (s *synthClips) Close() error { return nil }

// videoData cuts video files into clips with decode.
type videoData struct {
	paths []string
	opts  decode.Options
	copts decode.ClipOptions
}

// Video returns the clips of the video files in paths, decoded with opts
// and cut with copts (copts.Future must be at least the horizon). When
// copts.Shuffle is set the clips come in a random order drawn from the seed
// given to Open (Options.Seed); copts.Seed is not used.
func Video(paths []string, opts decode.Options, copts decode.ClipOptions) (Data, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("evaluate: no video files")
	}
	// Check the options now rather than at Open.
	c, err := decode.NewClips(paths, opts, copts)
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	if err := c.Close(); err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	if copts.Stride == 0 {
		copts.Stride = 1
	}
	return videoData{paths: append([]string(nil), paths...), opts: opts, copts: copts}, nil
}

func (d videoData) Info() DataInfo {
	o, c := d.opts, d.copts
	vi := &VideoInfo{
		Files: append([]string(nil), d.paths...),
		Width: o.Width, Height: o.Height, Aspect: o.Aspect.String(), Gray: o.Gray,
		FPS: o.FPS, Start: o.Start.Seconds(), Duration: o.Duration.Seconds(), MaxFrame: o.MaxFrames,
		Context: c.Context, Future: c.Future, Stride: c.Stride, Shuffle: c.Shuffle, Buffer: c.Buffer,
	}
	var b strings.Builder
	fmt.Fprintf(&b, "video, %d %s", len(d.paths), plural(len(d.paths), "file"))
	if len(d.paths) <= 3 {
		fmt.Fprintf(&b, " (%s)", strings.Join(d.paths, ", "))
	}
	size := "source size"
	if o.Width > 0 || o.Height > 0 {
		size = fmt.Sprintf("%d×%d %s", o.Width, o.Height, o.Aspect)
	}
	color := "RGB"
	if o.Gray {
		color = "gray"
	}
	fmt.Fprintf(&b, ": %s %s", size, color)
	if o.FPS > 0 {
		fmt.Fprintf(&b, " at %g fps", o.FPS)
	}
	fmt.Fprintf(&b, ", %d context + %d future frames, stride %d", c.Context, c.Future, c.Stride)
	if c.Shuffle {
		b.WriteString(", shuffled")
	}
	return DataInfo{Kind: "video", Description: b.String(), Video: vi}
}

func (d videoData) Open(seed int64) (Clips, error) {
	copts := d.copts
	copts.Seed = seed
	return decode.NewClips(d.paths, d.opts, copts)
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

var _ Clips = (*decode.Clips)(nil)
