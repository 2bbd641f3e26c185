// Package metrics measures predicted frames against the truth: pixel errors
// (MSE, MAE, PSNR), structural similarity (SSIM), sharpness, and, on data whose
// possible futures are known, whether a prediction commits to one future or
// averages them.
//
// Every function takes the prediction (or degraded frame) first and the
// reference second, like FFmpeg's filters (main, reference) and PyTorch's
// losses (input, target). The symmetric metrics do not care.
//
// # Conventions
//
// Frames hold float32 values in [0,1], so the peak signal of PSNR and the
// dynamic range of SSIM are 1.0. Sums are taken in float64. All channels of a
// frame count alike: the MSE of an RGB frame is the mean over its C·H·W values.
// Frames compared with each other must have the same shape; a mismatch is a
// programmer's mistake and panics.
//
// PSNR of identical frames is +Inf (FFmpeg prints "inf"). Averages keep that:
// the mean of per-frame PSNR is +Inf as soon as one frame is exact. A caller
// that wants a finite mean clamps the MSE first (10⁻¹⁰, 100 dB, is common).
//
// # Two ways to average PSNR
//
// Over many frames PSNR is averaged in two ways that can rank models
// differently: [MeanPSNR], the mean of per-frame PSNR (a mean of logarithms,
// which rewards frames that are nearly exact), and [PSNROfMeanMSE], the PSNR of
// the mean MSE, which FFmpeg's psnr filter prints as "average" (dominated by
// the worst frames). A model that commits to one of two possible futures is
// nearly exact half the time and badly wrong the other half; a model trained
// with MSE predicts the average of both, which minimises the expected MSE.
// The first wins on mean PSNR, the second on PSNR of the mean MSE.
// [Summary.ExplainPSNR] says so in one line when it happens.
//
// # SSIM in two modes
//
// [SSIM] is the usual structural similarity of Wang et al. (2004): an 11×11
// Gaussian window with σ = 1.5, K1 = 0.01, K2 = 0.03, windows only where they
// fit inside the frame, averaged over the frame. It is computed on luma: the
// plane itself for gray frames, BT.601 luma (0.299 R + 0.587 G + 0.114 B) for
// RGB frames.
//
// [SSIMFFmpeg] and [PSNRFFmpeg] reproduce the numbers printed by FFmpeg 5.1's
// ssim and psnr filters on 8-bit planes ([Plane8]), digit for digit. FFmpeg's
// SSIM has no Gaussian: it sums 4×4 blocks into overlapping 8×8 windows at a
// stride of 4 and works in integers, so its values differ from [SSIM]'s.
// [Quantize] turns a float plane into the 8-bit samples FFmpeg would see.
//
// # Sharpness
//
// [SharpnessDiff] is the sharpness difference of Mathieu et al. (2016) in
// dB: how closely the prediction's gradients match the truth's, pixel by
// pixel. [SharpnessRatio] compares the mean gradient magnitude of prediction
// and truth. Gradients are forward differences; see [GradientMagnitude] for
// the border. Neither separates averaging from committing on its own: two
// half-bright copies of an object have as much gradient as one, and a frame
// with no gradient at all can beat a blurred one on the sharpness difference.
// Read them next to PSNR, SSIM and, where the futures are known, the
// averaging index.
//
// # Two possible futures
//
// On synthetic clips every possible future is known (frame.Clip.Branches).
// [AveragingIndex] places a prediction between the nearest branch (0) and the
// mean of the branches (1); [Committed] says whether it is closer to a branch
// than to the mean; [PeakIntensity] is its brightest value, which halves when
// a white object is averaged over two places. An [Accumulator] collects all of
// these over many samples into a [Summary].
package metrics
