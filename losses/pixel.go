package losses

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"framepred/ops"
)

// MSE returns mean((pred − truth)²) over every element, a scalar node:
// PyTorch's mse_loss.
//
// Blur: the prediction that minimises the expected squared error is the
// mean of the possible futures. When the future can go two ways the
// predictor learns to draw both, each at half strength: a blurred ghost.
func MSE(pred, truth *G.Node) (*G.Node, error) {
	l, err := ops.MeanSquaredDiff(pred, truth)
	if err != nil {
		return nil, fmt.Errorf("losses: MSE: %w", err)
	}
	return l, nil
}

// L1 returns mean(|pred − truth|) over every element, a scalar node:
// PyTorch's l1_loss (the gradient at pred = truth is 0).
//
// Blur: the minimiser is the per-pixel median of the possible futures.
// Where one future is more likely than the others it wins outright, so L1
// blurs less than MSE; where two are equally likely every value between
// them is a median, and training settles anywhere from blank to ghost. It
// still decides pixel by pixel, not frame by frame.
func L1(pred, truth *G.Node) (*G.Node, error) {
	l, err := ops.MeanAbsDiff(pred, truth)
	if err != nil {
		return nil, fmt.Errorf("losses: L1: %w", err)
	}
	return l, nil
}

// GDL is the gradient difference loss of Mathieu, Couprie and LeCun (2016)
// with α = 1; see GDLAlpha.
func GDL(pred, truth *G.Node) (*G.Node, error) { return GDLAlpha(pred, truth, 1) }

// GDLAlpha returns the gradient difference loss with exponent alpha ≥ 1,
// comparing the image gradients of pred and truth (C×N×H×W, or any tensor
// whose last two axes are H and W ≥ 2):
//
//	mean over pixels of ||∂x truth| − |∂x pred||^α
//	  + mean over pixels of ||∂y truth| − |∂y pred||^α
//
// with forward differences inside each plane, each direction averaged over
// its own number of differences (H·(W−1) and (H−1)·W per plane). For α = 1
// this is the reference experiment's gdl(pred, truth).
//
// Blur: a blurred edge has smaller gradients than a sharp one, so GDL
// rewards sharp edges where the truth has them. It is still an expectation
// over futures, per pixel: on truly two-way futures it sharpens the ghosts
// rather than choosing one.
func GDLAlpha(pred, truth *G.Node, alpha float64) (*G.Node, error) {
	l, err := ops.GradDiff(pred, truth, alpha)
	if err != nil {
		return nil, fmt.Errorf("losses: GDL: %w", err)
	}
	return l, nil
}
