package gpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/cuda"
	"framepred/ops"
)

// opCase is one op on random inputs: build returns its output from the
// input nodes. Ops with a tensor output are checked through
// MeanSquaredDiff against a random target, whose gradient then drives the
// op's backward kernels; losses are checked as they are.
type opCase struct {
	name   string
	inputs [][]int // shapes
	lo, hi float64 // the inputs' range
	build  func(in []*G.Node) (*G.Node, error)
}

func conv(stride, pad int) func(in []*G.Node) (*G.Node, error) {
	return func(in []*G.Node) (*G.Node, error) { return ops.Conv2d(in[0], in[1], stride, pad) }
}

func opCases() []opCase {
	one := func(f func(*G.Node) (*G.Node, error)) func([]*G.Node) (*G.Node, error) {
		return func(in []*G.Node) (*G.Node, error) { return f(in[0]) }
	}
	two := func(f func(a, b *G.Node) (*G.Node, error)) func([]*G.Node) (*G.Node, error) {
		return func(in []*G.Node) (*G.Node, error) { return f(in[0], in[1]) }
	}
	x := []int{3, 2, 6, 8}
	return []opCase{
		{name: "Conv2d 3×3 stride 1", inputs: [][]int{x, {4, 3, 3, 3}}, lo: -1, hi: 1, build: conv(1, 1)},
		{name: "Conv2d 3×3 stride 2", inputs: [][]int{x, {4, 3, 3, 3}}, lo: -1, hi: 1, build: conv(2, 1)},
		{name: "Conv2d 4×4 stride 2", inputs: [][]int{x, {2, 3, 4, 4}}, lo: -1, hi: 1, build: conv(2, 1)},
		{name: "Conv2d 1×1", inputs: [][]int{x, {2, 3, 1, 1}}, lo: -1, hi: 1, build: conv(1, 0)},
		{name: "UpConv2d", inputs: [][]int{{3, 2, 3, 4}, {2, 3, 3, 3}}, lo: -1, hi: 1,
			build: func(in []*G.Node) (*G.Node, error) { return ops.UpConv2d(in[0], in[1], 1) }},
		{name: "BiasAct 0.2", inputs: [][]int{x, {3}}, lo: -1, hi: 1,
			build: func(in []*G.Node) (*G.Node, error) { return ops.BiasAct(in[0], in[1], 0.2) }},
		{name: "BiasAct 1", inputs: [][]int{x, {3}}, lo: -1, hi: 1,
			build: func(in []*G.Node) (*G.Node, error) { return ops.BiasAct(in[0], in[1], 1) }},
		{name: "BiasAct 0 (ReLU)", inputs: [][]int{x, {3}}, lo: -1, hi: 1,
			build: func(in []*G.Node) (*G.Node, error) { return ops.BiasAct(in[0], in[1], 0) }},
		{name: "Upsample2x", inputs: [][]int{x}, lo: -1, hi: 1, build: one(ops.Upsample2x)},
		{name: "MaxPool2 odd size", inputs: [][]int{{2, 2, 5, 7}}, lo: -1, hi: 1, build: one(ops.MaxPool2)},
		{name: "AvgPool2 odd size", inputs: [][]int{{2, 2, 5, 7}}, lo: -1, hi: 1, build: one(ops.AvgPool2)},
		{name: "Concat", inputs: [][]int{x, {1, 2, 6, 8}}, lo: -1, hi: 1,
			build: func(in []*G.Node) (*G.Node, error) { return ops.Concat(in[0], in[1]) }},
		{name: "Slice0", inputs: [][]int{x}, lo: -1, hi: 1,
			build: func(in []*G.Node) (*G.Node, error) { return ops.Slice0(in[0], 1, 2) }},
		{name: "Add", inputs: [][]int{x, x}, lo: -1, hi: 1, build: two(ops.Add)},
		{name: "Scale", inputs: [][]int{x}, lo: -1, hi: 1,
			build: func(in []*G.Node) (*G.Node, error) { return ops.Scale(in[0], -0.3) }},
		{name: "ChannelAffine", inputs: [][]int{x}, lo: 0, hi: 1,
			build: func(in []*G.Node) (*G.Node, error) {
				return ops.ChannelAffine(in[0], []float64{1 / 0.229, 1 / 0.224, 1 / 0.225}, []float64{-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225})
			}},
		{name: "Clamp01", inputs: [][]int{x}, lo: -0.5, hi: 1.5, build: one(ops.Clamp01)},
		{name: "gorgonia + and ⊙", inputs: [][]int{x, x}, lo: -1, hi: 1,
			build: func(in []*G.Node) (*G.Node, error) {
				s, err := G.Add(in[0], in[1])
				if err != nil {
					return nil, err
				}
				return G.HadamardProd(s, in[1])
			}},
		{name: "MeanSquaredDiff", inputs: [][]int{x, x}, lo: -1, hi: 1, build: two(ops.MeanSquaredDiff)},
		{name: "MeanAbsDiff", inputs: [][]int{x, x}, lo: -1, hi: 1, build: two(ops.MeanAbsDiff)},
		{name: "MeanSquaredTo 1", inputs: [][]int{x}, lo: -1, hi: 1,
			build: func(in []*G.Node) (*G.Node, error) { return ops.MeanSquaredTo(in[0], 1) }},
		{name: "BCEWithLogitsMean 0", inputs: [][]int{x}, lo: -4, hi: 4,
			build: func(in []*G.Node) (*G.Node, error) { return ops.BCEWithLogitsMean(in[0], 0) }},
		{name: "BCEWithLogitsMean 1", inputs: [][]int{x}, lo: -4, hi: 4,
			build: func(in []*G.Node) (*G.Node, error) { return ops.BCEWithLogitsMean(in[0], 1) }},
		{name: "GradDiff α=1", inputs: [][]int{x, x}, lo: 0, hi: 1,
			build: func(in []*G.Node) (*G.Node, error) { return ops.GradDiff(in[0], in[1], 1) }},
		{name: "GradDiff α=1.5", inputs: [][]int{x, x}, lo: 0, hi: 1,
			build: func(in []*G.Node) (*G.Node, error) { return ops.GradDiff(in[0], in[1], 1.5) }},
	}
}

