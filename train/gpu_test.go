package train

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"framepred/checkpoint"
	"framepred/cuda"
	"framepred/cuda/cudatest"
	"framepred/device"
)

// gpuOptions runs on device 0 of framepred/cuda/cudatest's stand-in
// libraries, built for the test (they execute the GPU kernels on the CPU),
// or with FRAMEPRED_GPU=1 of the real libraries; it skips where the
// stand-in cannot be built.
func gpuOptions(t *testing.T, dir string) Options {
	t.Helper()
	o := Options{Dir: dir, Device: device.Choice{Kind: device.CUDA}}
	if os.Getenv("FRAMEPRED_GPU") == "1" {
		return o
	}
	l, err := cudatest.Build(t.TempDir(), cuda.KernelSources())
	if errors.Is(err, cudatest.ErrUnavailable) {
		t.Skipf("skipped: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	o.CUDA = &cuda.Config{Driver: []string{l.Driver}, BLAS: []string{l.BLAS}, NVRTC: []string{l.NVRTC}}
	return o
}

func runWith(t *testing.T, cfg Config, opts Options) Result {
	t.Helper()
	tr, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	res, err := tr.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestGPUMatchesCPU trains the adversarial small config (reconstruction,
// discriminator and joint phases, validation, checkpoints) with the GPU
// executor and with the CPU one. Both compute in float32 with sums in
// different orders, so they drift apart slowly: every logged loss must
// agree to 1e-4 relative and the final weights to 1e-5 absolute (on the
// stand-in: 1e-7 after 12 steps at lr 1e-3), and the checkpoints must hold
// the device's Adam state.
func TestGPUMatchesCPU(t *testing.T) {
	cfg := smallConfig(true)
	cfg.Losses = "mse=1,gdl=1,perceptual=0.1,adv=0.05"
	cpuDir, gpuDir := t.TempDir(), t.TempDir()
	cpu := runWith(t, cfg, Options{Dir: cpuDir})
	gpu := runWith(t, cfg, gpuOptions(t, gpuDir))

	a, b := stepRecords(t, filepath.Join(cpuDir, LogName)), stepRecords(t, filepath.Join(gpuDir, LogName))
	close := func(x, y float64) bool { return math.Abs(x-y) <= 1e-4*math.Max(math.Abs(x), 1e-3) }
	for s := int64(1); s <= cfg.Steps; s++ {
		ra, rb := a[s], b[s]
		if ra.Phase != rb.Phase || !close(ra.Total, rb.Total) || !close(ra.DLoss, rb.DLoss) {
			t.Errorf("step %d: CPU %s total %v d %v; GPU %s total %v d %v", s, ra.Phase, ra.Total, ra.DLoss, rb.Phase, rb.Total, rb.DLoss)
		}
		for k, v := range ra.Terms {
			if !close(v, rb.Terms[k]) {
				t.Errorf("step %d: term %s is %v on the CPU, %v on the GPU", s, k, v, rb.Terms[k])
			}
		}
	}
	if cpu.Val == nil || gpu.Val == nil || !close(cpu.Val.Loss, gpu.Val.Loss) {
		t.Errorf("validation: CPU %+v, GPU %+v", cpu.Val, gpu.Val)
	}
	ca, err := checkpoint.Load(cpu.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := checkpoint.Load(gpu.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i, p := range ca.Predictor.Params() {
		for j, v := range p.Value.Float32s() {
			worst = math.Max(worst, math.Abs(float64(v-cb.Predictor.Params()[i].Value.Float32s()[j])))
		}
	}
	t.Logf("final predictor weights: worst difference %.2g", worst)
	if worst > 1e-5 {
		t.Errorf("final predictor weights differ by up to %g", worst)
	}
	for _, pair := range [][2]int{{ca.AdamG.State().Step, cb.AdamG.State().Step}, {ca.AdamD.State().Step, cb.AdamD.State().Step}} {
		if pair[0] != pair[1] || pair[0] == 0 {
			t.Errorf("Adam steps in the checkpoints: CPU %d, GPU %d", pair[0], pair[1])
		}
	}
}

// TestGPUResumeExact cancels a GPU run in its joint phase and resumes it,
// on the GPU: the device executor must save its weights and Adam moments
// in the checkpoint and take them up again, so the resumed run ends with
// the uninterrupted run's state, bit for bit (the stand-in, like a GPU,
// computes the same bits every time).
func TestGPUResumeExact(t *testing.T) {
	cfg := smallConfig(true)
	refDir, dir := t.TempDir(), t.TempDir()
	ref := runWith(t, cfg, gpuOptions(t, refDir))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := gpuOptions(t, dir)
	opts.Progress = func(p Progress) {
		if p.Step == 7 {
			cancel()
		}
	}
	tr, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Run(ctx)
	tr.Close()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run returned %v", err)
	}
	tr, err = Resume(cfg, gpuOptions(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Run(context.Background())
	tr.Close()
	if err != nil {
		t.Fatal(err)
	}
	sameCheckpoints(t, ref.Checkpoint, res.Checkpoint)
	sameSteps(t, stepRecords(t, filepath.Join(refDir, LogName)), stepRecords(t, filepath.Join(dir, LogName)), cfg.Steps)
}

// TestGPUUnavailable: asking for a GPU where the CUDA libraries are not
// found fails at New with the loader's reason, and starts nothing.
func TestGPUUnavailable(t *testing.T) {
	dir := t.TempDir()
	missing := cuda.Config{Driver: []string{filepath.Join(dir, "libcuda.so.1")}}
	_, err := New(smallConfig(false), Options{Dir: dir, Device: device.Choice{Kind: device.CUDA}, CUDA: &missing})
	if !errors.Is(err, cuda.ErrNoDriver) || !strings.Contains(err.Error(), "--device cuda:0") {
		t.Fatalf("New on a machine without the driver: %v; want an error wrapping cuda.ErrNoDriver that names the device", err)
	}
}
