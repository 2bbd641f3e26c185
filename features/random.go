package features

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"

	"framepred/ops"
)

// DefaultSeed seeds the random extractor New("random", "") returns.
const DefaultSeed = 1234

var randomLayers = []string{"relu1", "relu2"}

// RandomConv is a frozen two-layer convolutional network with random
// weights: a 3×3 convolution to 16 channels and a ReLU (layer "relu1"), then
// a stride-2 3×3 convolution to 32 channels and a ReLU (layer "relu2"), zero
// padding 1, no biases. Weights are drawn from normal distributions with
// He's variance 2/fan-in, by math/rand/v2's PCG seeded with the seed, so the
// same seed gives the same network on every machine. The first layer's
// filters are drawn per input channel count (1 or 3) on first use.
type RandomConv struct {
	seed uint64
	w    *frozen
}

// Random returns the random extractor for a seed.
func Random(seed uint64) *RandomConv { return &RandomConv{seed: seed, w: newFrozen("random")} }

// Name implements Extractor.
func (r *RandomConv) Name() string {
	return fmt.Sprintf("random: seeded random conv+ReLU stack (16, 32 channels), seed %d", r.seed)
}

// Layers implements Extractor: "relu1" (full size), "relu2" (half size).
func (r *RandomConv) Layers() []string { return append([]string(nil), randomLayers...) }

// Build implements Extractor.
func (r *RandomConv) Build(g *G.ExprGraph, x *G.Node) ([]*G.Node, error) {
	if err := checkInput("random", g, x); err != nil {
		return nil, err
	}
	c := x.Shape()[0]
	w1, w2 := fmt.Sprintf("w1.%d", c), fmt.Sprintf("w2.%d", c)
	r.w.ensure(w1, func(put func(string, []int, []float32)) {
		a, b := RandomWeights(r.seed, c)
		put(w1, []int{16, c, 3, 3}, a)
		put(w2, []int{32, 16, 3, 3}, b)
		put("zero16", []int{16}, make([]float32, 16))
		put("zero32", []int{32}, make([]float32, 32))
	})
	dt := x.Dtype()
	h, err := ops.Conv2d(x, r.w.node(g, dt, w1), 1, 1)
	if err == nil {
		h, err = ops.BiasAct(h, r.w.node(g, dt, "zero16"), 0)
	}
	if err != nil {
		return nil, fmt.Errorf("features: random: %w", err)
	}
	h2, err := ops.Conv2d(h, r.w.node(g, dt, w2), 2, 1)
	if err == nil {
		h2, err = ops.BiasAct(h2, r.w.node(g, dt, "zero32"), 0)
	}
	if err != nil {
		return nil, fmt.Errorf("features: random: %w", err)
	}
	return []*G.Node{h, h2}, nil
}

// RandomWeights returns the random extractor's filters for a seed and an
// input channel count c: 16×c×3×3 with standard deviation √(2/(9c)), then
// 32×16×3×3 with √(2/144), both in PyTorch's Out×In×KH×KW order, drawn in
// that order by rand.New(rand.NewPCG(seed, c)).NormFloat64.
func RandomWeights(seed uint64, c int) (w1, w2 []float32) {
	rng := rand.New(rand.NewPCG(seed, uint64(c)))
	draw := func(n int, std float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64() * std)
		}
		return v
	}
	w1 = draw(16*c*9, math.Sqrt(2/(9*float64(c))))
	w2 = draw(32*16*9, math.Sqrt(2.0/144))
	return w1, w2
}
