package losses

//go:generate sh -c "/usr/bin/python3 testdata/torchref.py | gofmt > torchref_data_test.go"

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/features"
	"framepred/safetensors"
)

// splitmix and hseq are torchref.py's: value i of hseq(n, seed, scale,
// offset) is uniform in [offset-scale, offset+scale), from
// splitmix64(seed<<32 | i).
func splitmix(z uint64) uint64 {
	z += 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func hseq(n int, seed uint64, scale, offset float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		u := float64(splitmix(seed<<32|uint64(i))>>11) / (1 << 53)
		v[i] = (u*2-1)*scale + offset
	}
	return v
}

// cnhw is torchref.py's cnhw: a float64 CNHW tensor of hseq values.
func cnhw(seed uint64, scale, offset float64, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(hseq(tensor.Shape(shape).TotalSize(), seed, scale, offset)))
}

func to32(t *tensor.Dense) *tensor.Dense {
	v := make([]float32, t.DataSize())
	for i, x := range t.Float64s() {
		v[i] = float32(x)
	}
	return tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(v))
}

// tinyVGG writes torchref.py's tiny VGG19 (the first three blocks at widths
// 4, 4 | 8, 8 | 8, 8, 8, 8) to a temporary file and loads it with the
// default layers relu1_2, relu2_2, relu3_4.
func tinyVGG(t testing.TB) *features.VGG {
	t.Helper()
	ts := map[string]safetensors.Tensor{}
	in := 3
	for k, idx := range []int{0, 2, 5, 7, 10, 12, 14, 16} {
		out := []int{4, 4, 8, 8, 8, 8, 8, 8}[k]
		w := hseq(out*in*9, 100+uint64(idx), math.Sqrt(6/float64(in*9)), 0)
		b := hseq(out, 200+uint64(idx), 0.1, 0)
		ts[fmt.Sprintf("features.%d.weight", idx)] = safetensors.FromFloat32([]int{out, in, 3, 3}, f32s(w))
		ts[fmt.Sprintf("features.%d.bias", idx)] = safetensors.FromFloat32([]int{out}, f32s(b))
		in = out
	}
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

func f32s(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
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

func floats(d *tensor.Dense) []float64 {
	if d.Dtype() == tensor.Float64 {
		return append([]float64(nil), d.Float64s()...)
	}
	v := make([]float64, d.DataSize())
	for i, x := range d.Float32s() {
		v[i] = float64(x)
	}
	return v
}

// againstTorch compares got with torchRef[name]: each value within
// tol·max(1, |want|).
func againstTorch(t *testing.T, name string, got []float64, tol float64) {
	t.Helper()
	want, ok := torchRef[name]
	if !ok {
		t.Fatalf("no PyTorch reference %q", name)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, PyTorch gives %d", name, len(got), len(want))
	}
	for i := range want {
		if d := math.Abs(got[i]-want[i]) / math.Max(1, math.Abs(want[i])); !(d <= tol) {
			t.Fatalf("%s[%d] = %.15g, PyTorch gives %.15g (relative diff %.3g > %.1g)", name, i, got[i], want[i], d, tol)
		}
	}
}
