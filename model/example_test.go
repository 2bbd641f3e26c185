package model_test

import (
	"fmt"
	"log"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/model"
	"framepred/ops"
	"framepred/optim"
	"framepred/synth"
)

func check[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

func value(g *G.ExprGraph, name string, t *tensor.Dense) *G.Node {
	return G.NewTensor(g, tensor.Float32, 4, G.WithShape(t.Shape()...), G.WithName(name), G.WithValue(t))
}

// One adversarial training step: the generator's graph (MSE on the raw
// prediction, least-squares adversarial term on the clamped one) and the
// discriminator's graph (real, fake and mismatched pairs) share the
// discriminator's weights; each is differentiated with respect to its own
// network only.
func Example_adversarialStep() {
	gen := check(synth.New(synth.DefaultConfig()))
	x, y, err := model.Batch(gen.Batch(0, 8))
	if err != nil {
		log.Fatal(err)
	}
	p := check(model.NewPredictor(model.DefaultConfig(), 1))
	defer p.Close()
	d := check(model.NewDiscriminator(model.DefaultDiscriminatorConfig(), 2))

	// The generator's graph.
	gg := G.NewGraph()
	xg, yg := value(gg, "x", x), value(gg, "y", y)
	raw := check(p.Build(gg, xg))
	fake := check(ops.Clamp01(raw))
	adv := check(ops.MeanSquaredTo(check(d.Build(gg, xg, fake)), 1))
	lossG := check(G.Add(check(ops.MeanSquaredDiff(raw, yg)), check(G.Mul(adv, G.NewConstant(float32(0.05))))))
	gNodes := check(p.ParamNodes(gg))
	vmG := G.NewTapeMachine(ops.Needed(lossG, check(G.Grad(lossG, gNodes...))...), G.BindDualValues(gNodes...))
	defer vmG.Close()

	// The discriminator's graph; "fake" is filled from the generator's.
	dg := G.NewGraph()
	xd, fakeD := value(dg, "x", x), value(dg, "fake", y.Clone().(*tensor.Dense))
	real, mis := value(dg, "real", y), value(dg, "mismatched", check(model.Roll(y, 1)))
	sReal := check(d.Build(dg, xd, real))
	lossD := check(G.Add(check(G.Add(
		check(ops.MeanSquaredTo(sReal, 1)),
		check(ops.MeanSquaredTo(check(d.Build(dg, xd, fakeD)), 0)))),
		check(ops.MeanSquaredTo(check(d.Build(dg, xd, mis)), 0))))
	dNodes := check(d.ParamNodes(dg))
	vmD := G.NewTapeMachine(ops.Needed(lossD, check(G.Grad(lossD, dNodes...))...), G.BindDualValues(dNodes...))
	defer vmD.Close()

	adamG, adamD := optim.NewAdam(2e-4), optim.NewAdam(1e-3)
	vmG.Reset()
	if err := vmG.RunAll(); err != nil {
		log.Fatal(err)
	}
	if err := adamG.Step(check(optim.FromNodes(gNodes))); err != nil {
		log.Fatal(err)
	}
	copy(fakeD.Value().(*tensor.Dense).Float32s(), fake.Value().(*tensor.Dense).Float32s())
	vmD.Reset()
	if err := vmD.RunAll(); err != nil {
		log.Fatal(err)
	}
	if err := adamD.Step(check(optim.FromNodes(dNodes))); err != nil {
		log.Fatal(err)
	}
	fmt.Println("context", x.Shape(), "prediction", raw.Shape(), "scores", sReal.Shape())
	fmt.Println("parameters", p.NumParams(), d.NumParams())
	// Output:
	// context (4, 8, 32, 32) prediction (1, 8, 32, 32) scores (1, 8, 4, 4)
	// parameters 118417 101601
}
