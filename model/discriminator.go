package model

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/ops"
)

// DiscriminatorKind and DiscriminatorVersion identify the discriminator's
// architecture in its saved config, as PredictorKind does the predictor's.
const (
	DiscriminatorKind    = "patch"
	DiscriminatorVersion = 1
)

// DiscriminatorConfig describes a discriminator. It is saved with every
// checkpoint of an adversarial run as JSON.
type DiscriminatorConfig struct {
	Kind    string `json:"kind"`    // DiscriminatorKind
	Version int    `json:"version"` // DiscriminatorVersion

	Context  int `json:"context"`  // K, as the predictor's
	Channels int `json:"channels"` // C, as the predictor's

	// Downs is the number of 4×4 stride-2 convolutions; each halves the
	// patch grid and widens the receptive field (see ReceptiveField).
	Downs int `json:"downs"`
	// Width is the first convolution's channels; each later one doubles
	// it, up to MaxWidth.
	Width    int `json:"width"`
	MaxWidth int `json:"max_width"`
}

// DefaultDiscriminatorConfig returns the demo discriminator: 4 gray context
// frames, three stride-2 layers of 32, 64 and 64 channels, a 4×4 patch grid
// on 32×32 frames with a 38-pixel receptive field (101,601 parameters).
func DefaultDiscriminatorConfig() DiscriminatorConfig {
	return DiscriminatorConfig{
		Kind: DiscriminatorKind, Version: DiscriminatorVersion,
		Context: 4, Channels: 1,
		Downs: 3, Width: 32, MaxWidth: 64,
	}
}

// Validate reports every field that is out of range.
func (c DiscriminatorConfig) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.Kind != DiscriminatorKind {
		bad("kind %q, want %q", c.Kind, DiscriminatorKind)
	}
	if c.Version != DiscriminatorVersion {
		bad("version %d, this build knows version %d", c.Version, DiscriminatorVersion)
	}
	checkFrames(bad, c.Context, c.Channels)
	if c.Downs < 1 || c.Downs > maxDepth {
		bad("downs %d must be 1–%d", c.Downs, maxDepth)
	}
	if c.Width < 1 || c.MaxWidth < c.Width || c.MaxWidth > maxWidth {
		bad("widths %d–%d must satisfy 1 ≤ width ≤ max_width ≤ %d", c.Width, c.MaxWidth, maxWidth)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("model: bad discriminator config: %w", err)
	}
	return nil
}

// CheckSize reports whether frames of w×h pixels fit: both must be
// positive multiples of 2^Downs, so every score has a whole patch.
func (c DiscriminatorConfig) CheckSize(h, w int) error {
	return checkMultiple(h, w, c.Downs, fmt.Sprintf("a discriminator of %d stride-2 layers", c.Downs))
}

// ParseDiscriminatorConfig decodes and validates a saved discriminator
// config; unknown fields are an error.
func ParseDiscriminatorConfig(data []byte) (DiscriminatorConfig, error) {
	var c DiscriminatorConfig
	if err := strictJSON(data, &c); err != nil {
		return DiscriminatorConfig{}, fmt.Errorf("model: discriminator config: %w", err)
	}
	return c, c.Validate()
}

// Discriminator is a conditional patch discriminator (Mathieu, Couprie and
// LeCun 2016; Isola et al. 2017): it sees the K context frames together with
// a candidate next frame, concatenated on channels, and scores every patch
// of the candidate as real (high) or fake (low). Scores are raw (no
// sigmoid): use them with a least-squares or logits loss.
//
// Its parameters are shared by every graph built with Build, exactly like
// the Predictor's: the generator's graph scores the prediction (its
// gradients flow to the predictor only, when only the predictor's nodes
// are differentiated), and the discriminator's own graph trains it.
type Discriminator struct {
	cfg    DiscriminatorConfig
	layers []conv
	p      *params
}

// NewDiscriminator returns a discriminator with fresh weights drawn from
// seed with PyTorch's Conv2d initialisation.
func NewDiscriminator(cfg DiscriminatorConfig, seed int64) (*Discriminator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	layers := patchLayers(cfg)
	return &Discriminator{cfg: cfg, layers: layers, p: newParams(layers, seed)}, nil
}

