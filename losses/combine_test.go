package losses

import (
	"reflect"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/features"
)

func TestParseWeights(t *testing.T) {
	for _, c := range []struct {
		in, want, label string
	}{
		{"mse=1,gdl=1,perceptual=0.01,adv=0.05", "mse=1,gdl=1,perceptual=0.01,adv=0.05", "MSE + GDL + perceptual + adversarial"},
		{Reference, "mse=1,adv=0.05", "MSE + adversarial"},
		{" MSE = 1 , L1=0.5 ", "mse=1,l1=0.5", "MSE + L1"},
		{"adv=5e-2,mse=1", "adv=0.05,mse=1", "adversarial + MSE"},
		{"mse=1,perceptual=0", "mse=1,perceptual=0", "MSE"},
		{"l1=.1", "l1=0.1", "L1"},
		{"gdl=1e300", "gdl=1e+300", "GDL"},
		{"mse=0.30000000000000004", "mse=0.30000000000000004", "MSE"},
	} {
		w, err := ParseWeights(c.in)
		if err != nil {
			t.Errorf("ParseWeights(%q): %v", c.in, err)
			continue
		}
		if w.String() != c.want || w.Label() != c.label {
			t.Errorf("ParseWeights(%q): String %q, Label %q; want %q, %q", c.in, w.String(), w.Label(), c.want, c.label)
		}
		again, err := ParseWeights(w.String())
		if err != nil || !reflect.DeepEqual(again, w) {
			t.Errorf("%q does not round-trip: %v, %v", w.String(), again, err)
		}
	}
	w, _ := ParseWeights("mse=1,adv=0.05")
	if w.Weight(TermAdv) != 0.05 || w.Weight(TermGDL) != 0 {
		t.Errorf("Weight: adv %v, gdl %v", w.Weight(TermAdv), w.Weight(TermGDL))
	}
}

func TestParseWeightsErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "no loss terms"},
		{"   ", "no loss terms"},
		{"mse", `entry "mse" is not name=weight`},
		{"mse=", `entry "mse=" is not name=weight`},
		{"=1", `entry "=1" is not name=weight`},
		{"mse=1,", "empty entry"},
		{"mse=1,,adv=1", "empty entry"},
		{"mse=1,ssim=1", `unknown loss "ssim" (known: mse, l1, gdl, perceptual, adv)`},
		{"mse=1,adversarial=0.05", `unknown loss "adversarial"`},
		{"mse=1,MSE=2", "mse is given twice"},
		{"mse=one", `weight "one" of mse is not a number`},
		{"mse=1,adv=-0.05", "weight -0.05 of adv must be a finite number ≥ 0"},
		{"mse=NaN", "weight NaN of mse must be"},
		{"mse=inf", "weight inf of mse must be"},
		{"mse=1e400", "weight 1e400 of mse must be a finite number"},
		{"mse=0,adv=0", "every weight is 0"},
	} {
		_, err := ParseWeights(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseWeights(%q): error %v, want one saying %q", c.in, err, c.want)
		}
	}
}

// TestBuildParts checks that Build reports each term's unweighted node, its
// weight and what it used, and that each part's value is PyTorch's
// (torchref.py "combined/parts", tol 1e-12).
func TestBuildParts(t *testing.T) {
	g := G.NewGraph()
	pred := G.NodeFromAny(g, cnhw(3, 0.5, 0.5, 1, 2, 8, 8), G.WithName("pred"))
	truth := G.NodeFromAny(g, cnhw(4, 0.5, 0.5, 1, 2, 8, 8), G.WithName("truth"))
	fake := G.NodeFromAny(g, cnhw(11, 2, 0, 1, 2, 4, 4), G.WithName("dfake"))
	w, err := ParseWeights("mse=1,l1=0,gdl=1,perceptual=0.01,adv=0.05")
	if err != nil {
		t.Fatal(err)
	}
	ext := features.Edges()
	total, parts, err := w.Build(Inputs{Pred: pred, Truth: truth, Extractor: ext, DFake: fake})
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name   string
		weight float64
		detail string
	}{{"mse", 1, ""}, {"gdl", 1, "α=1"}, {"perceptual", 0.01, ext.Name()}, {"adv", 0.05, "LSGAN"}}
	if len(parts) != len(want) {
		t.Fatalf("%d parts, want %d (l1 has weight 0)", len(parts), len(want))
	}
	var values []float64
	sum := 0.0
	for i, p := range parts {
		if p.Name != want[i].name || p.Weight != want[i].weight || p.Detail != want[i].detail {
			t.Errorf("part %d is %s=%v (%q), want %s=%v (%q)", i, p.Name, p.Weight, p.Detail, want[i].name, want[i].weight, want[i].detail)
		}
		v := scalar(t, p.Node.Value())
		values = append(values, v)
		sum += p.Weight * v
	}
	againstTorch(t, "combined/parts", values, 1e-12)
	againstTorch(t, "combined/value", []float64{scalar(t, total.Value())}, 1e-12)
	if d := sum - scalar(t, total.Value()); d > 1e-15 || d < -1e-15 {
		t.Errorf("total %v is not Σ weight·part = %v", scalar(t, total.Value()), sum)
	}
}

