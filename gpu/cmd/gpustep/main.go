// Command gpustep measures framepred's training step on a GPU: its parity
// with the CPU, its speed, and device memory over many steps. It builds the
// step from the networks and losses directly (packages model, losses,
// features, gpu), as framepred/train does, without the video decoder, so it
// runs where FFmpeg is not installed.
//
//	gpustep -mode parity [-net demo|large] [-batch N]   GPU against CPU: losses, gradients, weights
//	gpustep -mode speed [-net demo|large] [-steps N] [-profile]
//	gpustep -mode memory [-steps 1000]                   device memory stays flat
//
// The networks: demo is the two-futures demo (model.DefaultConfig and
// model.DefaultDiscriminatorConfig, batch 32 of 4×32×32 gray); large is
// 8 RGB context frames at 128×128 (a width-16, depth-3 U-Net and a 3-layer
// patch discriminator), batch 32. Both train MSE + GDL + the edge-bank
// perceptual term + the LSGAN adversarial term, with mismatched pairs,
// one joint step (predictor objective, discriminator loss, both Adam
// updates) per step. scripts/gpu/torch_step.py is their PyTorch twin.
//
// It exits 1 when a check fails or the device cannot be used.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"gorgonia.org/tensor"

	"framepred/cuda"
	"framepred/device"
	"framepred/features"
	"framepred/gpu"
	"framepred/losses"
	"framepred/model"
	"framepred/optim"
)

// netSpec is one benchmark network pair and its batch.
type netSpec struct {
	p       model.Config
	d       model.DiscriminatorConfig
	batch   int
	h, w    int
	lossStr string
}

func specs() map[string]netSpec {
	demo := netSpec{p: model.DefaultConfig(), d: model.DefaultDiscriminatorConfig(), batch: 32, h: 32, w: 32,
		lossStr: "mse=1,gdl=1,perceptual=0.01,adv=0.05"}
	lp := model.RGB64Config()
	lp.Context = 8
	ld := model.DefaultDiscriminatorConfig()
	ld.Context, ld.Channels = 8, 3
	large := netSpec{p: lp, d: ld, batch: 32, h: 128, w: 128, lossStr: demo.lossStr}
	return map[string]netSpec{"demo": demo, "large": large}
}

// build makes the networks, with weights drawn from seed: two calls give
// the same weights.
func (s netSpec) build(seed int64) (gpu.Nets, error) {
	p, err := model.NewPredictor(s.p, seed)
	if err != nil {
		return gpu.Nets{}, err
	}
	d, err := model.NewDiscriminator(s.d, seed+1)
	if err != nil {
		return gpu.Nets{}, err
	}
	w, err := losses.ParseWeights(s.lossStr)
	if err != nil {
		return gpu.Nets{}, err
	}
	n := gpu.Nets{P: p, D: d, Weights: w, GAN: losses.LSGAN, Ext: features.Edges(), Mismatch: 1}
	for _, t := range w {
		if t.Name != losses.TermAdv {
			n.Recon = append(n.Recon, t)
		}
	}
	return n, nil
}

// adams are the optimisers of the step: framepred/train's defaults for
// an adversarial run (betas 0.5 for the predictor, as the demo recipe).
func adams() (g, d *optim.Adam) {
	return &optim.Adam{LR: 1e-3, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8}, &optim.Adam{LR: 1e-3, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8}
}

func batch(r *rand.Rand, s netSpec, n int) (x, y *tensor.Dense) {
	fill := func(shape ...int) *tensor.Dense {
		t := tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(shape...))
		for i, v := 0, t.Float32s(); i < len(v); i++ {
			v[i] = r.Float32()
		}
		return t
	}
	return fill(s.p.Context*s.p.Channels, n, s.h, s.w), fill(s.p.Channels, n, s.h, s.w)
}

