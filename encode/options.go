package encode

import (
	"fmt"
	"slices"
)

// Defaults for Options fields left zero.
const (
	DefaultFPS     = 25
	DefaultReelFPS = 5 // reels are short and are studied frame by frame
	DefaultCRF     = 18
	DefaultPreset  = "medium"
)

// presets are libx264's speed presets, fastest first.
var presets = []string{"ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"}

// Options control a Writer. The zero value gives sensible defaults.
type Options struct {
	// FPS is the constant frame rate; 0 means DefaultFPS (DefaultReelFPS
	// for WriteReel).
	FPS int
	// CRF is libx264's constant rate factor, 1 (best) to 51 (smallest);
	// 0 means DefaultCRF. libx264's lossless mode (CRF 0) is not offered:
	// it needs an H.264 profile that browsers do not play.
	CRF int
	// Preset is a libx264 preset such as "veryfast" or "slow"; "" means
	// DefaultPreset.
	Preset string
	// Threads is the number of encoder threads; 0 lets libx264 choose.
	Threads int
	// Force lets the output replace an existing file.
	Force bool
}

// withDefaults fills zero fields (fps is the default frame rate) and
// checks the rest.
func (o Options) withDefaults(fps int) (Options, error) {
	if o.FPS == 0 {
		o.FPS = fps
	}
	if o.CRF == 0 {
		o.CRF = DefaultCRF
	}
	if o.Preset == "" {
		o.Preset = DefaultPreset
	}
	switch {
	case o.FPS < 1 || o.FPS > 1000:
		return o, fmt.Errorf("encode: frame rate %d is not in [1,1000]", o.FPS)
	case o.CRF < 1 || o.CRF > 51:
		return o, fmt.Errorf("encode: CRF %d is not in [1,51]", o.CRF)
	case !slices.Contains(presets, o.Preset):
		return o, fmt.Errorf("encode: unknown preset %q (want one of %v)", o.Preset, presets)
	case o.Threads < 0:
		return o, fmt.Errorf("encode: negative thread count %d", o.Threads)
	}
	return o, nil
}
