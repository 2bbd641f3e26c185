package gpu

import (
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"gorgonia.org/tensor"

	"framepred/cuda"
	"framepred/cuda/cudatest"
)

// onGPU says whether the tests run on a real device (FRAMEPRED_GPU=1)
// rather than on the stand-in libraries of framepred/cuda/cudatest.
var onGPU = os.Getenv("FRAMEPRED_GPU") == "1"

var fake cudatest.Shared

var shared struct {
	once sync.Once
	rt   *cuda.Runtime
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	fake.Remove()
	os.Exit(code)
}

// testContext opens device 0 of the real libraries on a GPU machine, of
// the stand-in elsewhere (skipping where it cannot be built), and closes
// it when the test ends.
func testContext(t testing.TB) *cuda.Context {
	t.Helper()
	cfg := cuda.DefaultConfig()
	if !onGPU {
		libs := fake.Libs(t, cuda.KernelSources())
		cfg = cuda.Config{Driver: []string{libs.Driver}, BLAS: []string{libs.BLAS}, NVRTC: []string{libs.NVRTC}}
	}
	// One runtime for the test binary: it keeps the compiled kernels.
	shared.once.Do(func() { shared.rt, shared.err = cuda.LoadWith(cfg) })
	if shared.err != nil {
		t.Fatalf("cuda.LoadWith: %v", shared.err)
	}
	c, err := shared.rt.Open(0)
	if err != nil {
		t.Fatalf("Open(0): %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return c
}

func randTensor(r *rand.Rand, lo, hi float64, shape ...int) *tensor.Dense {
	n := 1
	for _, d := range shape {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(lo + (hi-lo)*r.Float64())
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// relErr is the largest |got-want| over the largest |want| (at least
// floor, so values near 0 compare absolutely); NaN anywhere is infinite.
func relErr(got, want []float32, floor float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	scale, worst := floor, 0.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(float64(w)))
	}
	for i := range want {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if math.IsNaN(d) {
			return math.Inf(1)
		}
		worst = math.Max(worst, d)
	}
	return worst / scale
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
