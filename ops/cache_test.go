package ops

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestRepeatedRuns runs one float32 training graph (same convolutions,
// strided ones and upsampling convolutions) three times with new input
// values written into the same tensors, as a training loop does, and checks
// every run's gradients against a fresh float64 evaluation: buffers the ops
// keep between a forward pass and its gradients must never go stale.
func TestRepeatedRuns(t *testing.T) {
	build := func(in []*G.Node) (*G.Node, error) {
		h, err := Conv2d(in[0], in[1], 1, 1) // 4→8, same
		if err != nil {
			return nil, err
		}
		if h, err = BiasAct(h, in[2], 0.2); err != nil {
			return nil, err
		}
		d, err := Conv2d(h, in[3], 2, 1) // 8→8, stride 2
		if err != nil {
			return nil, err
		}
		u, err := UpConv2d(d, in[4], 1) // 8→4
		if err != nil {
			return nil, err
		}
		return Conv2d(u, in[5], 1, 1) // 4→4, same
	}
	r := rng(71)
	shapes := [][]int{{4, 2, 8, 16}, {8, 4, 3, 3}, {8}, {8, 8, 3, 3}, {4, 8, 3, 3}, {4, 4, 3, 3}}
	in64 := make([]*tensor.Dense, len(shapes))
	in32 := make([]*tensor.Dense, len(shapes))
	for i, s := range shapes {
		in64[i] = randDense(r, tensor.Float64, s...)
		in32[i] = to32(in64[i])
	}
	g := G.NewGraph()
	nodes := make([]*G.Node, len(in32))
	for i, d := range in32 {
		nodes[i] = G.NodeFromAny(g, d, G.WithName(string(rune('a'+i))))
	}
	y, err := build(nodes)
	if err != nil {
		t.Fatal(err)
	}
	rt := to32(tensor.New(tensor.WithShape(y.Shape().Clone()...), tensor.WithBacking(seq(y.Shape().TotalSize(), 99, 1, 0))))
	loss := G.Must(G.Sum(G.Must(G.HadamardProd(y, G.NodeFromAny(g, rt, G.WithName("R"))))))
	if _, err := G.Grad(loss, nodes...); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(nodes...))
	defer vm.Close()
	for run := 0; run < 3; run++ {
		if run > 0 { // new data in the same tensors, as a training loop writes it
			for i := range in64 {
				in64[i] = randDense(r, tensor.Float64, shapes[i]...)
				copy(in32[i].Float32s(), to32(in64[i]).Float32s())
			}
		}
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		_, want := evalGrads(t, build, in64...)
		for i, n := range nodes {
			gv, _ := n.Grad()
			got := floats(gv.(*tensor.Dense))
			if d := maxDiff(t, got, want[i]) / maxAbs(want[i]); d > 1e-5 {
				t.Fatalf("run %d: gradient of input %d differs from float64 by %.3g of its largest value", run, i, d)
			}
			clear(gv.(*tensor.Dense).Float32s()) // the machine adds into bound gradients
		}
	}
}
