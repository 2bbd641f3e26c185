package checkpoint

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"gorgonia.org/tensor"

	"framepred/model"
	"framepred/optim"
)

// smallConfigs are a tiny predictor and discriminator, so checkpoints are a
// few kilobytes.
func smallConfigs() (model.Config, model.DiscriminatorConfig) {
	g := model.DefaultConfig()
	g.Context, g.Width, g.Depth = 2, 2, 1
	d := model.DefaultDiscriminatorConfig()
	d.Context, d.Downs, d.Width, d.MaxWidth = 2, 1, 2, 2
	return g, d
}

// stepAdam takes n Adam steps on the parameters with seeded random
// gradients, so the weights move and the moments are not zero.
func stepAdam(t testing.TB, a *optim.Adam, ps []model.Param, r *rand.Rand, n int) {
	t.Helper()
	ops := make([]optim.Param, len(ps))
	for i, p := range ps {
		ops[i] = optim.Param{Value: p.Value, Grad: tensor.New(tensor.WithShape(p.Value.Shape()...), tensor.Of(tensor.Float32))}
	}
	for range n {
		for _, p := range ops {
			for j := range p.Grad.Float32s() {
				p.Grad.Float32s()[j] = float32(r.NormFloat64())
			}
		}
		if err := a.Step(ops); err != nil {
			t.Fatal(err)
		}
	}
}

// sample returns a checkpoint with every field set: both networks, both
// optimisers after a few steps, and distinct metadata.
func sample(t testing.TB) *Checkpoint {
	t.Helper()
	gc, dc := smallConfigs()
	p, err := model.NewPredictor(gc, 11)
	if err != nil {
		t.Fatal(err)
	}
	d, err := model.NewDiscriminator(dc, 12)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	ag := &optim.Adam{LR: 2e-4, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8}
	ad := &optim.Adam{LR: 1e-3, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-5}
	stepAdam(t, ag, p.Params(), r, 3)
	stepAdam(t, ad, d.Params(), r, 2)
	return &Checkpoint{
		Step: 412, Predictor: p, Discriminator: d, AdamG: ag, AdamD: ad,
		Losses: "mse=1,adv=0.05", LossLabel: "MSE + adversarial",
		Extractor: "edges", ExtractorName: "edges: fixed bank",
		Train:   json.RawMessage(`{"seed":7,"batch":4}`),
		RNG:     []byte{0, 1, 2, 255, 254},
		Data:    json.RawMessage(`{"epoch":0,"index":1648}`),
		BestVal: 0.0123456789, Val: math.NaN(),
		Elapsed: 83*time.Second + 250*time.Millisecond,
	}
}

// equalParams reports whether two parameter lists hold the same names and
// bit-identical values.
func equalParams(a, b []model.Param) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || !a[i].Value.Shape().Eq(b[i].Value.Shape()) {
			return false
		}
		x, y := a[i].Value.Float32s(), b[i].Value.Float32s()
		for j := range x {
			if math.Float32bits(x[j]) != math.Float32bits(y[j]) {
				return false
			}
		}
	}
	return true
}

func equalState(a, b optim.AdamState) bool {
	if a.Step != b.Step || len(a.M) != len(b.M) {
		return false
	}
	for i := range a.M {
		for j := range a.M[i] {
			if math.Float32bits(a.M[i][j]) != math.Float32bits(b.M[i][j]) || math.Float32bits(a.V[i][j]) != math.Float32bits(b.V[i][j]) {
				return false
			}
		}
	}
	return true
}

func newRand() *rand.Rand { return rand.New(rand.NewPCG(3, 4)) }

func zeroState() optim.AdamState { return optim.AdamState{} }

// adamView is an optimiser with its settings, for comparisons.
type adamView struct {
	a        *optim.Adam
	settings [5]float64
}

func view(a *optim.Adam) *adamView {
	if a == nil {
		return nil
	}
	return &adamView{a, [5]float64{a.LR, a.Beta1, a.Beta2, a.Eps, a.WeightDecay}}
}
