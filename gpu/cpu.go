package gpu

import (
	"errors"
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/model"
	"framepred/optim"
)

// CPU runs the same passes as Executor, from the same graphs, on
// gorgonia's tape machines with framepred/ops's CPU kernels: the reference
// the GPU is checked against, and the CPU side of speed comparisons. It
// trains the networks' tensors in place.
type CPU struct {
	n               Nets
	s               shapes
	x, y, fake, mis *tensor.Dense
	gen             [2]*cpuPass
	fwd, disc       *cpuPass
	last            *cpuPass // the generator pass run last
}

type cpuPass struct {
	pass *pass
	vm   G.VM
	ps   []optim.Param
}

// NewCPU prepares the CPU twin of New.
func NewCPU(n Nets, batch, h, w int) (*CPU, error) {
	if n.P == nil {
		return nil, errors.New("gpu: no predictor")
	}
	s := shapesOf(n, batch, h, w)
	t := func(shape []int) *tensor.Dense {
		return tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(shape...))
	}
	return &CPU{n: n, s: s, x: t(s.x), y: t(s.y), fake: t(s.y), mis: t(s.y)}, nil
}

func (e *CPU) in() inputs { return inputs{x: e.x, y: e.y, fake: e.fake, mis: e.mis} }

func (e *CPU) machine(p *pass, train bool) *cpuPass {
	var opts []G.VMOpt
	if train {
		opts = append(opts, G.BindDualValues(p.params...))
	}
	return &cpuPass{pass: p, vm: G.NewTapeMachine(p.g, opts...)}
}

// Load is Executor.Load.
func (e *CPU) Load(x, y *tensor.Dense, roll int) error {
	if !x.Shape().Eq(e.x.Shape()) || !y.Shape().Eq(e.y.Shape()) {
		return fmt.Errorf("gpu: batch of shapes %v and %v, the CPU executor takes %v and %v", x.Shape(), y.Shape(), e.x.Shape(), e.y.Shape())
	}
	copy(e.x.Float32s(), x.Float32s())
	copy(e.y.Float32s(), y.Float32s())
	if e.n.D == nil || e.n.Mismatch == 0 {
		return nil
	}
	r, err := model.Roll(y, roll)
	if err != nil {
		return fmt.Errorf("gpu: mismatched pairs: %w", err)
	}
	copy(e.mis.Float32s(), r.Float32s())
	return nil
}

func runVM(p *cpuPass) error {
	p.vm.Reset()
	return p.vm.RunAll()
}

func scalarValue(n *G.Node) (float64, error) {
	if v, ok := n.Value().(*G.F32); ok {
		return float64(*v), nil
	}
	return 0, fmt.Errorf("gpu: %s holds %T, not a float32 scalar", n.Name(), n.Value())
}

// Gen is Executor.Gen.
func (e *CPU) Gen(full bool) (Losses, error) {
	i := 0
	if full {
		i = 1
	}
	if e.gen[i] == nil {
		p, err := buildGen(e.n, e.s, e.in(), full)
		if err != nil {
			return Losses{}, err
		}
		e.gen[i] = e.machine(p, true)
	}
	cp := e.gen[i]
	if err := runVM(cp); err != nil {
		return Losses{}, fmt.Errorf("gpu: CPU predictor pass: %w", err)
	}
	e.last = cp
	if err := e.keep(cp.pass.fake); err != nil {
		return Losses{}, err
	}
	var out Losses
	var err error
	if out.Total, err = scalarValue(cp.pass.total); err != nil {
		return out, err
	}
	for _, p := range cp.pass.parts {
		v, err := scalarValue(p.Node)
		if err != nil {
			return out, err
		}
		out.Names, out.Terms = append(out.Names, p.Name), append(out.Terms, v)
	}
	return out, nil
}

func (e *CPU) keep(fake *G.Node) error {
	v, ok := fake.Value().(*tensor.Dense)
	if !ok {
		return fmt.Errorf("gpu: the prediction holds %T", fake.Value())
	}
	copy(e.fake.Float32s(), v.Float32s())
	return nil
}

// Predict is Executor.Predict.
func (e *CPU) Predict() error {
	if e.fwd == nil {
		p, err := buildPredict(e.n, e.s, e.in())
		if err != nil {
			return err
		}
		e.fwd = e.machine(p, false)
	}
	if err := runVM(e.fwd); err != nil {
		return fmt.Errorf("gpu: CPU prediction: %w", err)
	}
	return e.keep(e.fwd.pass.fake)
}

// Disc is Executor.Disc.
func (e *CPU) Disc() (float64, error) {
	if e.disc == nil {
		p, err := buildDisc(e.n, e.s, e.in())
		if err != nil {
			return 0, err
		}
		e.disc = e.machine(p, true)
	}
	if err := runVM(e.disc); err != nil {
		return 0, fmt.Errorf("gpu: CPU discriminator pass: %w", err)
	}
	return scalarValue(e.disc.pass.total)
}

func (e *CPU) params(p *cpuPass) ([]optim.Param, error) {
	if p.ps == nil {
		ps, err := optim.FromNodes(p.pass.params)
		if err != nil {
			return nil, err
		}
		p.ps = ps
	}
	return p.ps, nil
}

// UpdateG is Executor.UpdateG: optim.Adam on the predictor's tensors.
func (e *CPU) UpdateG(a *optim.Adam) error {
	if e.last == nil {
		return errors.New("gpu: UpdateG before Gen")
	}
	ps, err := e.params(e.last)
	if err != nil {
		return err
	}
	return a.Step(ps)
}

// UpdateD is Executor.UpdateD.
func (e *CPU) UpdateD(a *optim.Adam) error {
	if e.disc == nil {
		return errors.New("gpu: UpdateD before Disc")
	}
	ps, err := e.params(e.disc)
	if err != nil {
		return err
	}
	return a.Step(ps)
}

// Fake is Executor.Fake.
func (e *CPU) Fake() []float32 { return append([]float32(nil), e.fake.Float32s()...) }

// Grads is Executor.Grads: copies of the gradients of the last Gen (or
// Disc).
func (e *CPU) Grads(disc bool) ([][]float32, error) {
	p := e.last
	if disc {
		p = e.disc
	}
	if p == nil {
		return nil, errors.New("gpu: no pass run yet")
	}
	ps, err := e.params(p)
	if err != nil {
		return nil, err
	}
	out := make([][]float32, len(ps))
	for i, q := range ps {
		out[i] = append([]float32(nil), q.Grad.Float32s()...)
	}
	return out, nil
}

// Close releases the tape machines.
func (e *CPU) Close() error {
	var errs []error
	for _, p := range []*cpuPass{e.gen[0], e.gen[1], e.fwd, e.disc} {
		if p != nil {
			errs = append(errs, p.vm.Close())
		}
	}
	return errors.Join(errs...)
}
