package model

import (
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/ops"
	"framepred/synth"
)

// TestDeterministic runs the same adversarial training steps (a small
// U-Net and discriminator from fixed seeds, the generator's MSE + 0.05·LSGAN
// objective, the discriminator's real, fake and mismatched terms, Adam)
// with the kernels on 1, 2 and 3 goroutines, twice each, and wants every
// weight of both networks bitwise the same in all six runs: a run resumed on
// a machine with another core count must follow the same path.
func TestDeterministic(t *testing.T) {
	defer ops.SetWorkers(ops.SetWorkers(0))
	var first map[string][]float32
	for _, workers := range []int{1, 2, 3} {
		for rep := range 2 {
			ops.SetWorkers(workers)
			got := adversarialRun(t, 3)
			name := fmt.Sprintf("workers=%d run %d", workers, rep+1)
			t.Logf("%s: weights hash %016x", name, hashParams(got))
			if first == nil {
				first = got
				continue
			}
			var differ []string
			for k, v := range first {
				if !sameBits(v, got[k]) {
					differ = append(differ, k)
				}
			}
			if len(differ) > 0 {
				t.Errorf("%s: %d of %d tensors differ from workers=1 run 1: %v", name, len(differ), len(first), differ)
			}
		}
	}
}

// adversarialRun trains a fresh predictor (width 8, depth 2) and
// discriminator (widths 8–16) on one batch of 8 two-futures clips for the
// given number of steps, each a discriminator step and then a generator
// step, and returns copies of all their weights by name ("G." and "D."
// prefixes).
func adversarialRun(t *testing.T, steps int) map[string][]float32 {
	t.Helper()
	gen, err := synth.New(synth.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	x, y, err := Batch(gen.Batch(0, 8))
	if err != nil {
		t.Fatal(err)
	}
	p := mustPredictor(t, tinyConfig(4, 1, 8, 2, false), 1)
	dc := DefaultDiscriminatorConfig()
	dc.Width, dc.MaxWidth = 8, 16
	d := mustDiscriminator(t, dc, 2)

	gg := G.NewGraph()
	xg, yg := input(gg, "x", x.Clone().(*tensor.Dense)), input(gg, "y", y.Clone().(*tensor.Dense))
	raw := must(p.Build(gg, xg))
	fake := must(ops.Clamp01(raw))
	adv := must(ops.MeanSquaredTo(must(d.Build(gg, xg, fake)), 1))
	lossG := must(G.Add(must(ops.MeanSquaredDiff(raw, yg)), must(G.Mul(adv, G.NewConstant(float32(0.05))))))
	gNodes := must(p.ParamNodes(gg))
	vmG := G.NewTapeMachine(ops.Needed(lossG, must(G.Grad(lossG, gNodes...))...), G.BindDualValues(gNodes...))
	defer vmG.Close()

	dg := G.NewGraph()
	xd, fakeD := input(dg, "x", x.Clone().(*tensor.Dense)), input(dg, "fake", y.Clone().(*tensor.Dense))
	real, mis := input(dg, "real", y.Clone().(*tensor.Dense)), input(dg, "mismatched", must(Roll(y, 1)))
	lossD := must(G.Add(must(G.Add(
		must(ops.MeanSquaredTo(must(d.Build(dg, xd, real)), 1)),
		must(ops.MeanSquaredTo(must(d.Build(dg, xd, fakeD)), 0)))),
		must(ops.MeanSquaredTo(must(d.Build(dg, xd, mis)), 0))))
	dNodes := must(d.ParamNodes(dg))
	vmD := G.NewTapeMachine(ops.Needed(lossD, must(G.Grad(lossD, dNodes...))...), G.BindDualValues(dNodes...))
	defer vmD.Close()

	adamG, adamD := newAdam(2e-4), newAdam(1e-3)
	for range steps {
		run(t, vmG)
		adamG.step(t, gNodes)
		copy(fakeD.Value().(*tensor.Dense).Float32s(), fake.Value().(*tensor.Dense).Float32s())
		run(t, vmD)
		adamD.step(t, dNodes)
	}
	out := map[string][]float32{}
	for _, q := range p.Params() {
		out["G."+q.Name] = append([]float32(nil), q.Value.Float32s()...)
	}
	for _, q := range d.Params() {
		out["D."+q.Name] = append([]float32(nil), q.Value.Float32s()...)
	}
	return out
}

func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// hashParams is an FNV-1a hash of all weights, for the log.
func hashParams(ps map[string][]float32) uint64 {
	h := fnv.New64a()
	for _, k := range slices.Sorted(maps.Keys(ps)) {
		h.Write([]byte(k))
		for _, v := range ps[k] {
			b := math.Float32bits(v)
			h.Write([]byte{byte(b), byte(b >> 8), byte(b >> 16), byte(b >> 24)})
		}
	}
	return h.Sum64()
}
