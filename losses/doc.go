// Package losses holds framepred's training losses as plain functions over
// gorgonia nodes. Each returns a scalar node (shape ()), ready for G.Grad,
// built from framepred's fused ops, for float32 and float64 graphs.
//
// # What each loss does to blur
//
// A next-frame predictor trained on futures that can go two ways learns
// whatever its loss rewards on average:
//
//   - MSE is minimised by the mean of the futures: both at half strength,
//     a blurred ghost.
//   - L1 is minimised by the per-pixel median: the likelier future where
//     there is one, anything from blank to ghost where two are equally
//     likely.
//   - GDL (gradient difference) compares image gradients and so rewards
//     sharp edges, but per pixel and in expectation: it sharpens ghosts
//     rather than choosing a future.
//   - Perceptual compares frozen feature maps (package features); it is a
//     regulariser. In the reference experiment fixed extractors did not stop
//     averaging (averaging index 0.96 against MSE's 0.99, no sample
//     committed).
//   - Adversarial asks a discriminator, which judges whole frames, whether a
//     prediction looks real; an average of two futures does not, so the
//     predictor commits to one. In the reference experiment MSE plus the
//     adversarial term at 0.05 (Reference) committed on every held-out
//     sample, with averaging index 0.03.
//
// # Combining
//
// ParseWeights reads a combination such as "mse=1,gdl=1,perceptual=0.01,
// adv=0.05"; Weights.Build adds the terms to a graph and returns the total
// with each term's node, so a trainer can report every term, and
// Weights.Label names the combination for a reel ("MSE + GDL + perceptual +
// adversarial"). Every term is a mean, so weights compare across terms: an
// adversarial weight is relative to the per-pixel mean MSE, as in the
// reference recipe. The discriminator's own loss is AdversarialD.
//
// # Gradients
//
// Differentiate the total with respect to the predictor's parameters and
// compile only what that needs (ops.Needed): the truth's side of every loss
// (its perceptual features, its MSE gradient) is then left out.
package losses
