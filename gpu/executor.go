package gpu

import (
	"errors"
	"fmt"
	"slices"
	"time"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/cuda"
	"framepred/model"
)

// Options tune an Executor; the zero value is the default.
type Options struct {
	// WorkLimit caps each pass's im2col workspace, in float32 values; 0
	// means DefaultWorkLimit. Convolutions whose batch needs more work in
	// chunks of images.
	WorkLimit int
	// Profile records the GPU time of every node, summed by kind of op
	// (Stats.Kernels); it costs an event per node, and the passes run
	// without graphs.
	Profile bool
	// Graphs captures each pass as a CUDA graph on its first run and
	// replays it: one launch per pass instead of one per kernel. A pass
	// that cannot be captured runs kernel by kernel, and Stats says why.
	Graphs bool
}

// DefaultWorkLimit is the default im2col workspace: 2²⁶ values, 256 MiB.
const DefaultWorkLimit = 1 << 26

// Executor runs training steps on a device: the passes of framepred/train
// (the predictor's objective with its gradients, the predictor forward,
// the discriminator's loss with its gradients) and the Adam updates, with
// every tensor in device memory. Per step only the batch goes up and the
// losses come down; parameters, gradients and Adam's moments stay on the
// device until Sync copies them back.
//
// An Executor is not safe for concurrent use.
type Executor struct {
	c   *cuda.Context
	n   Nets
	opt Options
	s   shapes

	x, y, fake, mis cuda.Buffer
	loss, bad       cuda.Buffer // losses read after a pass; Adam's flag
	owned           []cuda.Buffer
	pg, dg          *arena

	gen        [2]*compiled // reconstruction terms only, full objective
	fwd, disc  *compiled
	start, end *cuda.Event
	stats      Stats
}

// compiled is a pass and its program.
type compiled struct {
	name  string
	pass  *pass
	prog  *program
	nread int // values of loss read after a run: the total and each part
}

// maxRead is the most loss values a pass reads: the total and its parts.
const maxRead = 16

// New prepares an executor for batches of batch samples of h×w frames on
// c. It uploads both networks' weights; the passes are compiled on first
// use. The networks' tensors are read here and written by Sync only.
func New(c *cuda.Context, n Nets, batch, h, w int, opt Options) (e *Executor, err error) {
	if n.P == nil {
		return nil, errors.New("gpu: no predictor")
	}
	if opt.WorkLimit <= 0 {
		opt.WorkLimit = DefaultWorkLimit
	}
	e = &Executor{c: c, n: n, opt: opt, s: shapesOf(n, batch, h, w), stats: newStats()}
	defer func() {
		if err != nil {
			err = errors.Join(err, e.Close())
			e = nil
		}
	}()
	size := func(s []int) int { return s[0] * s[1] * s[2] * s[3] }
	for _, b := range []struct {
		dst *cuda.Buffer
		n   int
	}{{&e.x, size(e.s.x)}, {&e.y, size(e.s.y)}, {&e.fake, size(e.s.y)}, {&e.mis, size(e.s.y)}, {&e.loss, maxRead}, {&e.bad, 1}} {
		if *b.dst, err = e.alloc(b.n); err != nil {
			return e, err
		}
	}
	if e.pg, err = newArena(c, "predictor", n.P.Params()); err != nil {
		return e, err
	}
	if n.D != nil {
		if e.dg, err = newArena(c, "discriminator", n.D.Params()); err != nil {
			return e, err
		}
	}
	if e.start, err = c.NewEvent(); err != nil {
		return e, err
	}
	if e.end, err = c.NewEvent(); err != nil {
		return e, err
	}
	return e, nil
}

func (e *Executor) alloc(n int) (cuda.Buffer, error) {
	b, err := e.c.Alloc(n)
	if err == nil {
		e.owned = append(e.owned, b)
	}
	return b, err
}

// Context is the device context the executor runs on.
func (e *Executor) Context() *cuda.Context { return e.c }

