package losses

import (
	"fmt"
	"math"
	"strings"

	G "gorgonia.org/gorgonia"

	"framepred/ops"
)

// GAN selects the adversarial loss. The zero value is LSGAN, framepred's
// default.
type GAN int

const (
	// LSGAN is the least-squares GAN of Mao et al. (2017), the loss of the
	// reference recipe: the discriminator regresses real scores to 1 and
	// fake ones to 0, the generator pushes its scores to 1. Its gradients
	// do not vanish when the discriminator wins, which kept the reference
	// runs stable.
	LSGAN GAN = iota
	// NonSaturating is the original GAN's binary cross-entropy on the
	// discriminator's logits, with the non-saturating generator loss
	// −log σ(D(fake)) of Goodfellow et al. (2014).
	NonSaturating
)

// String returns the name ParseGAN reads: "lsgan" or "bce".
func (k GAN) String() string {
	switch k {
	case LSGAN:
		return "lsgan"
	case NonSaturating:
		return "bce"
	}
	return fmt.Sprintf("GAN(%d)", int(k))
}

// Label returns a name for reports: "LSGAN" or "non-saturating BCE".
func (k GAN) Label() string {
	switch k {
	case LSGAN:
		return "LSGAN"
	case NonSaturating:
		return "non-saturating BCE"
	}
	return k.String()
}

// ParseGAN reads "lsgan" or "bce" (also "ns" or "non-saturating").
func ParseGAN(s string) (GAN, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "lsgan":
		return LSGAN, nil
	case "bce", "ns", "non-saturating":
		return NonSaturating, nil
	}
	return 0, fmt.Errorf("losses: unknown adversarial loss %q (known: lsgan, bce)", s)
}

func (k GAN) check() error {
	if k != LSGAN && k != NonSaturating {
		return fmt.Errorf("losses: unknown adversarial loss %v", k)
	}
	return nil
}

// AdversarialG returns the generator's adversarial loss from fake, the
// discriminator's scores (raw outputs, one per patch) on the predicted
// frames, averaged over every score:
//
//	LSGAN:          mean((D(fake) − 1)²)
//	NonSaturating:  mean(softplus(−D(fake))) = −mean(log σ(D(fake)))
//
// Blur: the discriminator sees whole frames (in framepred, with their
// context), and an average of two futures looks like neither, so this term
// pulls the prediction to one sharp, committed future. In the reference
// experiment, with weight 0.05 next to MSE, every held-out sample committed
// to a branch (MSE alone: none).
func AdversarialG(kind GAN, fake *G.Node) (*G.Node, error) {
	if err := kind.check(); err != nil {
		return nil, err
	}
	var l *G.Node
	var err error
	if kind == LSGAN {
		l, err = ops.MeanSquaredTo(fake, 1)
	} else {
		l, err = ops.BCEWithLogitsMean(fake, 1)
	}
	if err != nil {
		return nil, fmt.Errorf("losses: AdversarialG: %w", err)
	}
	return l, nil
}

// AdversarialD returns the discriminator's loss from its scores on real
// frames, on the generator's predictions (fake; build them from the
// prediction with no gradient to the generator) and, optionally, on
// mismatched pairs (a real frame shown with another sample's context, which
// teaches a conditional discriminator to check that the frame fits the
// context; nil for none):
//
//	LSGAN:          ½·mean((D(real) − 1)²) + ½·mean(D(fake)²)
//	                + m·½·mean(D(mismatched)²)
//	NonSaturating:  ½·BCE(D(real), 1) + ½·BCE(D(fake), 0) + m·½·BCE(D(mismatched), 0)
//
// with m = mismatchWeight ≥ 0 (the reference recipe used LSGAN and m = 1)
// and BCE the mean binary cross-entropy of σ(D) against the label.
func AdversarialD(kind GAN, real, fake, mismatched *G.Node, mismatchWeight float64) (*G.Node, error) {
	if err := kind.check(); err != nil {
		return nil, err
	}
	if !(mismatchWeight >= 0) || math.IsInf(mismatchWeight, 0) {
		return nil, fmt.Errorf("losses: AdversarialD: mismatch weight %v must be a finite number ≥ 0", mismatchWeight)
	}
	to := ops.MeanSquaredTo
	if kind == NonSaturating {
		to = ops.BCEWithLogitsMean
	}
	type term struct {
		scores         *G.Node
		target, weight float64
	}
	terms := []term{{real, 1, 0.5}, {fake, 0, 0.5}}
	if mismatched != nil && mismatchWeight > 0 {
		terms = append(terms, term{mismatched, 0, 0.5 * mismatchWeight})
	}
	var total *G.Node
	for i, t := range terms {
		if t.scores == nil {
			return nil, fmt.Errorf("losses: AdversarialD: no %s scores", []string{"real", "fake"}[i])
		}
		l, err := to(t.scores, t.target)
		if err == nil {
			total, err = addScaled(total, l, t.weight)
		}
		if err != nil {
			return nil, fmt.Errorf("losses: AdversarialD: %w", err)
		}
	}
	return total, nil
}
