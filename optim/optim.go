package optim

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Param is one parameter tensor and its gradient, both float32 and the same
// size.
type Param struct {
	Value, Grad *tensor.Dense
}

// FromNodes pairs each node's value with its gradient; the nodes must have
// been bound to a machine with G.BindDualValues.
func FromNodes(nodes []*G.Node) ([]Param, error) {
	ps := make([]Param, len(nodes))
	for i, n := range nodes {
		v, ok := n.Value().(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("optim: parameter %s has no tensor value", n.Name())
		}
		gv, err := n.Grad()
		if err != nil {
			return nil, fmt.Errorf("optim: parameter %s: %w", n.Name(), err)
		}
		g, ok := gv.(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("optim: parameter %s: gradient is a %T", n.Name(), gv)
		}
		ps[i] = Param{Value: v, Grad: g}
	}
	return ps, nil
}

// slices checks the parameters and returns their value and gradient data.
func slices(ps []Param) (vals, grads [][]float32, err error) {
	vals, grads = make([][]float32, len(ps)), make([][]float32, len(ps))
	for i, p := range ps {
		if p.Value == nil || p.Grad == nil {
			return nil, nil, fmt.Errorf("optim: parameter %d lacks a value or gradient", i)
		}
		if p.Value.Dtype() != tensor.Float32 || p.Grad.Dtype() != tensor.Float32 {
			return nil, nil, fmt.Errorf("optim: parameter %d is %v with a %v gradient, want float32", i, p.Value.Dtype(), p.Grad.Dtype())
		}
		if p.Value.DataSize() != p.Grad.DataSize() {
			return nil, nil, fmt.Errorf("optim: parameter %d has %d values but %d gradients", i, p.Value.DataSize(), p.Grad.DataSize())
		}
		vals[i], grads[i] = p.Value.Float32s(), p.Grad.Float32s()
	}
	return vals, grads, nil
}

// Adam is torch.optim.Adam for float32 parameters. LR may change between
// steps (a schedule); the other fields are fixed once stepping starts.
type Adam struct {
	LR           float64 // learning rate
	Beta1, Beta2 float64 // moment decay rates
	Eps          float64 // added to the square root of the second moment
	WeightDecay  float64 // L2 penalty added to the gradient; 0 is off

	step int
	m, v [][]float32
}

// NewAdam returns Adam with PyTorch's defaults: betas (0.9, 0.999), eps
// 1e-8, no weight decay.
func NewAdam(lr float64) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// AdamState is Adam's whole state: the number of steps taken and the first
// and second moments of every parameter, in the order Step was given them.
type AdamState struct {
	Step int
	M, V [][]float32
}

// State returns a copy of the optimiser's state.
func (a *Adam) State() AdamState {
	return AdamState{Step: a.step, M: clone(a.m), V: clone(a.v)}
}

// SetState restores a state from State; the next Step checks that it fits
// the parameters.
func (a *Adam) SetState(s AdamState) error {
	if s.Step < 0 || len(s.M) != len(s.V) {
		return fmt.Errorf("optim: Adam state with step %d, %d first and %d second moments", s.Step, len(s.M), len(s.V))
	}
	for i := range s.M {
		if len(s.M[i]) != len(s.V[i]) {
			return fmt.Errorf("optim: Adam state: moments of parameter %d have %d and %d values", i, len(s.M[i]), len(s.V[i]))
		}
	}
	a.step, a.m, a.v = s.Step, clone(s.M), clone(s.V)
	return nil
}

func clone(s [][]float32) [][]float32 {
	out := make([][]float32, len(s))
	for i, v := range s {
		out[i] = append([]float32(nil), v...)
	}
	return out
}

// Step applies one Adam update to every parameter and zeroes its gradient.
// The parameters must be the same, in the same order, at every step.
func (a *Adam) Step(ps []Param) error {
	vals, grads, err := slices(ps)
	if err != nil {
		return err
	}
	if len(a.m) == 0 && a.step == 0 { // fresh, or restored from a fresh state
		a.m, a.v = make([][]float32, len(ps)), make([][]float32, len(ps))
		for i := range vals {
			a.m[i], a.v[i] = make([]float32, len(vals[i])), make([]float32, len(vals[i]))
		}
	}
	if len(a.m) != len(ps) {
		return fmt.Errorf("optim: Adam holds state for %d parameters, given %d", len(a.m), len(ps))
	}
	for i := range vals {
		if len(a.m[i]) != len(vals[i]) {
			return fmt.Errorf("optim: Adam state of parameter %d has %d values, the parameter %d", i, len(a.m[i]), len(vals[i]))
		}
	}
	a.step++
	t := float64(a.step)
	// The scalars are formed as torch forms them: in float64, then used in
	// float32 arithmetic.
	bc1 := 1 - math.Pow(a.Beta1, t)
	bc2 := 1 - math.Pow(a.Beta2, t)
	stepSize := float32(a.LR / bc1)
	bc2sqrt := float32(math.Sqrt(bc2))
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	c1, c2 := float32(1-a.Beta1), float32(1-a.Beta2)
	eps, wd := float32(a.Eps), float32(a.WeightDecay)
	forChunks(vals, func(i, lo, hi int) {
		p, g, m, v := vals[i][lo:hi], grads[i][lo:hi], a.m[i][lo:hi], a.v[i][lo:hi]
		g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
		for j := range p {
			gj := g[j]
			if wd != 0 {
				gj += wd * p[j]
			}
			m[j] = m[j]*b1 + c1*gj
			v[j] = v[j]*b2 + c2*gj*gj
			denom := float32(math.Sqrt(float64(v[j])))/bc2sqrt + eps
			p[j] += -stepSize * m[j] / denom // addcdiv: (value·m)/denom
			g[j] = 0
		}
	})
	return nil
}

// SGD is plain stochastic gradient descent, p -= LR·(g + WeightDecay·p).
type SGD struct {
	LR          float64
	WeightDecay float64
}

// Step applies one update to every parameter and zeroes its gradient.
func (s SGD) Step(ps []Param) error {
	vals, grads, err := slices(ps)
	if err != nil {
		return err
	}
	lr, wd := float32(s.LR), float32(s.WeightDecay)
	forChunks(vals, func(i, lo, hi int) {
		p, g := vals[i][lo:hi], grads[i][lo:hi]
		g = g[:len(p)]
		for j := range p {
			p[j] -= lr * (g[j] + wd*p[j])
			g[j] = 0
		}
	})
	return nil
}

// chunk is the number of elements one task of an update covers.
const chunk = 1 << 14

// forChunks runs fn over every parameter in chunks, spread over GOMAXPROCS
// goroutines when there is enough work.
func forChunks(vals [][]float32, fn func(i, lo, hi int)) {
	type task struct{ i, lo, hi int }
	var tasks []task
	for i, v := range vals {
		for lo := 0; lo < len(v); lo += chunk {
			tasks = append(tasks, task{i, lo, min(lo+chunk, len(v))})
		}
	}
	w := min(runtime.GOMAXPROCS(0), len(tasks))
	if w <= 1 {
		for _, t := range tasks {
			fn(t.i, t.lo, t.hi)
		}
		return
	}
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := k; j < len(tasks); j += w {
				t := tasks[j]
				fn(t.i, t.lo, t.hi)
			}
		}()
	}
	wg.Wait()
}
