package gpu

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/cuda"
)

// program is a gorgonia graph compiled for a device: its nodes in an order
// that runs every node after its inputs, a device buffer for every value
// and one step per node that queues the node's kernels.
//
// Buffers are planned once, when the program is built: each node's output
// gets a buffer when the node runs and gives it back to the program's own
// free list after its last reader, so a value's memory serves later values
// of a size that fits. The plan is fixed, so a run allocates nothing.
// Buffers bound by the caller (inputs, parameters, destinations) are never
// reused; constants (frozen extractor weights, loss weights) are uploaded
// once.
type program struct {
	c     *cuda.Context
	name  string
	steps []step
	owned []cuda.Buffer // to free on close
	work  cuda.Buffer   // convolution workspace, shared by every step
	red   cuda.Buffer   // reduction workspace
	bufs  map[*G.Node]cuda.Buffer

	workLimit int // the most values an im2col workspace may hold

	events []*cuda.Event // for profiling: one before each step, one after the last

	graphs   bool        // replay the steps as a CUDA graph
	graph    *cuda.Graph // captured on the first run
	graphErr error       // why the steps could not be captured; they run one by one
}

// step queues one node's work; label names its kind, for profiles.
type step struct {
	label string
	run   func() error
}

// plan is what compile needs besides the graph.
type plan struct {
	name string
	// bound are values that live outside the program: inputs and
	// parameters, read only by it.
	bound map[*G.Node]cuda.Buffer
	// dest are values the program must leave in given buffers: gradients,
	// the prediction, losses to read. A node computed by the program
	// writes there directly when it can.
	dest []destination
	// workLimit caps the convolution workspace, in float32 values.
	workLimit int
	// graphs captures the program as a CUDA graph on its first run and
	// replays that; where capturing fails, the steps run one by one.
	graphs bool
}

type destination struct {
	node *G.Node
	buf  cuda.Buffer
}

// compile builds the program computing roots (and everything they need).
func compile(c *cuda.Context, roots []*G.Node, pl plan) (p *program, err error) {
	p = &program{c: c, name: pl.name, bufs: map[*G.Node]cuda.Buffer{}, workLimit: pl.workLimit, graphs: pl.graphs}
	defer func() {
		if err != nil {
			err = errors.Join(fmt.Errorf("gpu: %s: %w", pl.name, err), p.close())
			p = nil
		}
	}()
	order := topoOrder(roots)
	last := map[*G.Node]int{}
	for i, n := range order {
		for _, ch := range children(n) {
			last[ch] = i
		}
	}
	pinned := map[*G.Node]bool{}
	direct := map[*G.Node]cuda.Buffer{}
	var copies []destination
	for _, d := range pl.dest {
		pinned[d.node] = true
		if _, taken := direct[d.node]; taken || d.node.Op() == nil || isConstant(d.node) {
			copies = append(copies, d)
			continue
		}
		if d.buf.Len() != d.node.Shape().TotalSize() {
			return p, fmt.Errorf("destination of %s holds %d values, the node %d", d.node.Name(), d.buf.Len(), d.node.Shape().TotalSize())
		}
		direct[d.node] = d.buf
	}
	free, freed := &freeList{}, map[*G.Node]bool{}
	var work, red int
	for i, n := range order {
		if n.Dtype() != tensor.Float32 {
			return p, fmt.Errorf("node %s is %v; the GPU runs float32 only", n.Name(), n.Dtype())
		}
		size := n.Shape().TotalSize()
		switch {
		case n.Op() == nil:
			b, ok := pl.bound[n]
			if !ok {
				if b, err = p.upload(n); err != nil {
					return p, err
				}
			}
			p.bufs[n] = b
			continue
		case isConstant(n):
			b, err := p.upload(n)
			if err != nil {
				return p, err
			}
			p.bufs[n] = b
			continue
		}
		out, ok := direct[n]
		if !ok {
			if out, err = free.get(p, size); err != nil {
				return p, err
			}
		}
		p.bufs[n] = out
		in := make([]cuda.Buffer, 0, 3)
		for _, ch := range children(n) {
			in = append(in, p.bufs[ch])
		}
		st, need, err := p.stepFor(n, in, out)
		if err != nil {
			return p, fmt.Errorf("node %s: %w", n.Name(), err)
		}
		p.steps = append(p.steps, st)
		work, red = max(work, need.work), max(red, need.red)
		for _, ch := range children(n) {
			if last[ch] == i && !pinned[ch] && !freed[ch] && ch.Op() != nil && !isConstant(ch) {
				freed[ch] = true
				free.put(p.bufs[ch])
			}
		}
	}
	for _, d := range copies {
		src, ok := p.bufs[d.node]
		if !ok {
			return p, fmt.Errorf("destination node %s is not computed", d.node.Name())
		}
		if src.Len() != d.buf.Len() {
			return p, fmt.Errorf("destination of %s holds %d values, the node %d", d.node.Name(), d.buf.Len(), src.Len())
		}
		p.steps = append(p.steps, step{"copy out", func() error { return p.c.Copy(d.buf, src) }})
	}
	if p.work, err = p.alloc(work); err != nil {
		return p, err
	}
	if p.red, err = p.alloc(red); err != nil {
		return p, err
	}
	return p, nil
}