func TestBuildErrors(t *testing.T) {
	g := G.NewGraph()
	x := func(name string, shape ...int) *G.Node {
		return G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName(name))
	}
	pred, truth := x("pred", 1, 2, 8, 8), x("truth", 1, 2, 8, 8)
	for _, c := range []struct {
		weights Weights
		in      Inputs
		want    string
	}{
		{Weights{{TermPerceptual, 1}}, Inputs{Pred: pred, Truth: truth}, "no feature extractor"},
		{Weights{{TermAdv, 0.05}}, Inputs{Pred: pred, Truth: truth}, "Inputs.DFake"},
		{Weights{{TermMSE, 1}}, Inputs{Pred: pred}, "the truth"},
		{Weights{{TermMSE, 1}}, Inputs{Pred: pred, Truth: x("small", 1, 2, 4, 4)}, "differ"},
		{Weights{{TermMSE, 1}, {TermMSE, 2}}, Inputs{Pred: pred, Truth: truth}, "mse is given twice"},
		{Weights{{"ssim", 1}}, Inputs{Pred: pred, Truth: truth}, `unknown loss "ssim"`},
		{Weights{{TermMSE, -1}}, Inputs{Pred: pred, Truth: truth}, "must be a finite number"},
		{Weights{{TermMSE, 0}}, Inputs{Pred: pred, Truth: truth}, "no term with a positive weight"},
		{Weights{{TermPerceptual, 1}}, Inputs{Pred: pred, Truth: truth, Extractor: features.Edges(), LayerWeights: []float64{1}}, "1 layer weights for the 2 layers"},
		{Weights{{TermGDL, 1}}, Inputs{Pred: pred, Truth: truth, GDLAlpha: 0.5}, "alpha 0.5"},
		{Weights{{TermAdv, 1}}, Inputs{Pred: pred, Truth: truth, DFake: pred, GAN: GAN(7)}, "unknown adversarial loss"},
	} {
		_, _, err := c.weights.Build(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one saying %q", c.weights, err, c.want)
		}
	}
}

func TestLossErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 2, 8, 8), G.WithName("x"))
	y := G.NewTensor(g, tensor.Float64, 4, G.WithShape(1, 2, 8, 8), G.WithName("y"))
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"Perceptual nil", second(Perceptual(nil, x, y)), "no feature extractor"},
		{"Perceptual negative", second(Perceptual(features.Edges(), x, y, 1, -1)), "weight -1 of layer edges2"},
		{"Perceptual zero", second(Perceptual(features.Edges(), x, y, 0, 0)), "every layer weight is 0"},
		{"AdversarialD weight", second(AdversarialD(LSGAN, x, y, nil, -1)), "mismatch weight -1"},
		{"AdversarialD nil", second(AdversarialD(LSGAN, nil, y, nil, 0)), "no real scores"},
		{"GDL alpha", second(GDLAlpha(x, y, 0.9)), "alpha 0.9"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, c.err, c.want)
		}
	}
	for _, s := range []string{"lsgan", "bce", "NS", "non-saturating"} {
		k, err := ParseGAN(s)
		if err != nil {
			t.Errorf("ParseGAN(%q): %v", s, err)
		}
		if back, _ := ParseGAN(k.String()); back != k {
			t.Errorf("%v does not round-trip", k)
		}
	}
	if _, err := ParseGAN("wgan"); err == nil || !strings.Contains(err.Error(), "known: lsgan, bce") {
		t.Errorf("ParseGAN(wgan): %v", err)
	}
}

func second(_ *G.Node, err error) error { return err }
