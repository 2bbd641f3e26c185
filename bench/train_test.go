package bench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"framepred/internal/blas"
	"framepred/ops"
)

// TestNetsTrain builds every benchmark network and takes six training
// steps on its fixed batch, which must lower the (first) loss, and checks
// its parameter count against its PyTorch twin's in bench/pytorch/bench.py,
// which printed 10,721 (probe), 118,417 (unet, unet+perc), 220,018 (unet
// and the discriminator) and 488,627 (rgb64).
func TestNetsTrain(t *testing.T) {
	torchParams := map[string]int{"probe": 10721, "unet": 118417, "unet+d": 220018, "unet+perc": 118417, "rgb64": 488627}
	for _, nn := range Nets {
		t.Run(nn.Name, func(t *testing.T) {
			n, err := nn.New(1)
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			if want := torchParams[n.Name]; n.Params != want {
				t.Errorf("%d parameters, PyTorch's twin has %d", n.Params, want)
			}
			first, err := n.Step()
			if err != nil {
				t.Fatal(err)
			}
			var last float32
			for i := 0; i < 5; i++ {
				if last, err = n.Step(); err != nil {
					t.Fatal(err)
				}
			}
			if !(last < first) {
				t.Errorf("loss went from %v to %v in six steps", first, last)
			}
			nominal, performed := n.ConvFLOPs()
			t.Logf("%.3f GFLOP/step of convolutions (%.3f performed), loss %v → %v", nominal/1e9, performed/1e9, first, last)
		})
	}
}

func BenchmarkTrainStep(b *testing.B) {
	for _, nn := range Nets {
		n, err := nn.New(1)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(n.Name, func(b *testing.B) {
			for i := 0; i < 2; i++ { // warm up: buffers, pools
				if _, err := n.Step(); err != nil {
					b.Fatal(err)
				}
			}
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			b.ReportAllocs()
			c0 := cpuTime()
			for b.Loop() {
				if _, err := n.Step(); err != nil {
					b.Fatal(err)
				}
			}
			cpu := (cpuTime() - c0).Seconds()
			runtime.ReadMemStats(&ms1)
			s := b.Elapsed().Seconds()
			nominal, performed := n.ConvFLOPs()
			b.ReportMetric(cpu/float64(b.N)*1e3, "cpu-ms/step")
			b.ReportMetric(float64(b.N)/s, "steps/s")
			b.ReportMetric(float64(b.N*n.Batch)/s, "images/s")
			b.ReportMetric(nominal*float64(b.N)/s/1e9, "GFLOP/s")
			b.ReportMetric(nominal*float64(b.N)/cpu/1e9, "GFLOP/cpu-s")
			b.ReportMetric(performed*float64(b.N)/s/1e9, "done-GFLOP/s")
			b.ReportMetric(float64(ms1.NumGC-ms0.NumGC)/float64(b.N), "GCs/step")
		})
		n.Close()
	}
}

func init() {
	// BENCH_THREADING=openblas runs every kernel on one goroutine and lets
	// OpenBLAS split each matrix product over GOMAXPROCS threads instead.
	if os.Getenv("BENCH_THREADING") == "openblas" {
		ops.SetWorkers(1)
		blas.SetThreads(runtime.GOMAXPROCS(0))
	}
}

// cpuTime is the process's user+system CPU time. On a machine shared with
// other work it still measures the work a step took, where wall time also
// measures the neighbours.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSgemmPeak measures the machine's single-precision matrix-product
// peak: OpenBLAS on 2048² matrices with GOMAXPROCS threads, per second of
// wall time and per second of CPU time (which a busy machine lowers less at
// one thread).
func BenchmarkSgemmPeak(b *testing.B) {
	const n = 2048
	prev := blas.SetThreads(runtime.GOMAXPROCS(0))
	defer blas.SetThreads(prev)
	r := rand.New(rand.NewPCG(1, 2))
	a, c, out := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range a {
		a[i], c[i] = r.Float32(), r.Float32()
	}
	blas.Sgemm(false, false, n, n, n, 1, a, n, c, n, 0, out, n) // warm up the threads
	c0 := cpuTime()
	for b.Loop() {
		blas.Sgemm(false, false, n, n, n, 1, a, n, c, n, 0, out, n)
	}
	b.ReportMetric(2*n*n*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	b.ReportMetric(2*n*n*n*float64(b.N)/(cpuTime()-c0).Seconds()/1e9, "GFLOP/cpu-s")
}

// BenchmarkWorkers runs the U-Net step with the kernels on one goroutine and
// on GOMAXPROCS, alternating, to measure what the second core brings.
func BenchmarkWorkers(b *testing.B) {
	n, err := NewUNet(1)
	if err != nil {
		b.Fatal(err)
	}
	defer n.Close()
	for round := 0; round < 3; round++ {
		for _, w := range []int{1, 0} {
			b.Run(fmt.Sprintf("workers=%d/%d", w, round), func(b *testing.B) {
				defer ops.SetWorkers(ops.SetWorkers(w))
				for b.Loop() {
					if _, err := n.Step(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			})
		}
	}
}
