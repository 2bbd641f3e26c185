package ops

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time: under contention from
// other processes it still measures the work done.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// unetGeoms are the demo U-Net's convolutions at batch 32.
var unetGeoms = map[string]ConvGeom{
	"e1b": {N: 32, In: 16, H: 32, W: 32, Out: 16, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
	"e2a": {N: 32, In: 16, H: 32, W: 32, Out: 32, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1},
	"u2":  {N: 32, In: 64, H: 16, W: 16, Out: 32, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
	"m1":  {N: 32, In: 32, H: 32, W: 32, Out: 16, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
}

// BenchmarkConv times each pass of single convolutions (float32).
func BenchmarkConv(b *testing.B) {
	for _, name := range []string{"e1b", "e2a", "u2", "m1"} {
		g := unetGeoms[name]
		x := make([]float32, g.In*g.N*g.H*g.W)
		w := make([]float32, g.Out*g.Rows())
		out := make([]float32, g.Out*g.Cols())
		for i := range x {
			x[i] = float32(i%7) - 3
		}
		for i := range w {
			w[i] = float32(i%5) - 2
		}
		passes := []struct {
			name string
			f    func()
		}{
			{"fwd", func() { ConvForward(g, x, w, out) }},
			{"dw", func() { ConvBackwardFilter(g, x, out, w) }},
			{"dx", func() { ConvBackwardInput(g, w, out, x) }},
		}
		for _, p := range passes {
			b.Run(fmt.Sprintf("%s/%s", name, p.name), func(b *testing.B) {
				c0 := cpuTime()
				for b.Loop() {
					p.f()
				}
				cpu := (cpuTime() - c0).Seconds()
				b.ReportMetric(g.FLOPs()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				b.ReportMetric(g.FLOPs()*float64(b.N)/cpu/1e9, "GFLOP/cpu-s")
			})
		}
	}
}