func main() {
	devFlag := flag.String("device", "cuda", "device: "+device.Forms)
	mode := flag.String("mode", "speed", "parity, speed or memory")
	net := flag.String("net", "demo", "network: demo or large")
	batchN := flag.Int("batch", 0, "batch size (0: the network's, 32)")
	steps := flag.Int("steps", 0, "steps (0: 4 for parity, 100 for speed, 1000 for memory)")
	warmup := flag.Int("warmup", 10, "untimed steps before timing (speed)")
	profile := flag.Bool("profile", false, "speed: also time every kind of op (a second, profiled run)")
	graphs := flag.Bool("graphs", false, "run each pass as a CUDA graph (one launch per pass)")
	tf32 := flag.Bool("tf32", false, "let cuBLAS use TF32 tensor cores for the convolutions' products")
	seed := flag.Int64("seed", 1, "seed of the weights and batches")
	flag.Parse()
	if err := run(*devFlag, *mode, *net, *batchN, *steps, *warmup, *profile, *graphs, *tf32, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gpustep:", err)
		os.Exit(1)
	}
}

func run(devFlag, mode, net string, batchN, steps, warmup int, profile, graphs, tf32 bool, seed int64) error {
	spec, ok := specs()[net]
	if !ok {
		return fmt.Errorf("unknown network %q (want demo or large)", net)
	}
	if batchN > 0 {
		spec.batch = batchN
	}
	ds, err := device.Parse(devFlag)
	if err != nil {
		return err
	}
	cfg := cuda.DefaultConfig()
	choice, err := device.Resolve(ds, device.CUDAProber(cfg))
	if err != nil {
		return err
	}
	if choice.Kind != device.CUDA {
		return fmt.Errorf("no GPU: %s", choice.Reason)
	}
	rt, err := cuda.LoadWith(cfg)
	if err != nil {
		return err
	}
	c, err := rt.Open(choice.GPU.Ordinal)
	if err != nil {
		return err
	}
	defer c.Close()
	if tf32 {
		if err := c.SetTF32(true); err != nil {
			return err
		}
	}
	major, minor := rt.NVRTC().Version()
	bm, bn, bp, _ := rt.BLASVersion()
	fmt.Printf("device %v, driver CUDA %d.%d, cuBLAS %d.%d.%d, NVRTC %d.%d, kernels for %v\n", c.Device(),
		rt.DriverVersion()/1000, rt.DriverVersion()%1000/10, bm, bn, bp, major, minor, c.Target())
	if n, err := spec.build(seed); err == nil {
		fmt.Printf("net %s: predictor %+v (%d parameters), discriminator %+v (%d), batch %d of %d×%d, losses %s\n", net, spec.p,
			n.P.NumParams(), spec.d, n.D.NumParams(), spec.batch, spec.h, spec.w, spec.lossStr)
	}
	switch mode {
	case "parity":
		return parity(c, spec, max(steps, 0), graphs, seed)
	case "speed":
		if steps == 0 {
			steps = 100
		}
		return speed(c, net, spec, steps, warmup, profile, graphs, tf32, seed)
	case "memory":
		if steps == 0 {
			steps = 1000
		}
		return memory(c, spec, steps, graphs, seed)
	}
	return fmt.Errorf("unknown mode %q (want parity, speed or memory)", mode)
}

// jointStep is one step of the joint phase.
func jointStep(e *gpu.Executor, x, y *tensor.Dense, roll int, aG, aD *optim.Adam) (gpu.Losses, float64, error) {
	if err := e.Load(x, y, roll); err != nil {
		return gpu.Losses{}, 0, err
	}
	l, err := e.Gen(true)
	if err != nil {
		return l, 0, err
	}
	d, err := e.Disc()
	if err != nil {
		return l, 0, err
	}
	if err := e.UpdateG(aG); err != nil {
		return l, 0, err
	}
	return l, d, e.UpdateD(aD)
}

