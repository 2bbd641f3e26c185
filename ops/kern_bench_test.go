package ops

import "testing"

// BenchmarkKernels times the micro-kernels alone on data that stays in L1:
// their ceiling, against which the convolutions' rates compare.
func BenchmarkKernels(b *testing.B) {
	if !hasKernels {
		b.Skip("no micro-kernels on this CPU")
	}
	const k = 288
	a := make([]float32, 4*k)
	src := make([]float32, 24*64)
	offs := make([]int, k)
	for i := range offs {
		offs[i] = 4 * (i % 40) * 24 / 2 // 40 rows of 48 bytes apart, all in L1
	}
	var c [4 * 24]float32
	b.Run("NNI4x24", func(b *testing.B) {
		c0 := cpuTime()
		for b.Loop() {
			kernNNI4x24(k, &a[0], k, &src[0], &offs[0], &c[0], 24, 0)
		}
		b.ReportMetric(2*4*24*k*float64(b.N)/(cpuTime()-c0).Seconds()/1e9, "GFLOP/cpu-s")
	})
	segs := [3]int{0, 32, 64}
	b.Run("NNS4x24", func(b *testing.B) {
		c0 := cpuTime()
		for b.Loop() {
			kernNNS4x24(k, &a[0], k, &src[0], &offs[0], &segs, &c[0], &segs, 24, 0)
		}
		b.ReportMetric(2*4*24*k*float64(b.N)/(cpuTime()-c0).Seconds()/1e9, "GFLOP/cpu-s")
	})
	var out [12]float32
	x := make([]float32, 3*1024)
	y := make([]float32, 4*1024)
	o3 := [3]int{0, 4096, 8192}
	b.Run("NTS4x3", func(b *testing.B) {
		c0 := cpuTime()
		for b.Loop() {
			kernNTS4x3(1, 4, 256, &y[0], 1024, 1024, 256, &x[0], &o3, 0, 1024, &out)
		}
		b.ReportMetric(2*12*1024*float64(b.N)/(cpuTime()-c0).Seconds()/1e9, "GFLOP/cpu-s")
	})
}