// topoOrder lists the nodes roots depend on, each after its inputs: a
// depth-first walk from the roots in order, children in argument order, so
// the order is the same on every build.
func topoOrder(roots []*G.Node) []*G.Node {
	seen := map[*G.Node]bool{}
	var order []*G.Node
	var visit func(n *G.Node)
	visit = func(n *G.Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, ch := range children(n) {
			visit(ch)
		}
		order = append(order, n)
	}
	for _, r := range roots {
		visit(r)
	}
	return order
}

// children are a node's inputs, in the op's argument order.
func children(n *G.Node) []*G.Node {
	it := n.Graph().From(n.ID())
	out := make([]*G.Node, 0, it.Len())
	for it.Next() {
		out = append(out, it.Node().(*G.Node))
	}
	return out
}

// opType is the Go type of a node's op, e.g. "gorgonia.elemBinOp".
func opType(n *G.Node) string { return reflect.TypeOf(n.Op()).String() }

func isConstant(n *G.Node) bool {
	return n.Op() != nil && strings.HasPrefix(opType(n), "gorgonia.constant")
}

// upload copies a node's value (a constant, or an input nobody bound,
// such as an extractor's frozen weights) to the device once.
func (p *program) upload(n *G.Node) (cuda.Buffer, error) {
	var v []float32
	switch val := n.Value().(type) {
	case *G.F32:
		v = []float32{float32(*val)}
	case *tensor.Dense:
		if val.Dtype() != tensor.Float32 {
			return cuda.Buffer{}, fmt.Errorf("node %s holds %v", n.Name(), val.Dtype())
		}
		v = val.Float32s()
	default:
		return cuda.Buffer{}, fmt.Errorf("input node %s is not bound and holds %T, not a float32 value", n.Name(), n.Value())
	}
	b, err := p.c.Upload(v)
	if err != nil {
		return b, err
	}
	p.owned = append(p.owned, b)
	return b, nil
}

func (p *program) alloc(n int) (cuda.Buffer, error) {
	b, err := p.c.Alloc(n)
	if err == nil && n > 0 {
		p.owned = append(p.owned, b)
	}
	return b, err
}

// freeList hands out the program's buffers for values whose lives do not
// overlap: a free buffer at most twice the size wanted, the smallest such,
// else a new one.
type freeList struct {
	bufs []cuda.Buffer
	full map[uint64]cuda.Buffer // each allocation by its address
}

func (f *freeList) get(p *program, n int) (cuda.Buffer, error) {
	best := -1
	for i, b := range f.bufs {
		if b.Len() >= n && b.Len() <= 2*n && (best < 0 || b.Len() < f.bufs[best].Len()) {
			best = i
		}
	}
	if best >= 0 {
		b := f.bufs[best]
		f.bufs = append(f.bufs[:best], f.bufs[best+1:]...)
		return b.Slice(0, n), nil
	}
	b, err := p.alloc(n)
	if err != nil {
		return b, err
	}
	if f.full == nil {
		f.full = map[uint64]cuda.Buffer{}
	}
	f.full[b.Ptr()] = b
	return b, nil
}

// put gives back a buffer that get handed out, whole.
func (f *freeList) put(b cuda.Buffer) { f.bufs = append(f.bufs, f.full[b.Ptr()]) }

// run queues every step. A program with graphs captures its steps on the
// first run and from then on launches the graph: one call for the whole
// program. With profiling events (which a graph cannot hold) the steps run
// one by one, recording an event before each and one after the last.
func (p *program) run(profiled bool) error {
	if p.graphs && !profiled && p.graphErr == nil {
		if p.graph == nil {
			g, err := p.c.Capture(func() error { return p.queue(false) })
			if err != nil {
				p.graphErr = err
				return p.queue(false)
			}
			p.graph = g
		}
		return p.graph.Launch()
	}
	if profiled {
		if err := p.ensureEvents(); err != nil {
			return err
		}
	}
	return p.queue(profiled)
}

func (p *program) queue(profiled bool) error {
	for i, s := range p.steps {
		if profiled {
			if err := p.events[i].Record(); err != nil {
				return err
			}
		}
		if err := s.run(); err != nil {
			return fmt.Errorf("gpu: %s: %s: %w", p.name, s.label, err)
		}
	}
	if profiled {
		return p.events[len(p.steps)].Record()
	}
	return nil
}

func (p *program) ensureEvents() error {
	for len(p.events) < len(p.steps)+1 {
		e, err := p.c.NewEvent()
		if err != nil {
			return err
		}
		p.events = append(p.events, e)
	}
	return nil
}

// profile adds the GPU time of each step of the last profiled run to
// times, by label; it waits for the run to finish.
func (p *program) profile(times map[string]float64) error {
	for i, s := range p.steps {
		d, err := p.c.Elapsed(p.events[i], p.events[i+1])
		if err != nil {
			return err
		}
		times[s.label] += d.Seconds()
	}
	return nil
}

func (p *program) close() error {
	errs := []error{p.graph.Destroy()}
	p.graph = nil
	for _, e := range p.events {
		errs = append(errs, e.Destroy())
	}
	for _, b := range p.owned {
		errs = append(errs, p.c.Free(b))
	}
	p.owned, p.events = nil, nil
	return errors.Join(errs...)
}
