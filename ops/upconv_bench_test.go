package ops

import (
	"fmt"
	"testing"
)

// BenchmarkUpConv compares the fused upsampling convolution with upsampling
// followed by a convolution (all three passes) on the U-Net's decoder layers.
func BenchmarkUpConv(b *testing.B) {
	geoms := map[string]ConvGeom{ // on the upsampled input
		"u2": {N: 32, In: 64, H: 16, W: 16, Out: 32, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
		"u1": {N: 32, In: 32, H: 32, W: 32, Out: 16, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1},
	}
	for _, name := range []string{"u2", "u1"} {
		g := geoms[name]
		x := make([]float32, g.In*g.N*g.H*g.W/4)
		up := make([]float32, g.In*g.N*g.H*g.W)
		w := make([]float32, g.Out*g.Rows())
		out := make([]float32, g.Out*g.Cols())
		for i := range x {
			x[i] = float32(i%7) - 3
		}
		lo := planes{n: g.In * g.N, h: g.H, w: g.W, sh: g.H / 2, sw: g.W / 2}
		hi := planes{n: g.In * g.N, h: g.H / 2, w: g.W / 2, sh: g.H, sw: g.W}
		for round := 0; round < 2; round++ {
			for _, mode := range []string{"pair", "fused"} {
				b.Run(fmt.Sprintf("%s/%s/%d", name, mode, round), func(b *testing.B) {
					c0 := cpuTime()
					for b.Loop() {
						if mode == "fused" {
							UpConvForward(g, x, w, out)
							UpConvBackwardFilter(g, x, out, w)
							UpConvBackwardInput(g, w, out, x)
							continue
						}
						runPlanes(upsample, lo, nil, x, up)
						ConvForward(g, up, w, out)
						ConvBackwardFilter(g, up, out, w)
						ConvBackwardInput(g, w, out, up)
						runPlanes(upsampleGrad, hi, nil, up, x)
					}
					b.ReportMetric((cpuTime()-c0).Seconds()/float64(b.N)*1e3, "cpu-ms/op")
				})
			}
		}
	}
}