// Load copies a batch to the device: contexts x ((K·C)×N×H×W) and next
// frames y (C×N×H×W); the mismatched pairs are y with its samples rotated
// by roll (model.Roll), when the discriminator uses them.
func (e *Executor) Load(x, y *tensor.Dense, roll int) error {
	if !slices.Equal(x.Shape(), e.s.x) || !slices.Equal(y.Shape(), e.s.y) {
		return fmt.Errorf("gpu: batch of shapes %v and %v, the executor takes %v and %v", x.Shape(), y.Shape(), e.s.x, e.s.y)
	}
	if err := e.c.CopyIn(e.x, x.Float32s()); err != nil {
		return err
	}
	if err := e.c.CopyIn(e.y, y.Float32s()); err != nil {
		return err
	}
	if e.n.D == nil || e.n.Mismatch == 0 {
		return nil
	}
	r, err := model.Roll(y, roll)
	if err != nil {
		return fmt.Errorf("gpu: mismatched pairs: %w", err)
	}
	return e.c.CopyIn(e.mis, r.Float32s())
}

// Losses are the values of an objective's terms (unweighted, in the order
// of its weights) and of the weighted total.
type Losses struct {
	Names []string
	Terms []float64
	Total float64
}

// Gen runs the predictor's objective forward and backward, the
// reconstruction terms only or, with full, the whole objective through the
// discriminator, and keeps the clamped prediction for Disc. The gradients
// wait on the device for UpdateG.
func (e *Executor) Gen(full bool) (Losses, error) {
	i := 0
	if full {
		i = 1
	}
	if e.gen[i] == nil {
		cp, err := e.compileGen(full)
		if err != nil {
			return Losses{}, err
		}
		e.gen[i] = cp
	}
	cp := e.gen[i]
	vals, err := e.run(cp)
	if err != nil {
		return Losses{}, err
	}
	out := Losses{Total: float64(vals[0])}
	for j, p := range cp.pass.parts {
		out.Names = append(out.Names, p.Name)
		out.Terms = append(out.Terms, float64(vals[1+j]))
	}
	return out, nil
}

// Predict runs the predictor forward only and keeps the clamped prediction
// for Disc.
func (e *Executor) Predict() error {
	if e.fwd == nil {
		ps, err := buildPredict(e.n, e.s, inputs{})
		if err != nil {
			return err
		}
		if e.fwd, err = e.compile("predict", ps, nil, e.pg); err != nil {
			return err
		}
	}
	_, err := e.run(e.fwd)
	return err
}

// Disc runs the discriminator's loss forward and backward on the real next
// frames, the kept prediction and the mismatched pairs.
func (e *Executor) Disc() (float64, error) {
	if e.dg == nil {
		return 0, errors.New("gpu: no discriminator")
	}
	if e.disc == nil {
		ps, err := buildDisc(e.n, e.s, inputs{})
		if err != nil {
			return 0, err
		}
		if e.disc, err = e.compile("disc", ps, e.dg, nil); err != nil {
			return 0, err
		}
	}
	vals, err := e.run(e.disc)
	if err != nil {
		return 0, err
	}
	return float64(vals[0]), nil
}

func (e *Executor) compileGen(full bool) (*compiled, error) {
	ps, err := buildGen(e.n, e.s, inputs{}, full)
	if err != nil {
		return nil, err
	}
	name := "gen"
	if full {
		name = "gen+adv"
	}
	return e.compile(name, ps, e.pg, e.dg)
}