// TestOpsMatchCPU runs every op of framepred's graphs, forward and
// backward, on the device and with framepred/ops on the CPU, from the
// same random inputs. Both compute in float32 with sums in different
// orders (and losses in float64 on both), so they agree to a few ulps of
// the largest value: tol 2e-6 relative to the largest magnitude (at least
// 1e-3, for values near 0); on the stand-in the worst case is 2.2e-7.
func TestOpsMatchCPU(t *testing.T) {
	c := testContext(t)
	r := rand.New(rand.NewPCG(11, 12))
	const tol = 2e-6
	for _, tc := range opCases() {
		t.Run(tc.name, func(t *testing.T) {
			g := G.NewGraph()
			var in []*G.Node
			for i, s := range tc.inputs {
				in = append(in, G.NewTensor(g, tensor.Float32, len(s), G.WithShape(s...), G.WithName(fmt.Sprintf("in%d", i)),
					G.WithValue(randTensor(r, tc.lo, tc.hi, s...))))
			}
			out, err := tc.build(in)
			must(t, err)
			loss := out
			if !out.IsScalar() {
				target := G.NewTensor(g, tensor.Float32, out.Dims(), G.WithShape(out.Shape()...), G.WithName("target"),
					G.WithValue(randTensor(r, -1, 1, out.Shape()...)))
				loss, err = ops.MeanSquaredDiff(out, target)
				must(t, err)
			}
			grads, err := G.Grad(loss, in...)
			must(t, err)
			roots := append([]*G.Node{loss, out}, grads...)

			vm := G.NewTapeMachine(ops.Needed(loss, roots[1:]...))
			defer vm.Close()
			vm.Reset()
			must(t, vm.RunAll())
			var want [][]float32
			for _, n := range roots {
				want = append(want, values(t, n))
			}

			got := runOnDevice(t, c, in, roots)
			for i, n := range roots {
				what := "loss"
				switch {
				case i == 1:
					what = "output"
				case i > 1:
					what = fmt.Sprintf("gradient of input %d", i-2)
				}
				e := relErr(got[i], want[i], 1e-3)
				t.Logf("%s: relative error %.2g", what, e)
				if e > tol {
					t.Errorf("%s (%s): relative error %.3g, want ≤ %g", what, n.Name(), e, tol)
				}
			}
		})
	}
}

// values reads a node's value as float32s.
func values(t testing.TB, n *G.Node) []float32 {
	t.Helper()
	switch v := n.Value().(type) {
	case *G.F32:
		return []float32{float32(*v)}
	case *tensor.Dense:
		return append([]float32(nil), v.Float32s()...)
	}
	t.Fatalf("%s holds %T", n.Name(), n.Value())
	return nil
}

// runOnDevice compiles roots with the inputs uploaded and bound, runs the
// program once and downloads each root.
func runOnDevice(t testing.TB, c *cuda.Context, in []*G.Node, roots []*G.Node) [][]float32 {
	t.Helper()
	pl := plan{name: "test", bound: map[*G.Node]cuda.Buffer{}, workLimit: 1 << 20}
	for _, n := range in {
		b, err := c.Upload(values(t, n))
		must(t, err)
		defer c.Free(b)
		pl.bound[n] = b
	}
	outs := make([]cuda.Buffer, len(roots))
	for i, n := range roots {
		b, err := c.Alloc(n.Shape().TotalSize())
		must(t, err)
		defer c.Free(b)
		outs[i] = b
		pl.dest = append(pl.dest, destination{n, b})
	}
	p, err := compile(c, roots, pl)
	must(t, err)
	defer func() { must(t, p.close()) }()
	must(t, p.run(false))
	got := make([][]float32, len(roots))
	for i, b := range outs {
		got[i] = make([]float32, b.Len())
		must(t, c.CopyOut(got[i], b))
	}
	return got
}
