package ops

import (
	"fmt"
	"testing"
)

// BenchmarkConvPath compares the im2col and direct paths, alternating.
func BenchmarkConvPath(b *testing.B) {
	for _, name := range []string{"e1b", "e2a", "u2", "m1"} {
		g := unetGeoms[name]
		x := make([]float32, g.In*g.N*g.H*g.W)
		w := make([]float32, g.Out*g.Rows())
		out := make([]float32, g.Out*g.Cols())
		for i := range x {
			x[i] = float32(i%7) - 3
		}
		for round := 0; round < 4; round++ {
			for _, off := range []bool{true, false} {
				for _, pass := range []string{"fwd", "dw", "dx"} {
					b.Run(fmt.Sprintf("%s/%s/noDirect=%v/%d", name, pass, off, round), func(b *testing.B) {
						defer func() { noDirect = false }()
						noDirect = off
						c0 := cpuTime()
						for b.Loop() {
							switch pass {
							case "fwd":
								ConvForward(g, x, w, out)
							case "dw":
								ConvBackwardFilter(g, x, out, w)
							case "dx":
								ConvBackwardInput(g, w, out, x)
							}
						}
						b.ReportMetric(g.FLOPs()*float64(b.N)/(cpuTime()-c0).Seconds()/1e9, "GFLOP/cpu-s")
					})
				}
			}
		}
	}
}
