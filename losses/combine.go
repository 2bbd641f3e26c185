package losses

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	G "gorgonia.org/gorgonia"

	"framepred/features"
)

// The names of the terms a Weights list combines.
const (
	TermMSE        = "mse"        // MSE(pred, truth)
	TermL1         = "l1"         // L1(pred, truth)
	TermGDL        = "gdl"        // GDLAlpha(pred, truth, Inputs.GDLAlpha)
	TermPerceptual = "perceptual" // Perceptual(Inputs.Extractor, pred, truth, Inputs.LayerWeights...)
	TermAdv        = "adv"        // AdversarialG(Inputs.GAN, Inputs.DFake)
)

// terms lists every term in a fixed order, with its label for reels.
var terms = []struct{ name, label string }{
	{TermMSE, "MSE"},
	{TermL1, "L1"},
	{TermGDL, "GDL"},
	{TermPerceptual, "perceptual"},
	{TermAdv, "adversarial"},
}

func termLabel(name string) (string, bool) {
	for _, t := range terms {
		if t.name == name {
			return t.label, true
		}
	}
	return "", false
}

func termNames() string {
	n := make([]string, len(terms))
	for i, t := range terms {
		n[i] = t.name
	}
	return strings.Join(n, ", ")
}

// Reference is the reference recipe's generator objective: per-pixel mean
// MSE plus the adversarial term at 0.05 (LSGAN). Weights of 0.2 and more
// collapsed its predictions to blank frames, 0.01 and less left them
// ghostly.
const Reference = "mse=1,adv=0.05"

// Term is one named loss and its weight.
type Term struct {
	Name   string // TermMSE, TermL1, TermGDL, TermPerceptual or TermAdv
	Weight float64
}

// Weights is a weighted combination of the generator's losses,
// Σ weight·term, in the order given. Every term is a mean (per pixel, per
// feature or per discriminator score), so weights compare directly: adv=0.05
// weighs the adversarial term at 5% of a per-pixel mean MSE, as in the
// reference recipe. A weight of 0 keeps a term in String but out of Build
// and Label.
type Weights []Term

// ParseWeights reads a combination written as name=weight pairs separated
// by commas, e.g. "mse=1,gdl=1,perceptual=0.01,adv=0.05". Names are mse, l1,
// gdl, perceptual and adv (case does not matter; spaces around names and
// weights are allowed); each appears at most once; weights are finite
// numbers ≥ 0, at least one of them positive.
func ParseWeights(s string) (Weights, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("losses: no loss terms given; want name=weight pairs such as %q", Reference)
	}
	var w Weights
	seen := map[string]bool{}
	positive := false
	for _, item := range strings.Split(s, ",") {
		name, num, ok := strings.Cut(item, "=")
		name, num = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(num)
		if strings.TrimSpace(item) == "" {
			return nil, fmt.Errorf("losses: %q: empty entry (a stray comma?)", s)
		}
		if !ok || name == "" || num == "" {
			return nil, fmt.Errorf("losses: %q: entry %q is not name=weight", s, strings.TrimSpace(item))
		}
		if _, known := termLabel(name); !known {
			return nil, fmt.Errorf("losses: %q: unknown loss %q (known: %s)", s, name, termNames())
		}
		if seen[name] {
			return nil, fmt.Errorf("losses: %q: %s is given twice", s, name)
		}
		seen[name] = true
		v, err := strconv.ParseFloat(num, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Errorf("losses: %q: weight %q of %s is not a number", s, num, name)
		}
		if err != nil || !(v >= 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("losses: %q: weight %s of %s must be a finite number ≥ 0", s, num, name)
		}
		positive = positive || v > 0
		w = append(w, Term{Name: name, Weight: v})
	}
	if !positive {
		return nil, fmt.Errorf("losses: %q: every weight is 0; at least one term needs a positive weight", s)
	}
	return w, nil
}

