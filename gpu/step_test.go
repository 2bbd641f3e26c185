package gpu

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"framepred/cuda"
	"framepred/features"
	"framepred/losses"
	"framepred/model"
	"framepred/optim"
)

// stepConfig is a network pair and objective small enough for the
// stand-in's one-thread-at-a-time emulation.
type stepConfig struct {
	name     string
	p        model.Config
	d        model.DiscriminatorConfig
	losses   string
	gan      losses.GAN
	ext      string // "" for none
	mismatch float64
	batch    int
	h, w     int
}

func tinyConfigs() []stepConfig {
	p := model.Config{Kind: model.PredictorKind, Version: model.PredictorVersion, Context: 2, Channels: 1, Width: 4, Depth: 1}
	d := model.DiscriminatorConfig{Kind: model.DiscriminatorKind, Version: model.DiscriminatorVersion, Context: 2, Channels: 1, Downs: 2, Width: 4, MaxWidth: 8}
	rgb := p
	rgb.Channels, rgb.Residual = 3, true
	drgb := d
	drgb.Channels = 3
	return []stepConfig{
		{name: "mse+gdl+perceptual(edges)+adv, LSGAN", p: p, d: d, losses: "mse=1,gdl=1,perceptual=0.1,adv=0.05",
			ext: "edges", mismatch: 1, batch: 3, h: 8, w: 8},
		{name: "RGB residual, l1+perceptual(random)+adv, BCE", p: rgb, d: drgb, losses: "l1=1,perceptual=0.5,adv=0.1",
			gan: losses.NonSaturating, ext: "random", batch: 2, h: 8, w: 8},
	}
}

