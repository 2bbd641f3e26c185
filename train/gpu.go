package train

import (
	"errors"
	"fmt"

	"gorgonia.org/tensor"

	"framepred/cuda"
	"framepred/device"
	"framepred/gpu"
	"framepred/optim"
)

// gpuExecutor runs the training passes on a CUDA device with framepred/gpu:
// weights, gradients and Adam's moments stay in device memory, and only
// batches go up and losses come down. Validation runs on the CPU executor,
// after the weights are copied back; so do checkpoints (sync).
type gpuExecutor struct {
	e            *gpu.Executor
	c            *cuda.Context
	cpu          *cpuExecutor // evaluation
	adamG, adamD *optim.Adam  // the optimisers last used, whose state sync restores
}

func newGPUExecutor(n nets, batch, h, w int, d device.Choice, cfg cuda.Config) (ex *gpuExecutor, err error) {
	rt, err := cuda.LoadWith(cfg)
	if err != nil {
		return nil, fmt.Errorf("train: --device %v: %w", d, err)
	}
	c, err := rt.Open(d.GPU.Ordinal)
	if err != nil {
		return nil, fmt.Errorf("train: --device %v: %w", d, err)
	}
	e, err := gpu.New(c, gpu.Nets{P: n.p, D: n.d, Weights: n.weights, Recon: n.recon, GAN: n.gan, Ext: n.ext, Mismatch: n.mismatch},
		batch, h, w, gpu.Options{})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("train: --device %v: %w", d, err), c.Close())
	}
	return &gpuExecutor{e: e, c: c, cpu: newCPUExecutor(n, batch, h, w)}, nil
}

func (g *gpuExecutor) load(x, y *tensor.Dense, roll int) error { return g.e.Load(x, y, roll) }

func (g *gpuExecutor) gen(full bool) (lossOut, error) {
	l, err := g.e.Gen(full)
	if err != nil {
		return lossOut{}, err
	}
	return lossOut{names: l.Names, terms: l.Terms, total: l.Total}, nil
}

func (g *gpuExecutor) predict() error         { return g.e.Predict() }
func (g *gpuExecutor) disc() (float64, error) { return g.e.Disc() }

func (g *gpuExecutor) updateG(a *optim.Adam) error {
	g.adamG = a
	return g.e.UpdateG(a)
}

func (g *gpuExecutor) updateD(a *optim.Adam) error {
	g.adamD = a
	return g.e.UpdateD(a)
}

func (g *gpuExecutor) eval(x, y *tensor.Dense) (lossOut, *tensor.Dense, error) {
	if err := g.sync(); err != nil {
		return lossOut{}, nil, err
	}
	return g.cpu.eval(x, y)
}

func (g *gpuExecutor) sync() error { return g.e.Sync(g.adamG, g.adamD) }

// close copies the weights back, so the networks hold what was trained,
// and releases the device.
func (g *gpuExecutor) close() error {
	return errors.Join(g.sync(), g.e.Close(), g.c.Close(), g.cpu.close())
}