// patchLayers lists the convolutions:
//
//	conv1 … convD      4×4 stride 2 pad 1, LeakyReLU; (K+1)·C → w → 2w … ≤ MaxWidth
//	score              3×3 pad 1, linear, → 1
func patchLayers(c DiscriminatorConfig) []conv {
	var ls []conv
	in, w := (c.Context+1)*c.Channels, c.Width
	for i := 1; i <= c.Downs; i++ {
		ls = append(ls, conv{name: fmt.Sprintf("conv%d", i), in: in, out: w, k: 4, stride: 2, pad: 1, slope: Slope})
		in, w = w, min(2*w, c.MaxWidth)
	}
	return append(ls, conv{name: "score", in: in, out: 1, k: 3, stride: 1, pad: 1, slope: 1})
}

// Config returns the discriminator's configuration.
func (d *Discriminator) Config() DiscriminatorConfig { return d.cfg }

// Params returns the live parameters in layer order (see Predictor.Params).
func (d *Discriminator) Params() []Param { return d.p.clone() }

// NumParams returns the number of scalar parameters.
func (d *Discriminator) NumParams() int { return d.p.count() }

// SetParams copies values into the parameters by name (see
// Predictor.SetParams).
func (d *Discriminator) SetParams(vals map[string][]float32) error {
	return d.p.set(vals, "discriminator")
}

// Build adds the discriminator to g, applied to the context ctx
// ((K·C)×N×H×W) and a candidate next frame cand (C×N×H×W, in [0,1]: a real
// frame, or ops.Clamp01 of a prediction), and returns the scores,
// 1×N×(H/2^Downs)×(W/2^Downs). Building several times in one graph (real,
// fake and mismatched candidates) shares one set of parameter nodes;
// ParamNodes returns them.
func (d *Discriminator) Build(g *G.ExprGraph, ctx, cand *G.Node) (*G.Node, error) {
	if ctx.Graph() != g || cand.Graph() != g {
		return nil, fmt.Errorf("model: Discriminator.Build: an input node belongs to another graph")
	}
	cs, fs := ctx.Shape(), cand.Shape()
	k, c := d.cfg.Context, d.cfg.Channels
	if cs.Dims() != 4 || fs.Dims() != 4 || cs[0] != k*c || fs[0] != c || !cs[1:].Eq(fs[1:]) {
		return nil, fmt.Errorf("model: discriminator inputs have shapes %v and %v, want (K·C = %d)×N×H×W and (C = %d)×N×H×W", cs, fs, k*c, c)
	}
	if ctx.Dtype() != tensor.Float32 || cand.Dtype() != tensor.Float32 {
		return nil, fmt.Errorf("model: discriminator inputs are %v and %v, want float32", ctx.Dtype(), cand.Dtype())
	}
	if err := d.cfg.CheckSize(cs[2], cs[3]); err != nil {
		return nil, err
	}
	ps, err := d.p.nodes(g, true)
	if err != nil {
		return nil, err
	}
	return d.forward(ctx, cand, ps)
}

// ParamNodes returns g's parameter nodes, in Params order, after Build.
func (d *Discriminator) ParamNodes(g *G.ExprGraph) ([]*G.Node, error) { return d.p.nodes(g, false) }

func (d *Discriminator) forward(ctx, cand *G.Node, ps []*G.Node) (*G.Node, error) {
	h, err := ops.Concat(ctx, cand)
	if err != nil {
		return nil, fmt.Errorf("model: discriminator: %w", err)
	}
	for _, l := range d.layers {
		if h, err = l.apply(h, ps); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// Field is the part of the input one score depends on: score (i, j) sees
// rows i·Stride-Offset … i·Stride-Offset+Size-1, and the same range of
// columns for j; rows outside the frame are the zero padding.
type Field struct {
	Size, Stride, Offset int
}

// ReceptiveField returns the discriminator's receptive field, computed
// layer by layer. With D stride-2 layers it is Size = 3·(2^D-1) + 2·2^D + 1,
// Stride = 2^D and Offset = 2^(D+1) - 1: 38, 8 and 15 for the default, so on
// a 32×32 frame the corner scores see 23 of the 32 rows and columns and the
// inner ones 31.
func (d *Discriminator) ReceptiveField() Field {
	f := Field{Size: 1, Stride: 1}
	for _, l := range d.layers {
		f.Size += (l.k - 1) * f.Stride
		f.Offset += l.pad * f.Stride
		f.Stride *= l.stride
	}
	return f
}
