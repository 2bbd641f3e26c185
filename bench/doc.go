// Package bench measures framepred's training step against PyTorch on the
// same networks, batches and thread counts (issue 8's yardstick).
//
// The Go side is benchmarks (go test -bench . ./bench); the PyTorch side is
// pytorch/bench.py, a benchmark tool only, run with Debian's
// /usr/bin/python3. run.sh builds both, measures the machine's sgemm peak in
// the same run, alternates Go and PyTorch runs and prints the ratios.
//
// The networks:
//
//   - probe: batch 8 of 4×64×64, three 3×3 convolutions 4→32→32→1 with
//     bias, ReLU, ReLU, linear; MSE; Adam.
//   - unet: the demo predictor (the two-futures experiment's U-Net): width
//     16, 3×3 convolutions with LeakyReLU 0.2, stride-2 downsampling, nearest
//     upsampling + convolution, skip concatenations, a linear 1×1 head;
//     batch 32 of 4×32×32 → 1×32×32; MSE; Adam.
//
// Both are built here from package ops directly; the model package will be
// timed by the same harness once it exists.
package bench