func speed(c *cuda.Context, net string, spec netSpec, steps, warmup int, profile, graphs, tf32 bool, seed int64) error {
	n, err := spec.build(seed)
	if err != nil {
		return err
	}
	for _, prof := range []bool{false, true} {
		if prof && !profile {
			break
		}
		e, err := gpu.New(c, n, spec.batch, spec.h, spec.w, gpu.Options{Profile: prof, Graphs: graphs})
		if err != nil {
			return err
		}
		r := rand.New(rand.NewPCG(uint64(seed), 2))
		x, y := batch(r, spec, spec.batch)
		aG, aD := adams()
		t0 := time.Now()
		var l gpu.Losses
		for i := range warmup {
			if l, _, err = jointStep(e, x, y, 1+i%(spec.batch-1), aG, aD); err != nil {
				return err
			}
			if i == 0 {
				fmt.Printf("first step (compiling kernels and programs) %v\n", time.Since(t0).Round(time.Millisecond))
			}
		}
		if err := c.Synchronize(); err != nil {
			return err
		}
		e.ResetStats()
		t0 = time.Now()
		for i := range steps {
			if l, _, err = jointStep(e, x, y, 1+i%(spec.batch-1), aG, aD); err != nil {
				return err
			}
		}
		if err := c.Synchronize(); err != nil {
			return err
		}
		wall := time.Since(t0)
		st := e.Stats()
		var gpuT time.Duration
		for _, p := range st.Passes {
			gpuT += p.GPU
		}
		per := wall / time.Duration(steps)
		label := "ours"
		switch {
		case prof:
			label = "ours-profiled"
		case graphs:
			label = "ours-graphs"
		}
		if tf32 {
			label += "-tf32"
		}
		fmt.Printf("%s net=%s batch=%d steps=%d steps_per_s=%.3f ms_per_step=%.3f gpu_ms_per_step=%.3f overhead_pct=%.1f loss=%.5g\n",
			label, net, spec.batch, steps, float64(steps)/wall.Seconds(), 1e3*per.Seconds(),
			1e3*gpuT.Seconds()/float64(steps), 100*(1-gpuT.Seconds()/wall.Seconds()), l.Total)
		fmt.Print(st.String())
		ms := e.MemStats()
		fmt.Printf("device memory: %.1f MiB reserved, peak %.1f MiB, %d driver allocations\n",
			float64(ms.Reserved)/(1<<20), float64(ms.Peak)/(1<<20), ms.DriverAllocs)
		if err := e.Close(); err != nil {
			return err
		}
	}
	return nil
}

func memory(c *cuda.Context, spec netSpec, steps int, graphs bool, seed int64) error {
	n, err := spec.build(seed)
	if err != nil {
		return err
	}
	e, err := gpu.New(c, n, spec.batch, spec.h, spec.w, gpu.Options{Graphs: graphs})
	if err != nil {
		return err
	}
	defer e.Close()
	r := rand.New(rand.NewPCG(uint64(seed), 3))
	aG, aD := adams()
	var first cuda.MemStats
	var firstFree uint64
	for i := 1; i <= steps; i++ {
		x, y := batch(r, spec, spec.batch)
		if _, _, err := jointStep(e, x, y, 1+i%(spec.batch-1), aG, aD); err != nil {
			return err
		}
		if i == 1 || i == 10 || i%(max(1, steps/4)) == 0 || i == steps {
			ms := e.MemStats()
			free, total, err := c.MemInfo()
			if err != nil {
				return err
			}
			fmt.Printf("step %5d: reserved %.1f MiB, in use %.1f MiB, %d driver allocations, %d reuses; device free %.1f of %.1f GiB\n",
				i, float64(ms.Reserved)/(1<<20), float64(ms.InUse)/(1<<20), ms.DriverAllocs, ms.Reuses,
				float64(free)/(1<<30), float64(total)/(1<<30))
			if i == 1 {
				first, firstFree = ms, free
				continue
			}
			if ms.Reserved != first.Reserved || ms.DriverAllocs != first.DriverAllocs {
				return fmt.Errorf("memory grew after step 1: %+v, after step 1 %+v", ms, first)
			}
			if firstFree > free+(64<<20) {
				return fmt.Errorf("the device's free memory fell by %.1f MiB after step 1", float64(firstFree-free)/(1<<20))
			}
		}
	}
	fmt.Printf("memory: flat over %d steps\n", steps)
	return nil
}
