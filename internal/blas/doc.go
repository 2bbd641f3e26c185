// Package blas is framepred's matrix-multiply layer: single- and
// double-precision general matrix products on row-major slices.
//
// # Implementations
//
// By default the products run in OpenBLAS, called through cgo (the program
// links with -lopenblas; Debian's libopenblas-dev provides it). Built with the
// tag purego, they run in gonum's pure-Go BLAS instead, which needs no C
// toolchain and is two to four times slower. [Name] says which one is active.
//
// # Threads
//
// OpenBLAS can split one product over its own threads. framepred's
// convolutions instead split their work into tiles on goroutines and run one
// single-threaded product per tile, so that the copy work around each product
// (im2col, col2im) runs in parallel too and no OpenBLAS thread spins on a core
// that Go wants. Callers that prefer OpenBLAS threading set [SetThreads];
// bench/run.sh measures both. gonum's implementation decides its own
// parallelism from GOMAXPROCS and ignores [SetThreads].
package blas
