package ops

import (
	"fmt"
	"testing"
)

func BenchmarkTileSize(b *testing.B) {
	geoms := map[string]ConvGeom{
		"probe_c2": {N: 8, In: 32, H: 64, W: 64, Out: 32, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
		"m1":       unetGeoms["m1"],
		"u2":       unetGeoms["u2"],
	}
	for _, name := range []string{"probe_c2", "m1", "u2"} {
		g := geoms[name]
		x := make([]float32, g.In*g.N*g.H*g.W)
		w := make([]float32, g.Out*g.Rows())
		out := make([]float32, g.Out*g.Cols())
		for _, tb := range []int{96 << 10, 192 << 10, 512 << 10, 1 << 20, 4 << 20} {
			for _, pass := range []string{"fwd", "dw"} {
				b.Run(fmt.Sprintf("%s/%s/%dK", name, pass, tb>>10), func(b *testing.B) {
					defer func(v int) { tileBytes = v }(tileBytes)
					tileBytes = tb
					c0 := cpuTime()
					for b.Loop() {
						if pass == "fwd" {
							ConvForward(g, x, w, out)
						} else {
							ConvBackwardFilter(g, x, out, w)
						}
					}
					b.ReportMetric(g.FLOPs()*float64(b.N)/(cpuTime()-c0).Seconds()/1e9, "GFLOP/cpu-s")
				})
			}
		}
	}
}
