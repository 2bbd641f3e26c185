package model

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/ops"
)

// Predictor is the next-frame predictor: a U-Net that maps K context frames
// stacked on channels, a (K·C)×N×H×W CNHW tensor, to the next frame,
// C×N×H×W. Its parameters are float32 tensors owned by the Predictor; every
// graph built with Build reads and trains those same tensors.
//
// A Predictor is not safe for concurrent use.
type Predictor struct {
	cfg    Config
	layers []conv // encoder levels, decoder levels (deepest first), head
	p      *params
	infer  map[[3]int]*inference // Predict's machines by (N, H, W)
}

// NewPredictor returns a predictor with fresh weights drawn from seed (see
// newParams); the same config and seed give the same weights.
func NewPredictor(cfg Config, seed int64) (*Predictor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	layers := unetLayers(cfg)
	return &Predictor{cfg: cfg, layers: layers, p: newParams(layers, seed)}, nil
}

// unetLayers lists the convolutions in the order they run. Level l (1 is
// full resolution) has Width·2^(l-1) channels.
//
//	enc1.conv1, enc1.conv2            3×3, K·C → w → w
//	encL.conv1, encL.conv2            3×3 stride 2, then 3×3 (L = 2 … Depth+1)
//	decL.up                           after nearest 2× upsampling, 3×3, 2w_L → w_L
//	decL.merge                        on [up, encL] (channels), 3×3, 2w_L → w_L
//	head                              1×1, w → C, linear, bias 0
//
// with the decoder running from L = Depth down to 1.
func unetLayers(c Config) []conv {
	w := func(level int) int { return c.Width << (level - 1) }
	c3 := func(name string, in, out, stride int) conv {
		return conv{name: name, in: in, out: out, k: 3, stride: stride, pad: 1, slope: Slope}
	}
	var ls []conv
	in := c.Context * c.Channels
	for l := 1; l <= c.Depth+1; l++ {
		stride := 2
		if l == 1 {
			stride = 1
		}
		name := fmt.Sprintf("enc%d", l)
		ls = append(ls, c3(name+".conv1", in, w(l), stride), c3(name+".conv2", w(l), w(l), 1))
		in = w(l)
	}
	for l := c.Depth; l >= 1; l-- {
		name := fmt.Sprintf("dec%d", l)
		up := c3(name+".up", w(l+1), w(l), 1)
		up.up = true
		ls = append(ls, up, c3(name+".merge", 2*w(l), w(l), 1))
	}
	return append(ls, conv{name: "head", in: c.Width, out: c.Channels, k: 1, stride: 1, slope: 1, zeroBias: true})
}

// Config returns the predictor's configuration.
func (p *Predictor) Config() Config { return p.cfg }

// Params returns the parameters in the order the layers run. The tensors
// are the live ones: reading them reads the current weights, and writing
// them changes the network.
func (p *Predictor) Params() []Param { return p.p.clone() }

// NumParams returns the number of scalar parameters.
func (p *Predictor) NumParams() int { return p.p.count() }

// SetParams copies values into the parameters, by name, as a checkpoint
// stores them (each tensor flattened in row-major order). Every parameter
// must be present with the right number of values and nothing else may be;
// on error nothing changes.
func (p *Predictor) SetParams(vals map[string][]float32) error {
	return p.p.set(vals, "predictor")
}

// Build adds the predictor to g, applied to x ((K·C)×N×H×W, float32,
// values in [0,1]), and returns the raw prediction (C×N×H×W): the output of
// the linear head, not clamped. Train the reconstruction losses on raw;
// give ops.Clamp01(raw) to the discriminator and the metrics.
//
// The parameter nodes are bound to the Predictor's own tensors, so graphs
// built in turn share the weights; building twice in one graph reuses one
// set of parameter nodes. ParamNodes returns them for G.Grad.
func (p *Predictor) Build(g *G.ExprGraph, x *G.Node) (*G.Node, error) {
	if err := p.checkInput(g, x); err != nil {
		return nil, err
	}
	ps, err := p.p.nodes(g, true)
	if err != nil {
		return nil, err
	}
	return p.forward(x, ps)
}

// ParamNodes returns g's parameter nodes, in Params order, after Build.
func (p *Predictor) ParamNodes(g *G.ExprGraph) ([]*G.Node, error) { return p.p.nodes(g, false) }

func (p *Predictor) checkInput(g *G.ExprGraph, x *G.Node) error {
	if x.Graph() != g {
		return fmt.Errorf("model: Predictor.Build: the input node belongs to another graph")
	}
	s := x.Shape()
	if s.Dims() != 4 {
		return fmt.Errorf("model: predictor input has shape %v, want 4-D (K·C)×N×H×W", s)
	}
	if kc := p.cfg.Context * p.cfg.Channels; s[0] != kc {
		return fmt.Errorf("model: predictor input has %d channels (shape %v), want K·C = %d·%d = %d", s[0], s, p.cfg.Context, p.cfg.Channels, kc)
	}
	if x.Dtype() != tensor.Float32 {
		return fmt.Errorf("model: predictor input is %v, want float32", x.Dtype())
	}
	return p.cfg.CheckSize(s[2], s[3])
}

// forward builds the network on x with the given parameter nodes (which
// may be float64 copies, for gradient checks).
func (p *Predictor) forward(x *G.Node, ps []*G.Node) (*G.Node, error) {
	d := p.cfg.Depth
	ls := p.layers
	skips := make([]*G.Node, d+1)
	h := x
	var err error
	for l := 0; l <= d; l++ {
		if h, err = ls[2*l].apply(h, ps); err != nil {
			return nil, err
		}
		if h, err = ls[2*l+1].apply(h, ps); err != nil {
			return nil, err
		}
		skips[l] = h
	}
	i := 2 * (d + 1)
	for l := d - 1; l >= 0; l-- {
		if h, err = ls[i].apply(h, ps); err != nil { // upsamples first
			return nil, err
		}
		if h, err = ops.Concat(h, skips[l]); err != nil {
			return nil, fmt.Errorf("model: %s: %w", ls[i+1].name, err)
		}
		if h, err = ls[i+1].apply(h, ps); err != nil {
			return nil, err
		}
		i += 2
	}
	raw, err := ls[i].apply(h, ps)
	if err != nil || !p.cfg.Residual {
		return raw, err
	}
	k, c := p.cfg.Context, p.cfg.Channels
	last, err := ops.Slice0(x, (k-1)*c, k*c)
	if err != nil {
		return nil, fmt.Errorf("model: residual: %w", err)
	}
	if raw, err = ops.Add(raw, last); err != nil {
		return nil, fmt.Errorf("model: residual: %w", err)
	}
	return raw, nil
}