// compile binds a pass's inputs, the trained network's parameters (train,
// with its gradients as destinations) and the other network's (frozen),
// and builds its program.
func (e *Executor) compile(name string, ps *pass, train, frozen *arena) (*compiled, error) {
	pl := plan{name: name, bound: map[*G.Node]cuda.Buffer{}, workLimit: e.opt.WorkLimit, graphs: e.opt.Graphs}
	for k, n := range ps.in {
		b, ok := map[string]cuda.Buffer{"x": e.x, "y": e.y, "real": e.y, "fake": e.fake, "mismatched": e.mis}[k]
		if !ok {
			return nil, fmt.Errorf("gpu: %s: unknown input %s", name, k)
		}
		pl.bound[n] = b
	}
	bind := func(a *arena, nodes []*G.Node) error {
		if len(nodes) == 0 {
			return nil
		}
		if a == nil || len(nodes) != len(a.params) {
			return fmt.Errorf("gpu: %s: %d parameter nodes for the networks' parameters", name, len(nodes))
		}
		for i, n := range nodes {
			pl.bound[n] = a.slice(a.val, i)
		}
		return nil
	}
	if err := bind(train, ps.params); err != nil {
		return nil, err
	}
	if err := bind(frozen, ps.frozen); err != nil {
		return nil, err
	}
	for i, g := range ps.grads {
		pl.dest = append(pl.dest, destination{g, train.slice(train.grad, i)})
	}
	if ps.fake != nil {
		pl.dest = append(pl.dest, destination{ps.fake, e.fake})
	}
	nread := 0
	if ps.total != nil {
		if 1+len(ps.parts) > maxRead {
			return nil, fmt.Errorf("gpu: %s: %d loss terms, at most %d", name, len(ps.parts), maxRead-1)
		}
		pl.dest = append(pl.dest, destination{ps.total, e.loss.Slice(0, 1)})
		for j, p := range ps.parts {
			pl.dest = append(pl.dest, destination{p.Node, e.loss.Slice(1+j, 2+j)})
		}
		nread = 1 + len(ps.parts)
	}
	prog, err := compile(e.c, ps.roots(), pl)
	if err != nil {
		return nil, err
	}
	return &compiled{name: name, pass: ps, prog: prog, nread: nread}, nil
}

// run queues a pass between the timing events and reads its losses,
// which waits for it.
func (e *Executor) run(cp *compiled) ([]float32, error) {
	t0 := time.Now()
	if err := e.start.Record(); err != nil {
		return nil, err
	}
	if err := cp.prog.run(e.opt.Profile); err != nil {
		return nil, err
	}
	if err := e.end.Record(); err != nil {
		return nil, err
	}
	vals := make([]float32, cp.nread)
	if err := e.c.CopyOut(vals, e.loss); err != nil {
		return nil, fmt.Errorf("gpu: %s: %w", cp.name, err)
	}
	gpu, err := e.c.Elapsed(e.start, e.end)
	if err != nil {
		return nil, err
	}
	e.stats.add(cp.name, gpu, time.Since(t0))
	e.stats.Passes[cp.name].Graph = cp.prog.graph != nil
	if cp.prog.graphErr != nil {
		e.stats.Passes[cp.name].GraphErr = cp.prog.graphErr.Error()
	}
	if e.opt.Profile {
		if err := cp.prog.profile(e.stats.Kernels); err != nil {
			return nil, err
		}
	}
	return vals, nil
}

// Close frees the device memory the executor holds (not the context).
func (e *Executor) Close() error {
	var errs []error
	for _, cp := range []*compiled{e.gen[0], e.gen[1], e.fwd, e.disc} {
		if cp != nil {
			errs = append(errs, cp.prog.close())
		}
	}
	e.gen, e.fwd, e.disc = [2]*compiled{}, nil, nil
	for _, ar := range []*arena{e.pg, e.dg} {
		if ar != nil {
			errs = append(errs, ar.close(e.c))
		}
	}
	e.pg, e.dg = nil, nil
	for _, b := range e.owned {
		errs = append(errs, e.c.Free(b))
	}
	e.owned = nil
	for _, ev := range []*cuda.Event{e.start, e.end} {
		if ev != nil {
			errs = append(errs, ev.Destroy())
		}
	}
	e.start, e.end = nil, nil
	return errors.Join(errs...)
}
