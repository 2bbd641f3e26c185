// Package model holds framepred's two networks: the next-frame
// [Predictor] and the conditional patch [Discriminator] that adversarial
// training scores its predictions with. Both are built from framepred/ops
// only, in its CNHW layout, so its fast kernels apply to every layer.
//
// # Predictor
//
// The predictor sees K context frames stacked on channels, a (K·C)×N×H×W
// tensor (frame k's channel c is channel k·C+c), and outputs the next
// frame, C×N×H×W. It is a U-Net: Depth+1 levels of two 3×3 convolutions
// with LeakyReLU 0.2, a stride-2 convolution down to each next level, and on
// the way up a nearest-neighbour 2× upsampling and a 3×3 convolution whose
// output is concatenated with the encoder's features of the same level
// (the skip) and merged by another 3×3 convolution. A 1×1 linear head gives
// C channels. Width channels at full resolution, doubling per level; the
// default (K = 4, C = 1, width 16, depth 2) is the two-futures experiment's
// network, 118,417 parameters, and gives PyTorch's output to 1e-10 in
// float64 for the same weights (testdata/torchref.py).
//
// # Why a U-Net
//
// Mathieu, Couprie and LeCun (2016) predict at four scales, each a plain
// convolution stack that refines the upsampled coarser prediction. Both
// designs see the frame at several resolutions; the U-Net does it in one
// network and one loss, and its skips carry full-resolution detail straight
// to the output, where the multi-scale model must rebuild it from the
// coarser prediction at every scale. It is one graph, so one Build, one set
// of parameters and one checkpoint, and it trains in a single pass with the
// reconstruction, adversarial and perceptual losses on one output. On the
// two-futures data it learned well in the reference experiment, which is
// what the demo must reproduce.
//
// # Linear head
//
// The head is linear, not a sigmoid. With a sigmoid head and plain MSE, the
// two-futures experiment collapsed to an all-black frame in every trial
// (most target pixels are 0; once the sigmoid saturates near 0 its gradient
// vanishes, and the few bright pixels probably cannot pull it back). Build therefore returns the
// raw output: the reconstruction losses see raw, and ops.Clamp01(raw) is
// what the discriminator, the metrics and the video see. Predict and
// Rollout clamp.
//
// # Direct, not residual
//
// The predictor can output the next frame itself or a residual over the
// last context frame (Config.Residual: raw = last frame + head). Measured on
// the default two-futures data (TestMeasureResidual: the default config
// either way, the same batches of 32, 300 steps, MSE, Adam lr 1e-3, weight
// seeds 1–3, 256 held-out clips), the direct output learned faster: its
// held-out error, averaged over the seeds, was lower at every checkpoint
// (every 25 steps). Held-out MSE of the clamped prediction against the
// branch mean (the MSE optimum), mean of the three seeds:
//
//	step        0       25      50      100     200     300
//	direct      0.0128  0.0100  0.0081  0.0068  0.0041  0.0031
//	residual    0.0353  0.0131  0.0100  0.0079  0.0046  0.0037
//
// and against the drawn future 0.0162 (direct) and 0.0167 (residual) at
// step 300, where every seed ended lower with the direct output. A fresh
// residual network starts by copying the last frame, which on a black
// background with a moving square is worse than the blank frame a fresh
// direct network gives (0.048 against 0.026 to the drawn future), and it
// was still behind after 300 steps. The default is therefore direct. On real video, where most of a frame stays put, the
// residual form may win; it is one config field, saved in checkpoints.
//
// # Discriminator
//
// The discriminator is conditional: it sees the context together with a
// candidate next frame, (K·C + C)×N×H×W, and outputs a map of raw scores,
// one per patch: Downs 4×4 stride-2 convolutions with LeakyReLU, then a 3×3
// linear convolution to one channel. The default (three stride-2 layers of
// 32, 64, 64 channels) gives a 4×4 grid of scores on 32×32 frames, each with
// a 38-pixel receptive field. The receptive field must cover the moving
// object's whole neighbourhood, context track and both possible futures: in
// the reference experiment an 8×8 grid with 26-pixel fields failed at every
// adversarial weight, because a blank prediction costs the same expected
// MSE as committing to one future and small patches barely penalise it.
// [Discriminator.ReceptiveField] says what each score sees.
//
// Real next frames paired with another sample's context are useful extra
// fakes (they teach the discriminator to look at the context): [Roll]
// rotates a batch by one sample.
//
// # Shared weights
//
// Each network owns its parameters as float32 tensors. Build adds a network
// to a gorgonia graph with parameter nodes bound to those same tensors, so
// the generator's graph (the predictor, then the discriminator scoring its
// clamped output) and the discriminator's own graph train one set of
// weights: differentiate the generator's loss with respect to the
// predictor's ParamNodes only, and the discriminator's loss with respect to
// the discriminator's, and each optimiser step leaves the other network as
// it was.
//
// # Checkpoints
//
// Config and DiscriminatorConfig are JSON objects with a kind and a
// version; Params lists the named tensors ("enc1.conv1.weight", PyTorch's
// state_dict names for the same network) and SetParams loads them back,
// refusing anything missing, unknown, mis-sized or not finite.
package model
