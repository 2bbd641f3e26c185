package losses

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"framepred/features"
	"framepred/ops"
)

// Perceptual returns Σ_l w_l · mean((φ_l(pred) − φ_l(truth))²), the MSE
// between the feature maps φ_l of a frozen extractor on the prediction and
// on the truth, summed over the extractor's layers (ext.Layers()). With no
// layerWeights every layer has weight 1; otherwise give one finite weight ≥ 0
// per layer, in the order of ext.Layers().
//
// pred and truth are C×N×H×W batches of the same shape. Gradients reach pred
// through the extractor; truth's features are computed but need no gradient
// (compile with ops.Needed, which leaves out what G.Grad builds for them).
// Reports of this loss should name the extractor: ext.Name().
//
// Blur: matching features rather than pixels keeps edges and textures alike,
// but the expected feature distance is still minimised by a compromise
// between futures. In the reference experiment a fixed edge bank or random
// convolutional features did not stop MSE's averaging (see package
// features); a perceptual term is a regulariser, the adversarial term is
// what makes a predictor commit.
func Perceptual(ext features.Extractor, pred, truth *G.Node, layerWeights ...float64) (*G.Node, error) {
	if ext == nil {
		return nil, fmt.Errorf("losses: Perceptual: no feature extractor")
	}
	if !pred.Shape().Eq(truth.Shape()) {
		return nil, fmt.Errorf("losses: Perceptual: prediction %v and truth %v differ in shape", pred.Shape(), truth.Shape())
	}
	layers := ext.Layers()
	if len(layerWeights) != 0 && len(layerWeights) != len(layers) {
		return nil, fmt.Errorf("losses: Perceptual: %d layer weights for the %d layers %v of %s", len(layerWeights), len(layers), layers, ext.Name())
	}
	for i, w := range layerWeights {
		if !(w >= 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("losses: Perceptual: weight %v of layer %s must be a finite number ≥ 0", w, layers[i])
		}
	}
	g := pred.Graph()
	fp, err := ext.Build(g, pred)
	if err != nil {
		return nil, fmt.Errorf("losses: Perceptual: %w", err)
	}
	ft, err := ext.Build(g, truth)
	if err != nil {
		return nil, fmt.Errorf("losses: Perceptual: %w", err)
	}
	if len(fp) != len(layers) || len(ft) != len(layers) {
		return nil, fmt.Errorf("losses: Perceptual: %s built %d and %d feature maps for %d layers", ext.Name(), len(fp), len(ft), len(layers))
	}
	var total *G.Node
	for i := range fp {
		w := 1.0
		if len(layerWeights) != 0 {
			w = layerWeights[i]
		}
		if w == 0 {
			continue
		}
		l, err := ops.MeanSquaredDiff(fp[i], ft[i])
		if err != nil {
			return nil, fmt.Errorf("losses: Perceptual: layer %s: %w", layers[i], err)
		}
		if total, err = addScaled(total, l, w); err != nil {
			return nil, fmt.Errorf("losses: Perceptual: %w", err)
		}
	}
	if total == nil {
		return nil, fmt.Errorf("losses: Perceptual: every layer weight is 0")
	}
	return total, nil
}

// addScaled returns acc + w·x for scalar nodes (x·w alone when acc is nil),
// with w a constant of x's dtype; w = 1 adds no multiplication.
func addScaled(acc, x *G.Node, w float64) (*G.Node, error) {
	var err error
	if w != 1 {
		var c *G.Node
		name := fmt.Sprintf("losses.weight(%v,%v)", w, x.Dtype())
		switch x.Dtype() {
		case G.Float32:
			c = G.NewConstant(float32(w), G.WithName(name))
		case G.Float64:
			c = G.NewConstant(w, G.WithName(name))
		default:
			return nil, fmt.Errorf("a loss of dtype %v, want float32 or float64", x.Dtype())
		}
		if x, err = G.Mul(x, c); err != nil {
			return nil, err
		}
	}
	if acc == nil {
		return x, nil
	}
	return G.Add(acc, x)
}
