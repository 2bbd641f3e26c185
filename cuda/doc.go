// Package cuda runs framepred's GPU work on NVIDIA devices: device memory,
// kernels compiled at run time, and matrix products in cuBLAS.
//
// # No CUDA at build time
//
// The package declares the few CUDA entry points it needs itself (bind.h)
// and opens the libraries when the program runs, with dlopen: the NVIDIA
// driver (libcuda.so.1), cuBLAS (libcublas.so.13, .12 or .11) and NVRTC,
// the runtime compiler (libnvrtc.so.13, .12 or .11.2). Building needs no
// CUDA toolkit and no GPU, and the same binary runs on machines with and
// without one: [Load] returns an error naming what is missing, and the
// caller falls back to the CPU (see framepred/device). Folders in
// $FRAMEPRED_CUDA_LIBS are searched before the system's, for libraries
// installed outside it (Python wheels, a home folder).
//
// The functions are bound by the names the libraries export, as NVIDIA's
// headers of CUDA 12 and 13 map them (cuMemAlloc_v2, cublasSgemm_v2, ...).
// Contexts come from cuDevicePrimaryCtxRetain, which CUDA 13 left
// unchanged, rather than cuCtxCreate, which it changed.
//
// # Kernels
//
// framepred's networks run on kernels of its own (nnsrc.go): im2col and its
// adjoint around cuBLAS products for convolutions ([Context.ConvForward],
// [Context.ConvBackwardInput], [Context.ConvBackwardFilter], with upsampling
// built into the im2col for the U-Net's decoder), bias and LeakyReLU, channel
// sums, pooling and upsampling, elementwise ops, the fused losses and Adam.
// Reductions are deterministic: fixed chunks, fixed tree order, no atomics.
// [Context.Capture] records a sequence of them as a CUDA graph, which
// [Graph.Launch] replays with one call (where the driver and cuBLAS can).
//
// # Use
//
//	rt, err := cuda.Load()          // or fall back to the CPU
//	c, err := rt.Open(0)            // device 0: context, stream, cuBLAS
//	defer c.Close()
//	x, err := c.Upload(values)      // a Buffer of float32 on the device
//	err = c.LeakyReLU(x, x, 0.2)    // kernels queue on the context's stream
//	err = c.Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, y, n) // row-major, like internal/blas
//	err = c.CopyOut(values, x)      // waits for the queued work
//
// Kernels are CUDA C++ source strings that NVRTC compiles for the device's
// architecture on first use (a cubin for it when NVRTC knows it, else PTX
// that the driver finishes); [Context.Compile] caches modules per source.
// Device memory comes from a caching allocator: freed blocks are reused by
// later allocations of their size class, so a training loop stops calling
// the driver after its first step ([Context.MemStats]). [Context.Time]
// separates GPU time from the host's launch and copy overhead.
//
// # Tests
//
// Without a GPU, the tests run the package against a stand-in for the three
// libraries (framepred/cuda/cudatest, built by the tests with the C++
// compiler) that keeps device memory in host memory, runs framepred's
// kernel sources on the CPU, one emulated thread after another (as
// coroutines that meet at each __syncthreads in the kernels that
// synchronise), and checks arguments as the real libraries do.
// Where NVRTC is installed (on Debian 12, the non-free package
// libnvrtc11.2; it needs no GPU), the kernel sources are also compiled
// with it; elsewhere that test skips and says so.
//
// On a GPU machine, FRAMEPRED_GPU=1 runs the same tests on device 0 with
// the real libraries. To run them where Go is not installed, build the
// test binary here and copy it there:
//
//	go test -c -tags purego -o cuda.test ./cuda   # purego: no OpenBLAS needed there
//	FRAMEPRED_GPU=1 ./cuda.test -test.v
//
// cmd/gpucheck is the standalone check, with timings; both binaries need
// only the C library to start.
package cuda
