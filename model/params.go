package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/ops"
)

// Param is one named parameter: a float32 tensor that every graph built
// from the network reads, and that optimisers and SetParams update in
// place. Names follow PyTorch's state_dict ("enc1.conv1.weight").
type Param struct {
	Name  string
	Value *tensor.Dense
}

// conv is one convolution with a bias, followed by LeakyReLU(slope); slope
// 1 leaves it linear. Its parameters are name.weight (out×in×k×k) and
// name.bias (out). With up set it convolves the input upsampled 2× (nearest
// neighbour), as one ops.UpConv2d: PyTorch's interpolate then Conv2d, with
// the same parameters, never building the upsampled tensor.
type conv struct {
	name         string
	in, out, k   int
	stride, pad  int
	up           bool
	slope        float64
	zeroBias     bool // start the bias at 0 instead of PyTorch's default
	weight, bias int  // indexes into the parameter list
}

// params is a network's parameter list, in the order its layers run.
type params struct {
	list  []Param
	index map[string]int
}

// newParams creates every layer's weight and bias, drawn from seed as
// PyTorch's Conv2d.reset_parameters does: the weight from kaiming_uniform
// with a = √5, which is uniform in ±1/√fan_in, and the bias uniform in the
// same range; fan_in = in·k·k. Layers marked zeroBias start with bias 0.
func newParams(layers []conv, seed int64) *params {
	r := rand.New(rand.NewPCG(uint64(seed), 0x6672616d65707264)) // "framerd"
	p := &params{index: make(map[string]int)}
	for i := range layers {
		l := &layers[i]
		bound := 1 / math.Sqrt(float64(l.in*l.k*l.k))
		l.weight = p.add(l.name+".weight", uniform(r, bound, l.out*l.in*l.k*l.k), l.out, l.in, l.k, l.k)
		b := make([]float32, l.out)
		if !l.zeroBias {
			b = uniform(r, bound, l.out)
		}
		l.bias = p.add(l.name+".bias", b, l.out)
	}
	return p
}

func uniform(r *rand.Rand, bound float64, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32((2*r.Float64() - 1) * bound)
	}
	return v
}

func (p *params) add(name string, v []float32, shape ...int) int {
	if _, dup := p.index[name]; dup {
		panic("model: duplicate parameter " + name)
	}
	p.index[name] = len(p.list)
	p.list = append(p.list, Param{Name: name, Value: tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))})
	return len(p.list) - 1
}

// clone returns a copy of the list; the tensors are the live ones.
func (p *params) clone() []Param { return append([]Param(nil), p.list...) }

// nodes returns g's nodes for every parameter, in list order, creating the
// ones g lacks. A node is reused when it has the parameter's name and is
// bound to the very same tensor, so building a network several times in one
// graph shares one set of parameter nodes.
func (p *params) nodes(g *G.ExprGraph, create bool) ([]*G.Node, error) {
	out := make([]*G.Node, len(p.list))
	for i, q := range p.list {
		for _, n := range g.ByName(q.Name) {
			if v, ok := n.Value().(*tensor.Dense); ok && v == q.Value {
				out[i] = n
				break
			}
			return nil, fmt.Errorf("model: the graph already has a node named %s that is not this network's parameter", q.Name)
		}
		if out[i] != nil {
			continue
		}
		if !create {
			return nil, fmt.Errorf("model: the graph has no parameter %s: build the network in it first", q.Name)
		}
		s := q.Value.Shape()
		out[i] = G.NewTensor(g, tensor.Float32, s.Dims(), G.WithShape(s...), G.WithName(q.Name), G.WithValue(q.Value))
	}
	return out, nil
}

// set copies new values into the parameters, in place, so every graph that
// reads them sees the change. It checks everything before changing
// anything: each name present once, no unknown names, the right number of
// finite values.
func (p *params) set(vals map[string][]float32, who string) error {
	var errs []error
	for _, q := range p.list {
		v, ok := vals[q.Name]
		if !ok {
			errs = append(errs, fmt.Errorf("missing %s", q.Name))
			continue
		}
		if want := q.Value.DataSize(); len(v) != want {
			errs = append(errs, fmt.Errorf("%s has %d values, want %s = %d", q.Name, len(v), shapeString(q.Value.Shape()), want))
			continue
		}
		for j, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				errs = append(errs, fmt.Errorf("%s[%d] is %v", q.Name, j, x))
				break
			}
		}
	}
	var extra []string
	for name := range vals {
		if _, ok := p.index[name]; !ok {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		errs = append(errs, fmt.Errorf("unexpected %s", name))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("model: %s parameters do not fit: %w", who, err)
	}
	for _, q := range p.list {
		copy(q.Value.Float32s(), vals[q.Name])
	}
	return nil
}

func shapeString(s tensor.Shape) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	return strings.Join(parts, "×")
}

// count returns the number of scalar parameters.
func (p *params) count() int {
	n := 0
	for _, q := range p.list {
		n += q.Value.DataSize()
	}
	return n
}

// apply runs layer l on x with the parameter nodes ps.
func (l conv) apply(x *G.Node, ps []*G.Node) (*G.Node, error) {
	var y *G.Node
	var err error
	if l.up {
		y, err = ops.UpConv2d(x, ps[l.weight], l.pad)
	} else {
		y, err = ops.Conv2d(x, ps[l.weight], l.stride, l.pad)
	}
	if err != nil {
		return nil, fmt.Errorf("model: %s: %w", l.name, err)
	}
	y, err = ops.BiasAct(y, ps[l.bias], l.slope)
	if err != nil {
		return nil, fmt.Errorf("model: %s: %w", l.name, err)
	}
	return y, nil
}
