package features

import (
	"syscall"
	"testing"
	"time"

	G "gorgonia.org/gorgonia"

	"framepred/ops"
)

// BenchmarkPerceptual times what a perceptual term adds to a training step
// on the demo batch (32 gray 32×32 frames, float32): the extractor on the
// prediction and on the truth, the MSE of their feature maps, and the
// backward pass to the prediction. "pixels" is the plain pixel MSE for
// scale. vgg19 is the first three blocks (relu1_2, relu2_2, relu3_4) at
// ImageNet widths, with made-up weights of the real shapes.
// testdata/bench.py times the same in PyTorch.
func BenchmarkPerceptual(b *testing.B) {
	vggPath := writeVGG(b, vggTensors(vgg19, []int{64, 64, 128, 128, 256, 256, 256, 256}))
	vgg, err := LoadVGG19(vggPath)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		ext  Extractor
	}{{"pixels", nil}, {"edges", Edges()}, {"random", Random(DefaultSeed)}, {"vgg19", vgg}} {
		b.Run(c.name, func(b *testing.B) {
			const n = 32
			g := G.NewGraph()
			pred := G.NodeFromAny(g, to32(cnhw(1, 0.5, 0.5, 1, n, 32, 32)), G.WithName("pred"))
			truth := G.NodeFromAny(g, to32(cnhw(2, 0.5, 0.5, 1, n, 32, 32)), G.WithName("truth"))
			var loss *G.Node
			if c.ext == nil {
				loss, err = ops.MeanSquaredDiff(pred, truth)
			} else {
				loss, err = featureMSE(g, c.ext, pred, truth)
			}
			if err != nil {
				b.Fatal(err)
			}
			grads, err := G.Grad(loss, pred)
			if err != nil {
				b.Fatal(err)
			}
			vm := G.NewTapeMachine(ops.Needed(loss, grads...), G.BindDualValues(pred))
			defer vm.Close()
			step := func() {
				vm.Reset()
				if err := vm.RunAll(); err != nil {
					b.Fatal(err)
				}
			}
			step() // warm up: buffers, pools
			b.SetBytes(n * 32 * 32 * 4)
			b.ReportAllocs()
			c0 := cpuTime()
			for b.Loop() {
				step()
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/step")
			b.ReportMetric((cpuTime()-c0).Seconds()*1e3/float64(b.N), "cpu-ms/step")
		})
	}
}

// cpuTime is the process's user+system CPU time, which still measures the
// work done when other processes share the machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// featureMSE is the perceptual loss with unit layer weights.
func featureMSE(g *G.ExprGraph, ext Extractor, pred, truth *G.Node) (*G.Node, error) {
	fp, err := ext.Build(g, pred)
	if err != nil {
		return nil, err
	}
	ft, err := ext.Build(g, truth)
	if err != nil {
		return nil, err
	}
	var total *G.Node
	for i := range fp {
		l, err := ops.MeanSquaredDiff(fp[i], ft[i])
		if err != nil {
			return nil, err
		}
		if total == nil {
			total = l
		} else if total, err = G.Add(total, l); err != nil {
			return nil, err
		}
	}
	return total, nil
}
