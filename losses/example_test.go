package losses_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/features"
	"framepred/losses"
)

// frames makes a 1×1×H×W float64 node (one gray frame, CNHW) from rows.
func frames(g *G.ExprGraph, name string, rows ...[]float64) *G.Node {
	var v []float64
	for _, r := range rows {
		v = append(v, r...)
	}
	t := tensor.New(tensor.WithShape(1, 1, len(rows), len(rows[0])), tensor.WithBacking(v))
	return G.NodeFromAny(g, t, G.WithName(name))
}

// eval runs the graph of a scalar node once and returns its value.
func eval(n *G.Node, err error) float64 {
	if err != nil {
		panic(err)
	}
	vm := G.NewTapeMachine(n.Graph())
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		panic(err)
	}
	return float64(*n.Value().(*G.F64))
}

// Two equally likely futures: a dot on the left or on the right. Against
// either, the average of the two costs less MSE than committing to one.
func ExampleMSE() {
	g := G.NewGraph()
	left := frames(g, "left", []float64{1, 0}, []float64{1, 0})
	right := frames(g, "right", []float64{0, 1}, []float64{0, 1})
	ghost := frames(g, "ghost", []float64{0.5, 0.5}, []float64{0.5, 0.5})

	ghostL, ghostR := eval(losses.MSE(ghost, left)), eval(losses.MSE(ghost, right))
	commitL, commitR := eval(losses.MSE(left, left)), eval(losses.MSE(left, right))
	fmt.Printf("expected MSE of the ghost:     %.2f\n", (ghostL+ghostR)/2)
	fmt.Printf("expected MSE of one future:    %.2f\n", (commitL+commitR)/2)
	// Output:
	// expected MSE of the ghost:     0.25
	// expected MSE of one future:    0.50
}

// Under L1 the ghost and a committed prediction cost the same on two
// equally likely futures: every value between them is a median.
func ExampleL1() {
	g := G.NewGraph()
	left := frames(g, "left", []float64{1, 0}, []float64{1, 0})
	right := frames(g, "right", []float64{0, 1}, []float64{0, 1})
	ghost := frames(g, "ghost", []float64{0.5, 0.5}, []float64{0.5, 0.5})

	fmt.Printf("expected L1 of the ghost:   %.2f\n", (eval(losses.L1(ghost, left))+eval(losses.L1(ghost, right)))/2)
	fmt.Printf("expected L1 of one future:  %.2f\n", (eval(losses.L1(left, left))+eval(losses.L1(left, right)))/2)
	// Output:
	// expected L1 of the ghost:   0.50
	// expected L1 of one future:  0.50
}

// GDL sees what MSE does not: a ramp has the right mean but the wrong
// gradients for a sharp step.
func ExampleGDL() {
	g := G.NewGraph()
	step := frames(g, "step", []float64{0, 0, 1, 1}, []float64{0, 0, 1, 1})
	ramp := frames(g, "ramp", []float64{0, 1. / 3, 2. / 3, 1}, []float64{0, 1. / 3, 2. / 3, 1})
	fmt.Printf("GDL of the ramp: %.4f\n", eval(losses.GDL(ramp, step)))
	fmt.Printf("GDL of the step: %.4f\n", eval(losses.GDL(step, step)))
	// Output:
	// GDL of the ramp: 0.4444
	// GDL of the step: 0.0000
}

// The perceptual loss with the built-in edge bank, which needs no weights
// file (PyTorch gives 0.03559 for the same bank). Its name goes into every
// report of the loss.
func ExamplePerceptual() {
	g := G.NewGraph()
	step := frames(g, "step", []float64{0, 0, 1, 1}, []float64{0, 0, 1, 1})
	ramp := frames(g, "ramp", []float64{0, 1. / 3, 2. / 3, 1}, []float64{0, 1. / 3, 2. / 3, 1})
	ext := features.Edges()
	fmt.Println(ext.Name())
	fmt.Printf("perceptual loss of the ramp: %.4f\n", eval(losses.Perceptual(ext, ramp, step)))
	// Output:
	// edges: fixed oriented-edge bank (0/45/90/135°), 2 scales
	// perceptual loss of the ramp: 0.0356
}

// The generator's adversarial loss when the discriminator scores its
// prediction 0 (sure it is fake) and 1 (sure it is real).
func ExampleAdversarialG() {
	g := G.NewGraph()
	fake := frames(g, "fake", []float64{0, 0}, []float64{0, 0})
	real := frames(g, "real", []float64{1, 1}, []float64{1, 1})
	for _, k := range []losses.GAN{losses.LSGAN, losses.NonSaturating} {
		fmt.Printf("%-18s scored fake %.4f, scored real %.4f\n", k.Label(), eval(losses.AdversarialG(k, fake)), eval(losses.AdversarialG(k, real)))
	}
	// Output:
	// LSGAN              scored fake 1.0000, scored real 0.0000
	// non-saturating BCE scored fake 0.6931, scored real 0.3133
}

// The discriminator's LSGAN loss is 0 when it scores real frames 1 and
// fakes and mismatched pairs 0.
func ExampleAdversarialD() {
	g := G.NewGraph()
	ones := frames(g, "ones", []float64{1, 1}, []float64{1, 1})
	zeros := frames(g, "zeros", []float64{0, 0}, []float64{0, 0})
	halves := frames(g, "halves", []float64{0.5, 0.5}, []float64{0.5, 0.5})
	fmt.Printf("perfect:  %.4f\n", eval(losses.AdversarialD(losses.LSGAN, ones, zeros, zeros, 1)))
	fmt.Printf("unsure:   %.4f\n", eval(losses.AdversarialD(losses.LSGAN, halves, halves, halves, 1)))
	// Output:
	// perfect:  0.0000
	// unsure:   0.3750
}

func ExampleParseWeights() {
	w, err := losses.ParseWeights("mse=1, gdl=1, perceptual=0.01, adv=5e-2")
	if err != nil {
		panic(err)
	}
	fmt.Println(w)
	fmt.Println(w.Label())
	_, err = losses.ParseWeights("mse=1,ssim=0.1")
	fmt.Println(err)
	// Output:
	// mse=1,gdl=1,perceptual=0.01,adv=0.05
	// MSE + GDL + perceptual + adversarial
	// losses: "mse=1,ssim=0.1": unknown loss "ssim" (known: mse, l1, gdl, perceptual, adv)
}

// Build returns the total to differentiate and every term's own node, for
// reports.
func ExampleWeights_Build() {
	g := G.NewGraph()
	pred := frames(g, "pred", []float64{0, 1. / 3, 2. / 3, 1}, []float64{0, 1. / 3, 2. / 3, 1})
	truth := frames(g, "truth", []float64{0, 0, 1, 1}, []float64{0, 0, 1, 1})
	w, _ := losses.ParseWeights("mse=1,gdl=0.5")
	total, parts, err := w.Build(losses.Inputs{Pred: pred, Truth: truth})
	fmt.Printf("%s: %.4f\n", w.Label(), eval(total, err))
	for _, p := range parts {
		fmt.Printf("%s: weight %v, value %.4f\n", p.Name, p.Weight, float64(*p.Node.Value().(*G.F64)))
	}
	// Output:
	// MSE + GDL: 0.2778
	// mse: weight 1, value 0.0556
	// gdl: weight 0.5, value 0.4444
}
