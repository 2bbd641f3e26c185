// Package device decides where framepred computes, the CPU or a CUDA GPU,
// from the value of the --device flag: cpu, cuda (device 0), cuda:N, or
// auto, which takes the first GPU when the NVIDIA driver and a device are
// there and the CPU otherwise, and says why.
//
// [Parse] reads the flag; [Resolve] checks it against the machine through a
// [Prober], which [CUDAProber] provides from framepred/cuda and tests replace.
package device
