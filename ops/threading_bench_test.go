package ops

import (
	"fmt"
	"testing"

	"framepred/internal/blas"
)

// BenchmarkThreading compares, on the im2col path with OpenBLAS products, the two ways to use two
// cores: goroutines over 1 MiB tiles with single-threaded OpenBLAS products
// (the package's choice), and one goroutine with whole-layer tiles and
// OpenBLAS threading each product. Run with -cpu 2.
func BenchmarkThreading(b *testing.B) {
	defer func(t int) { tileBytes = t }(tileBytes)
	defer SetWorkers(SetWorkers(0))
	defer blas.SetThreads(blas.SetThreads(1))
	// OpenBLAS products only: no direct path, no micro-kernels.
	defer func(k bool) { hasKernels = k }(hasKernels)
	hasKernels = false
	for _, name := range []string{"m1", "u2"} {
		g := unetGeoms[name]
		x := make([]float32, g.In*g.N*g.H*g.W)
		w := make([]float32, g.Out*g.Rows())
		out := make([]float32, g.Out*g.Cols())
		for round := 0; round < 3; round++ {
			for _, mode := range []string{"goroutines", "openblas"} {
				b.Run(fmt.Sprintf("%s/%s/%d", name, mode, round), func(b *testing.B) {
					if mode == "goroutines" {
						SetWorkers(0)
						blas.SetThreads(1)
						tileBytes = 1 << 20
					} else {
						SetWorkers(1)
						blas.SetThreads(2)
						tileBytes = 1 << 30
					}
					for b.Loop() {
						ConvForward(g, x, w, out)
						ConvBackwardFilter(g, x, out, w)
						ConvBackwardInput(g, w, out, x)
					}
					b.ReportMetric(3*g.FLOPs()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}
