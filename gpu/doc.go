// Package gpu runs framepred's training step on an NVIDIA GPU: the same
// gorgonia graphs that framepred/train runs on the CPU, compiled into
// sequences of framepred/cuda kernels, with every tensor of the step in
// device memory.
//
// # Use
//
//	c, _ := rt.Open(0)                                  // a cuda.Context
//	e, err := gpu.New(c, nets, batch, h, w, gpu.Options{})
//	defer e.Close()
//	err = e.Load(x, y, roll)                            // the batch goes up
//	l, err := e.Gen(true)                               // losses come down
//	d, err := e.Disc()
//	err = e.UpdateG(adamG)                              // Adam on the device
//	err = e.UpdateD(adamD)
//	err = e.Sync(adamG, adamD)                          // weights and moments back, for a checkpoint
//
// framepred/train selects it for --device cuda (see train.Options.Device);
// CPU is its twin on the CPU, for checks and comparisons.
//
// # How a graph becomes a program
//
// Each pass (the predictor's objective and gradients, with or without the
// adversarial term; the predictor forward; the discriminator's loss and
// gradients) is built as framepred/train builds it (model, losses, G.Grad,
// ops.Needed) and compiled once, on first use:
//
//   - the nodes are ordered depth first from the roots, every node after its
//     inputs;
//   - every op is mapped, through ops.Describe, onto framepred/cuda's
//     kernels: convolutions are im2col (upsampling folded in for UpConv2d)
//     and cuBLAS products; the fused losses and channel sums reduce
//     deterministically; gorgonia's own + and ⊙, which weight and add the
//     loss terms and accumulate gradients, are elementwise kernels;
//     constants (loss weights, the seed gradient, an extractor's frozen
//     filters) are uploaded once;
//   - device buffers are planned once: a value's buffer returns to the
//     program's free list after its last reader and serves later values,
//     so a step allocates nothing and device memory stays flat.
//
// Inputs, parameters and results are bound to buffers the executor owns:
// each network's parameters, gradients and Adam moments are four flat
// buffers (one Adam kernel updates a whole network); gradient nodes write
// straight into their slice of the gradient buffer, the clamped prediction
// into the discriminator's input, and the loss terms into one small buffer
// read once per pass.
//
// # Checks
//
// The tests run every op, forward and backward, and whole steps of the
// adversarial recipe (joint, discriminator warm-up and reconstruction
// steps, Adam updates, a resumed Adam state) on the device and with the
// CPU kernels, from the same weights and batches, and compare every loss,
// gradient and weight (see TestOpsMatchCPU and TestStepMatchesCPU for the
// tolerances). Without a GPU they run on framepred/cuda/cudatest's
// stand-in libraries; FRAMEPRED_GPU=1 runs them on device 0.
// cmd/gpustep measures the step on a device against the CPU and PyTorch.
//
// With Options.Graphs each program is captured as a CUDA graph on its first
// run and replayed from then on: one launch per pass instead of one per
// kernel, which is most of a small network's step. Programs are fixed
// (buffers, arguments, the order of their kernels) and read everything that
// changes from device memory, so a replay computes what the kernels would.
//
// Timings (Stats) split each pass into GPU time and the host's overhead;
// Options.Profile adds the GPU time of every kind of op.
package gpu
