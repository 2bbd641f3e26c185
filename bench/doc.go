// Package bench measures framepred's training step against PyTorch on the
// same networks, batches, losses and thread counts.
//
// The Go side is benchmarks (go test -bench TrainStep ./bench); the PyTorch
// side is pytorch/bench.py, a benchmark tool only, run with Debian's
// /usr/bin/python3. run.sh builds both, measures the machine's sgemm peak in
// the same run, alternates Go and PyTorch runs and prints the ratios.
//
// The networks (Nets), all trained with Adam on one fixed batch of random
// inputs in [0, 1):
//
//   - probe: batch 8 of 4×64×64, three 3×3 convolutions 4→32→32→1 with
//     bias, ReLU, ReLU, linear; MSE. Built from package ops directly.
//   - unet: the demo predictor, model.DefaultConfig (the two-futures
//     experiment's U-Net: width 16, depth 2), batch 32 of 4×32×32 → 1×32×32;
//     MSE.
//   - unet+d: the demo's adversarial step, the predictor and
//     model.DefaultDiscriminatorConfig's patch discriminator: the
//     predictor's graph (MSE + 0.05·LSGAN, losses.Reference), then the
//     discriminator's (LSGAN on real, fake and mismatched pairs); batch 32.
//   - unet+perc: unet with MSE + the default perceptual loss
//     (features.Edges) at weight 1; run.sh reports the extractor's share of
//     the step from the two.
//   - rgb64: model.RGB64Config (4 RGB frames, width 16, depth 3), batch 16
//     of 12×64×64 → 3×64×64; MSE.
//
// Every network but the probe is built through package model, as training
// builds it; bench.py holds their PyTorch twins (the same layers, checked
// by parameter count in TestNetsTrain).
//
// Convolution GFLOP/s count every pass as PyTorch computes it; an UpConv2d
// decoder layer does 4/9 of that arithmetic, so the "done" rate (what the
// kernels did) is lower for the U-Nets.
package bench