// twin builds the same networks (same seeds, so the same weights) twice:
// one set for the device, one for the CPU.
func (sc stepConfig) nets(t testing.TB) Nets {
	t.Helper()
	p, err := model.NewPredictor(sc.p, 1)
	must(t, err)
	d, err := model.NewDiscriminator(sc.d, 2)
	must(t, err)
	w, err := losses.ParseWeights(sc.losses)
	must(t, err)
	n := Nets{P: p, D: d, Weights: w, GAN: sc.gan, Mismatch: sc.mismatch}
	for _, term := range w {
		if term.Name != losses.TermAdv {
			n.Recon = append(n.Recon, term)
		}
	}
	if sc.ext != "" {
		if n.Ext, err = features.New(sc.ext, ""); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// stepper is what Executor and CPU share.
type stepper interface {
	Load(x, y *tensor.Dense, roll int) error
	Gen(full bool) (Losses, error)
	Predict() error
	Disc() (float64, error)
	UpdateG(a *optim.Adam) error
	UpdateD(a *optim.Adam) error
	Grads(disc bool) ([][]float32, error)
}

// TestStepMatchesCPU runs training steps of the adversarial recipe on the
// device and on the CPU, from the same weights and batches: a joint step
// (full objective, discriminator, both updates), a discriminator warm-up
// step (frozen predictor forward, discriminator) and a reconstruction
// step, checking every loss, gradient and updated weight.
//
// Each runs with the passes launched kernel by kernel and as CUDA graphs.
//
// Tolerances: losses agree to 1e-5 relative (float32 networks summed in
// different orders, measured ≤ 3e-7 here), gradients to 1e-4 of each
// tensor's largest magnitude. Updated weights are compared to 1e-2·lr:
// an Adam step moves each weight by about lr·g/(|g|+eps), which a tiny
// gradient's rounding noise can turn around only where |g| is itself at
// the noise level; the moments are compared the same way after Sync.
func TestStepMatchesCPU(t *testing.T) {
	c := testContext(t)
	for _, tc := range tinyConfigs() {
		for _, graphs := range []bool{false, true} {
			sc := tc
			name := sc.name
			if graphs {
				name += ", graphs"
			}
			t.Run(name, func(t *testing.T) { stepMatchesCPU(t, c, sc, graphs) })
		}
	}
}

func stepMatchesCPU(t *testing.T, c *cuda.Context, sc stepConfig, graphs bool) {
	gn, cn := sc.nets(t), sc.nets(t)
	ge, err := New(c, gn, sc.batch, sc.h, sc.w, Options{Graphs: graphs})
	must(t, err)
	defer func() { must(t, ge.Close()) }()
	ce, err := NewCPU(cn, sc.batch, sc.h, sc.w)
	must(t, err)
	defer func() { must(t, ce.Close()) }()
	adams := func() (*optim.Adam, *optim.Adam) {
		return &optim.Adam{LR: 2e-3, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8},
			&optim.Adam{LR: 1e-3, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-4}
	}
	gG, gD := adams()
	cG, cD := adams()
	r := rand.New(rand.NewPCG(21, 22))
	k, ch := sc.p.Context*sc.p.Channels, sc.p.Channels
	for i, phase := range []string{"joint", "disc", "recon", "joint"} {
		x, y := randTensor(r, 0, 1, k, sc.batch, sc.h, sc.w), randTensor(r, 0, 1, ch, sc.batch, sc.h, sc.w)
		roll := 1 + i%(sc.batch-1)
		step := func(e stepper, aG, aD *optim.Adam) (Losses, float64, [][]float32, [][]float32) {
			must(t, e.Load(x, y, roll))
			var l Losses
			var err error
			var gp, gd [][]float32
			if phase == "disc" {
				must(t, e.Predict())
			} else {
				l, err = e.Gen(phase == "joint")
				must(t, err)
				gp, err = e.Grads(false)
				must(t, err)
			}
			var dl float64
			if phase != "recon" {
				dl, err = e.Disc()
				must(t, err)
				gd, err = e.Grads(true)
				must(t, err)
			}
			if phase != "disc" {
				must(t, e.UpdateG(aG))
			}
			if phase != "recon" {
				must(t, e.UpdateD(aD))
			}
			return l, dl, gp, gd
		}
		gl, gdl, ggp, ggd := step(ge, gG, gD)
		cl, cdl, cgp, cgd := step(ce, cG, cD)
		where := fmt.Sprintf("step %d (%s)", i+1, phase)
		checkLoss(t, where+": total", gl.Total, cl.Total)
		for j := range cl.Terms {
			checkLoss(t, where+": "+cl.Names[j], gl.Terms[j], cl.Terms[j])
		}
		checkLoss(t, where+": discriminator", gdl, cdl)
		checkTensors(t, where+": predictor gradient", ggp, cgp, 1e-4, 1e-6)
		checkTensors(t, where+": discriminator gradient", ggd, cgd, 1e-4, 1e-6)

		must(t, ge.Sync(gG, gD))
		for _, pair := range []struct {
			who      string
			gpu, cpu []model.Param
			lr       float64
		}{{"predictor", gn.P.Params(), cn.P.Params(), gG.LR}, {"discriminator", gn.D.Params(), cn.D.Params(), gD.LR}} {
			var g, w [][]float32
			for j := range pair.gpu {
				g, w = append(g, pair.gpu[j].Value.Float32s()), append(w, pair.cpu[j].Value.Float32s())
			}
			checkAbs(t, where+": "+pair.who+" weights", g, w, 1e-2*pair.lr)
		}
		for _, a := range []struct {
			who      string
			gpu, cpu *optim.Adam
		}{{"predictor", gG, cG}, {"discriminator", gD, cD}} {
			gs, cs := a.gpu.State(), a.cpu.State()
			if gs.Step != cs.Step {
				t.Errorf("%s: %s Adam at step %d, the CPU's at %d", where, a.who, gs.Step, cs.Step)
			}
			if cs.Step > 0 {
				checkTensors(t, where+": "+a.who+" first moments", gs.M, cs.M, 1e-3, 1e-8)
			}
		}
	}
	if graphs && c.GraphsSupported() {
		for name, p := range ge.Stats().Passes {
			if name != "update" && !p.Graph {
				t.Errorf("pass %s ran without a graph: %s", name, p.GraphErr)
			}
		}
	}
}

func checkLoss(t *testing.T, what string, got, want float64) {
	t.Helper()
	if e := math.Abs(got-want) / math.Max(math.Abs(want), 1e-6); !(e <= 1e-5) {
		t.Errorf("%s: GPU %.8g, CPU %.8g (relative error %.2g, want ≤ 1e-5)", what, got, want, e)
	}
}

// checkTensors compares tensor by tensor, relative to each CPU tensor's
// largest magnitude (at least floor).
func checkTensors(t *testing.T, what string, got, want [][]float32, tol, floor float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d tensors, want %d", what, len(got), len(want))
		return
	}
	worst := 0.0
	for i := range want {
		e := relErr(got[i], want[i], floor)
		worst = math.Max(worst, e)
		if e > tol {
			t.Errorf("%s %d: relative error %.3g, want ≤ %g", what, i, e, tol)
		}
	}
	t.Logf("%s: worst relative error %.2g", what, worst)
}

// checkAbs compares values absolutely.
func checkAbs(t *testing.T, what string, got, want [][]float32, tol float64) {
	t.Helper()
	worst := 0.0
	for i := range want {
		for j := range want[i] {
			d := math.Abs(float64(got[i][j]) - float64(want[i][j]))
			if !(d <= tol) {
				t.Errorf("%s: tensor %d value %d: GPU %v, CPU %v, want within %g", what, i, j, got[i][j], want[i][j], tol)
				return
			}
			worst = math.Max(worst, d)
		}
	}
	t.Logf("%s: worst difference %.2g", what, worst)
}
