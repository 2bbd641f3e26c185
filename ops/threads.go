package ops

import "framepred/internal/blas"

// The kernels parallelise over goroutines, each running single-threaded
// matrix products on its own tiles; OpenBLAS threads on top of that would
// compete with them for the same cores. So the package sets OpenBLAS to one
// thread when it is loaded. To let OpenBLAS split each product instead, call
// SetWorkers(1) and blas.SetThreads(n) (bench/run.sh compares the two).
func init() { blas.SetThreads(1) }