// String writes the combination as ParseWeights reads it, shortest exact
// form of each weight: ParseWeights(w.String()) gives w back.
func (w Weights) String() string {
	parts := make([]string, len(w))
	for i, t := range w {
		parts[i] = t.Name + "=" + strconv.FormatFloat(t.Weight, 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}

// Label names the terms with a positive weight for a reel or a plot, in
// order, e.g. "MSE + perceptual + adversarial".
func (w Weights) Label() string {
	var parts []string
	for _, t := range w {
		if t.Weight > 0 {
			l, ok := termLabel(t.Name)
			if !ok {
				l = t.Name
			}
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " + ")
}

// Weight returns a term's weight, 0 when it is not in the list.
func (w Weights) Weight(name string) float64 {
	for _, t := range w {
		if t.Name == name {
			return t.Weight
		}
	}
	return 0
}

// Inputs are the nodes and settings the terms of a combination need. Only
// those of the terms used must be set.
type Inputs struct {
	Pred, Truth *G.Node // predicted and true frames, C×N×H×W, same shape

	// GDLAlpha is GDL's exponent; 0 means 1.
	GDLAlpha float64

	// Extractor and LayerWeights are the perceptual term's (see
	// Perceptual); an extractor is required when the term is used.
	Extractor    features.Extractor
	LayerWeights []float64

	// GAN selects the adversarial loss (LSGAN unless set), and DFake holds
	// the discriminator's scores on the prediction, through which the term's
	// gradient reaches the generator.
	GAN   GAN
	DFake *G.Node
}

// Part is one term of a built combination: its unweighted loss node, so a
// trainer can report each term, and its weight in the total.
type Part struct {
	Term
	Node   *G.Node
	Detail string // what the term used, for reports: the extractor's Name, "LSGAN", "α=1"
}

// Build adds every term with a positive weight to the graph of in.Pred and
// returns the total Σ weight·term, a scalar node to differentiate, with the
// terms in order. It builds the generator's objective only; the
// discriminator's is AdversarialD.
func (w Weights) Build(in Inputs) (*G.Node, []Part, error) {
	if in.Pred == nil || in.Truth == nil {
		return nil, nil, fmt.Errorf("losses: Build: the prediction and the truth are both needed")
	}
	var total *G.Node
	var parts []Part
	seen := map[string]bool{}
	for _, t := range w {
		if seen[t.Name] {
			return nil, nil, fmt.Errorf("losses: Build: %s is given twice in %q", t.Name, w.String())
		}
		seen[t.Name] = true
		if t.Weight == 0 {
			continue
		}
		if !(t.Weight > 0) || math.IsInf(t.Weight, 0) {
			return nil, nil, fmt.Errorf("losses: Build: weight %v of %s must be a finite number ≥ 0", t.Weight, t.Name)
		}
		p := Part{Term: t}
		var err error
		switch t.Name {
		case TermMSE:
			p.Node, err = MSE(in.Pred, in.Truth)
		case TermL1:
			p.Node, err = L1(in.Pred, in.Truth)
		case TermGDL:
			alpha := in.GDLAlpha
			if alpha == 0 {
				alpha = 1
			}
			p.Detail = "α=" + strconv.FormatFloat(alpha, 'g', -1, 64)
			p.Node, err = GDLAlpha(in.Pred, in.Truth, alpha)
		case TermPerceptual:
			if in.Extractor == nil {
				return nil, nil, fmt.Errorf("losses: Build: %s has weight %v but no feature extractor is given", t.Name, t.Weight)
			}
			p.Detail = in.Extractor.Name()
			p.Node, err = Perceptual(in.Extractor, in.Pred, in.Truth, in.LayerWeights...)
		case TermAdv:
			if in.DFake == nil {
				return nil, nil, fmt.Errorf("losses: Build: %s has weight %v but the discriminator's scores on the prediction (Inputs.DFake) are not given", t.Name, t.Weight)
			}
			p.Detail = in.GAN.Label()
			p.Node, err = AdversarialG(in.GAN, in.DFake)
		default:
			return nil, nil, fmt.Errorf("losses: Build: unknown loss %q (known: %s)", t.Name, termNames())
		}
		if err != nil {
			return nil, nil, err
		}
		if total, err = addScaled(total, p.Node, t.Weight); err != nil {
			return nil, nil, fmt.Errorf("losses: Build: %s: %w", t.Name, err)
		}
		parts = append(parts, p)
	}
	if total == nil {
		return nil, nil, fmt.Errorf("losses: Build: %q has no term with a positive weight", w.String())
	}
	return total, parts, nil
}
