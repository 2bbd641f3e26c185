package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// PredictorKind is the Kind of every predictor Config; PredictorVersion is
// the architecture revision this package builds. A checkpoint whose config
// names another kind or version is refused rather than loaded into a
// network it was not trained for.
const (
	PredictorKind    = "unet"
	PredictorVersion = 1
)

// Slope is the negative slope of every LeakyReLU in both networks.
const Slope = 0.2

// Limits on the configuration, so a damaged or hostile checkpoint header
// cannot ask for an absurd network.
const (
	maxContext = 64
	maxDepth   = 8
	maxWidth   = 4096 // widest layer: Width·2^Depth channels
)

// Config describes a predictor. It is saved with every checkpoint as JSON.
type Config struct {
	Kind    string `json:"kind"`    // PredictorKind
	Version int    `json:"version"` // PredictorVersion

	Context  int `json:"context"`  // K, context frames stacked on channels
	Channels int `json:"channels"` // C, 1 (gray) or 3 (RGB)

	// Width is the number of channels at full resolution; each level
	// below doubles it. Depth is the number of stride-2 downsamplings, so
	// frame sizes must be multiples of 2^Depth.
	Width int `json:"width"`
	Depth int `json:"depth"`

	// Residual makes the network predict the change from the last context
	// frame (raw = last + head) instead of the frame itself. Off by
	// default: on the two-futures data the direct output learns faster
	// (see the package documentation).
	Residual bool `json:"residual"`
}

// DefaultConfig returns the demo predictor: 4 gray context frames, width
// 16, two downsamplings (118,417 parameters), direct output.
func DefaultConfig() Config {
	return Config{
		Kind: PredictorKind, Version: PredictorVersion,
		Context: 4, Channels: 1,
		Width: 16, Depth: 2,
	}
}

// RGB64Config returns framepred's default predictor for 64×64 RGB video:
// 4 RGB context frames, width 16, three downsamplings (to 8×8 with 128
// channels), direct output; 488,627 parameters. Frame sizes must be
// multiples of 8.
func RGB64Config() Config {
	return Config{
		Kind: PredictorKind, Version: PredictorVersion,
		Context: 4, Channels: 3,
		Width: 16, Depth: 3,
	}
}

// Validate reports every field that is out of range.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.Kind != PredictorKind {
		bad("kind %q, want %q", c.Kind, PredictorKind)
	}
	if c.Version != PredictorVersion {
		bad("version %d, this build knows version %d", c.Version, PredictorVersion)
	}
	checkFrames(bad, c.Context, c.Channels)
	if c.Depth < 0 || c.Depth > maxDepth {
		bad("depth %d must be 0–%d", c.Depth, maxDepth)
	}
	if c.Width < 1 || (c.Depth >= 0 && c.Depth <= maxDepth && c.Width<<c.Depth > maxWidth) {
		bad("width %d must be at least 1, and width·2^depth at most %d", c.Width, maxWidth)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("model: bad predictor config: %w", err)
	}
	return nil
}

func checkFrames(bad func(string, ...any), k, c int) {
	if k < 1 || k > maxContext {
		bad("context %d must be 1–%d frames", k, maxContext)
	}
	if c != 1 && c != 3 {
		bad("channels %d must be 1 (gray) or 3 (RGB)", c)
	}
}

// CheckSize reports whether frames of w×h pixels fit the network: both must
// be positive multiples of 2^Depth.
func (c Config) CheckSize(h, w int) error {
	return checkMultiple(h, w, c.Depth, fmt.Sprintf("depth %d", c.Depth))
}

// ParseConfig decodes a predictor config written by encoding/json and
// validates it. Unknown fields are an error: they come from a newer or
// different model.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if err := strictJSON(data, &c); err != nil {
		return Config{}, fmt.Errorf("model: predictor config: %w", err)
	}
	return c, c.Validate()
}

func strictJSON(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// checkMultiple checks that h and w are positive multiples of 2^levels and
// names what needs it (a depth, a number of layers) in the error.
func checkMultiple(h, w, levels int, what string) error {
	m := 1 << levels
	if h >= m && w >= m && h%m == 0 && w%m == 0 {
		return nil
	}
	hint := func(n int) string {
		lo, hi := n/m*m, (n/m+1)*m
		if lo == 0 || lo == n {
			return fmt.Sprint(hi)
		}
		return fmt.Sprintf("%d or %d", lo, hi)
	}
	var eg string
	switch {
	case h == w || w%m == 0 && w >= m:
		eg = hint(h)
		if h != w {
			eg = "height " + eg
		}
	case h%m == 0 && h >= m:
		eg = "width " + hint(w)
	default:
		eg = "width " + hint(w) + ", height " + hint(h)
	}
	return fmt.Errorf("model: frame size %d×%d does not work with %s: height and width must be multiples of %d (e.g. %s)",
		w, h, what, m, eg)
}
