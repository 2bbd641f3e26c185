package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gorgonia.org/tensor"

	"framepred/cuda"
	"framepred/gpu"
	"framepred/model"
	"framepred/optim"
)

// Parity tolerances on a GPU: cuBLAS and the CPU kernels sum in other
// orders than each other, so values agree to float32 rounding of sums of
// a few thousand terms. Losses within 1e-4 relative, gradients within 1e-3
// of each tensor's largest magnitude; weights after Adam within 1e-2·lr
// (a step moves a weight by about lr·g/(|g|+eps), which rounding can turn
// around only for gradients at the rounding noise level).
const (
	tolLoss   = 1e-4
	tolGrad   = 1e-3
	tolWeight = 1e-2 // times the learning rate
)

// stepper is what gpu.Executor and gpu.CPU share.
type stepper interface {
	Load(x, y *tensor.Dense, roll int) error
	Gen(full bool) (gpu.Losses, error)
	Predict() error
	Disc() (float64, error)
	UpdateG(a *optim.Adam) error
	UpdateD(a *optim.Adam) error
	Grads(disc bool) ([][]float32, error)
}

type stepResult struct {
	l      gpu.Losses
	d      float64
	gp, gd [][]float32
	took   time.Duration
}

func runPhase(e stepper, phase string, x, y *tensor.Dense, roll int, aG, aD *optim.Adam) (res stepResult, err error) {
	t0 := time.Now()
	if err = e.Load(x, y, roll); err != nil {
		return
	}
	if phase == "disc" {
		err = e.Predict()
	} else {
		res.l, err = e.Gen(phase == "joint")
		if err == nil {
			res.gp, err = e.Grads(false)
		}
	}
	if err != nil {
		return
	}
	if phase != "recon" {
		if res.d, err = e.Disc(); err != nil {
			return
		}
		if res.gd, err = e.Grads(true); err != nil {
			return
		}
	}
	if phase != "disc" {
		if err = e.UpdateG(aG); err != nil {
			return
		}
	}
	if phase != "recon" {
		err = e.UpdateD(aD)
	}
	res.took = time.Since(t0)
	return
}

// parity runs steps of every phase (joint, discriminator warm-up,
// reconstruction, joint, ...) on the GPU and the CPU from the same weights
// and batches, and compares every loss, gradient and updated weight.
func parity(c *cuda.Context, spec netSpec, steps int, graphs bool, seed int64) error {
	if steps == 0 {
		steps = 4
	}
	gn, err := spec.build(seed)
	if err != nil {
		return err
	}
	cn, err := spec.build(seed)
	if err != nil {
		return err
	}
	ge, err := gpu.New(c, gn, spec.batch, spec.h, spec.w, gpu.Options{Graphs: graphs})
	if err != nil {
		return err
	}
	defer ge.Close()
	ce, err := gpu.NewCPU(cn, spec.batch, spec.h, spec.w)
	if err != nil {
		return err
	}
	defer ce.Close()
	gG, gD := adams()
	cG, cD := adams()
	r := rand.New(rand.NewPCG(uint64(seed), 1))
	var fails []string
	fail := func(format string, a ...any) {
		s := fmt.Sprintf(format, a...)
		fails = append(fails, s)
		fmt.Println("  FAIL", s)
	}
	phases := []string{"joint", "disc", "recon"}
	for i := range steps {
		phase := phases[i%len(phases)]
		x, y := batch(r, spec, spec.batch)
		roll := 1 + i%(spec.batch-1)
		g, err := runPhase(ge, phase, x, y, roll, gG, gD)
		if err != nil {
			return fmt.Errorf("GPU step %d: %w", i+1, err)
		}
		cr, err := runPhase(ce, phase, x, y, roll, cG, cD)
		if err != nil {
			return fmt.Errorf("CPU step %d: %w", i+1, err)
		}
		fmt.Printf("step %d (%s): GPU %v, CPU %v\n", i+1, phase, g.took.Round(time.Microsecond), cr.took.Round(time.Microsecond))
		where := fmt.Sprintf("step %d (%s)", i+1, phase)
		if phase != "disc" {
			lossCheck(fail, where+" total", g.l.Total, cr.l.Total)
			for j, name := range cr.l.Names {
				lossCheck(fail, where+" "+name, g.l.Terms[j], cr.l.Terms[j])
			}
			tensorCheck(fail, where+" predictor gradients", g.gp, cr.gp)
		}
		if phase != "recon" {
			lossCheck(fail, where+" discriminator loss", g.d, cr.d)
			tensorCheck(fail, where+" discriminator gradients", g.gd, cr.gd)
		}
		if err := ge.Sync(gG, gD); err != nil {
			return err
		}
		weightCheck(fail, where+" predictor weights", gn.P.Params(), cn.P.Params(), gG.LR)
		weightCheck(fail, where+" discriminator weights", gn.D.Params(), cn.D.Params(), gD.LR)
	}
	fmt.Print(ge.Stats().String())
	if len(fails) > 0 {
		return fmt.Errorf("parity: %d checks failed", len(fails))
	}
	fmt.Printf("parity: GPU and CPU agree over %d steps (losses %g, gradients %g, weights %g·lr)\n", steps, tolLoss, tolGrad, tolWeight)
	return nil
}

func lossCheck(fail func(string, ...any), what string, got, want float64) {
	e := math.Abs(got-want) / math.Max(math.Abs(want), 1e-6)
	fmt.Printf("  %-40s GPU %.8g CPU %.8g rel %.2g\n", what, got, want, e)
	if !(e <= tolLoss) {
		fail("%s: relative error %.3g > %g", what, e, tolLoss)
	}
}

func tensorCheck(fail func(string, ...any), what string, got, want [][]float32) {
	if len(got) != len(want) {
		fail("%s: %d tensors, want %d", what, len(got), len(want))
		return
	}
	worst := 0.0
	for i := range want {
		scale, d := 1e-6, 0.0
		for j := range want[i] {
			scale = math.Max(scale, math.Abs(float64(want[i][j])))
			d = math.Max(d, math.Abs(float64(got[i][j])-float64(want[i][j])))
		}
		e := d / scale
		if math.IsNaN(e) {
			e = math.Inf(1)
		}
		worst = math.Max(worst, e)
	}
	fmt.Printf("  %-40s worst relative error %.2g\n", what, worst)
	if !(worst <= tolGrad) {
		fail("%s: relative error %.3g > %g", what, worst, tolGrad)
	}
}

func weightCheck(fail func(string, ...any), what string, got, want []model.Param, lr float64) {
	worst := 0.0
	for i := range want {
		g, w := got[i].Value.Float32s(), want[i].Value.Float32s()
		for j := range w {
			d := math.Abs(float64(g[j]) - float64(w[j]))
			if math.IsNaN(d) {
				d = math.Inf(1)
			}
			worst = math.Max(worst, d)
		}
	}
	fmt.Printf("  %-40s worst difference %.2g (lr %g)\n", what, worst, lr)
	if !(worst <= tolWeight*lr) {
		fail("%s: difference %.3g > %g", what, worst, tolWeight*lr)
	}
}
