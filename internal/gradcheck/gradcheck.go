package gradcheck

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Build makes the scalar function under test from its input nodes, which
// hold float64 tensors. The returned node must be a scalar (shape ()).
type Build func(g *G.ExprGraph, in []*G.Node) (*G.Node, error)

// Options tune a check; the zero value gives the defaults.
type Options struct {
	Step    float64 // finite-difference step h; default 1e-5
	Tol     float64 // largest relative error accepted; default 1e-6
	Floor   float64 // smallest denominator of the relative error; default 1e-2
	Samples int     // elements checked per input, drawn at random; 0 checks all
	Seed    uint64  // seeds the sample
}

func (o Options) withDefaults() Options {
	if o.Step == 0 {
		o.Step = 1e-5
	}
	if o.Tol == 0 {
		o.Tol = 1e-6
	}
	if o.Floor == 0 {
		o.Floor = 1e-2
	}
	return o
}

// Result is the outcome of a check.
type Result struct {
	Checked           int     // elements compared
	Worst             float64 // largest relative error
	Input, Index      int     // where it occurred
	Analytic, Numeric float64 // the two gradients there
	Loss              float64 // the function's value at the unmoved inputs
}

func (r Result) String() string {
	return fmt.Sprintf("checked %d, worst relative error %.2e at input %d[%d] (analytic %.9g, numeric %.9g)",
		r.Checked, r.Worst, r.Input, r.Index, r.Analytic, r.Numeric)
}

// Check compares the analytic gradient of build's function with respect to
// every input against central finite differences. It returns an error if the
// graph cannot be built or run, or if the worst relative error exceeds
// opt.Tol; the Result is filled in either way once gradients exist.
func Check(build Build, inputs []*tensor.Dense, opt Options) (Result, error) {
	opt = opt.withDefaults()
	for i, in := range inputs {
		if in.Dtype() != tensor.Float64 {
			return Result{}, fmt.Errorf("gradcheck: input %d is %v, want float64", i, in.Dtype())
		}
	}
	// Analytic gradients.
	loss, grads, err := analytic(build, inputs)
	if err != nil {
		return Result{}, err
	}
	res := Result{Loss: loss}

	// Forward-only graph, re-run with moved inputs.
	g, own, _, out, err := buildCopy(build, inputs)
	if err != nil {
		return res, err
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	eval := func() (float64, error) {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			return 0, fmt.Errorf("gradcheck: forward run: %w", err)
		}
		return scalar(out.Value())
	}
	if f0, err := eval(); err != nil {
		return res, err
	} else if math.Abs(f0-loss) > 1e-12*math.Max(1, math.Abs(loss)) {
		return res, fmt.Errorf("gradcheck: the forward graph gives %v, the gradient graph %v", f0, loss)
	}

	r := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
	res.Worst = -1
	for i, t := range own {
		x := t.Float64s()
		idx := r.Perm(len(x))
		if opt.Samples > 0 && opt.Samples < len(idx) {
			idx = idx[:opt.Samples]
		}
		for _, j := range idx {
			orig := x[j]
			x[j] = orig + opt.Step
			fp, err := eval()
			if err != nil {
				return res, err
			}
			x[j] = orig - opt.Step
			fm, err := eval()
			if err != nil {
				return res, err
			}
			x[j] = orig
			num := (fp - fm) / (2 * opt.Step)
			an := grads[i][j]
			rel := math.Abs(an-num) / math.Max(opt.Floor, math.Max(math.Abs(an), math.Abs(num)))
			if math.IsNaN(rel) {
				rel = math.Inf(1)
			}
			res.Checked++
			if rel > res.Worst {
				res.Worst, res.Input, res.Index, res.Analytic, res.Numeric = rel, i, j, an, num
			}
		}
	}
	if res.Worst > opt.Tol {
		return res, fmt.Errorf("gradcheck: %v exceeds the tolerance %.1e", res, opt.Tol)
	}
	return res, nil
}

// analytic runs the function once with gradients and returns its value and
// a copy of every input's gradient.
func analytic(build Build, inputs []*tensor.Dense) (float64, [][]float64, error) {
	g, _, nodes, out, err := buildCopy(build, inputs)
	if err != nil {
		return 0, nil, err
	}
	if !out.Shape().IsScalar() || out.Shape().Dims() != 0 {
		return 0, nil, fmt.Errorf("gradcheck: the function's value has shape %v, want a scalar ()", out.Shape())
	}
	if _, err := G.Grad(out, nodes...); err != nil {
		return 0, nil, fmt.Errorf("gradcheck: Grad: %w", err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(nodes...))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return 0, nil, fmt.Errorf("gradcheck: gradient run: %w", err)
	}
	loss, err := scalar(out.Value())
	if err != nil {
		return 0, nil, err
	}
	grads := make([][]float64, len(nodes))
	for i, n := range nodes {
		gv, err := n.Grad()
		if err != nil {
			return 0, nil, fmt.Errorf("gradcheck: gradient of input %d: %w", i, err)
		}
		d, ok := gv.(*tensor.Dense)
		if !ok {
			return 0, nil, fmt.Errorf("gradcheck: gradient of input %d is a %T", i, gv)
		}
		grads[i] = append([]float64(nil), d.Float64s()...)
	}
	return loss, grads, nil
}

// buildCopy builds the function on a new graph whose input nodes hold
// copies of inputs, and returns the graph, the copies, their nodes and the
// function's node.
func buildCopy(build Build, inputs []*tensor.Dense) (*G.ExprGraph, []*tensor.Dense, []*G.Node, *G.Node, error) {
	g := G.NewGraph()
	own := make([]*tensor.Dense, len(inputs))
	nodes := make([]*G.Node, len(inputs))
	for i, in := range inputs {
		own[i] = in.Clone().(*tensor.Dense)
		nodes[i] = G.NodeFromAny(g, own[i], G.WithName(fmt.Sprintf("in%d", i)))
	}
	out, err := build(g, nodes)
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("gradcheck: build: %w", err)
	}
	return g, own, nodes, out, nil
}

func scalar(v G.Value) (float64, error) {
	switch s := v.(type) {
	case *G.F64:
		return float64(*s), nil
	case *tensor.Dense:
		if s.Shape().TotalSize() == 1 && s.Dtype() == tensor.Float64 {
			return s.Float64s()[0], nil
		}
	}
	return 0, fmt.Errorf("gradcheck: the function's value is %T %v, want a float64 scalar", v, v)
}

// WeightedSum returns Σ out ⊙ R for a fixed random R drawn from seed, the
// scalar through which a check tests an op with a tensor output: every
// output element gets its own weight, so a gradient routed to the wrong
// element shows.
func WeightedSum(out *G.Node, seed uint64) (*G.Node, error) {
	r := rand.New(rand.NewPCG(seed, 7))
	s := out.Shape().Clone()
	w := make([]float64, s.TotalSize())
	for i := range w {
		w[i] = r.NormFloat64()
	}
	rn := G.NodeFromAny(out.Graph(), tensor.New(tensor.WithShape(s...), tensor.WithBacking(w)), G.WithName(fmt.Sprintf("weights%d", seed)))
	p, err := G.HadamardProd(out, rn)
	if err != nil {
		return nil, fmt.Errorf("gradcheck: weighting: %w", err)
	}
	return G.Sum(p)
}

// Rand returns a float64 tensor of the given shape with standard normal
// entries drawn from r.
func Rand(r *rand.Rand, shape ...int) *tensor.Dense {
	v := make([]float64, tensor.Shape(shape).TotalSize())
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}
