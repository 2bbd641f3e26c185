package losses

//go:generate sh -c "/usr/bin/python3 testdata/torchref.py | gofmt > torchref_data_test.go"

import (
	"fmt"
	"path/filepath"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/features"
	"framepred/internal/torchref"
	"framepred/safetensors"
)

// cnhw is torchref.py's cnhw; to32 rounds to float32.
var (
	cnhw = torchref.CNHW
	to32 = torchref.To32
)

// tinyVGG writes torchref.py's tiny VGG19 (the first three blocks at widths
// 4, 4 | 8, 8 | 8, 8, 8, 8) to a temporary file and loads it with the
// default layers relu1_2, relu2_2, relu3_4.
func tinyVGG(t testing.TB) *features.VGG {
	t.Helper()
	ts := torchref.VGG([]int{0, 2, 5, 7, 10, 12, 14, 16}, []int{4, 4, 8, 8, 8, 8, 8, 8})
	path := filepath.Join(t.TempDir(), "vgg19-tiny.safetensors")
	if err := safetensors.WriteFile(path, ts, nil); err != nil {
		t.Fatal(err)
	}
	v, err := features.LoadVGG19(path)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// evalGrads builds a scalar loss on fresh input nodes holding copies of
// inputs, runs it once with the gradient of every input, and returns the
// loss value and the gradients. The graph is compiled with the tape
// machine as a trainer would (all inputs bound to their gradients).
func evalGrads(t *testing.T, build func(in []*G.Node) (*G.Node, error), inputs ...*tensor.Dense) (float64, [][]float64) {
	t.Helper()
	g := G.NewGraph()
	nodes := make([]*G.Node, len(inputs))
	for i, in := range inputs {
		nodes[i] = G.NodeFromAny(g, in.Clone().(*tensor.Dense), G.WithName(fmt.Sprintf("in%d", i)))
	}
	loss, err := build(nodes)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if s := loss.Shape(); s.Dims() != 0 {
		t.Fatalf("loss has shape %v, want a scalar ()", s)
	}
	if _, err := G.Grad(loss, nodes...); err != nil {
		t.Fatalf("Grad: %v", err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(nodes...))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("run: %v", err)
	}
	var grads [][]float64
	for _, n := range nodes {
		gv, err := n.Grad()
		if err != nil {
			t.Fatal(err)
		}
		grads = append(grads, floats(gv.(*tensor.Dense)))
	}
	return scalar(t, loss.Value()), grads
}

func scalar(t testing.TB, v G.Value) float64 {
	switch x := v.(type) {
	case *G.F64:
		return float64(*x)
	case *G.F32:
		return float64(*x)
	}
	t.Fatalf("loss value is a %T, want a gorgonia scalar", v)
	return 0
}

// floats is a copy of a tensor's elements as float64.
var floats = torchref.Floats

// againstTorch compares got with torchRef[name]: each value within
// tol·max(1, |want|).
func againstTorch(t *testing.T, name string, got []float64, tol float64) {
	t.Helper()
	torchref.Relative(t, torchRef, name, got, tol)
}
