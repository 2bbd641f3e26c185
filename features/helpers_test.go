package features

//go:generate sh -c "/usr/bin/python3 testdata/torchref.py | gofmt > torchref_data_test.go"

import (
	"flag"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/safetensors"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// splitmix is torchref.py's integer hash (splitmix64's output function).
func splitmix(z uint64) uint64 {
	z += 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// hseq is torchref.py's hseq: n values uniform in [offset-scale,
// offset+scale), value i from splitmix(seed<<32 | i).
func hseq(n int, seed uint64, scale, offset float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		u := float64(splitmix(seed<<32|uint64(i))>>11) / (1 << 53)
		v[i] = (u*2-1)*scale + offset
	}
	return v
}

// cnhw is torchref.py's cnhw, a float64 CNHW tensor.
func cnhw(seed uint64, scale, offset float64, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(hseq(tensor.Shape(shape).TotalSize(), seed, scale, offset)))
}

// The tiny VGG stacks of torchref.py: the first three blocks with widths 4,
// 4 | 8, 8 | 8, ... instead of 64 | 128 | 256.
var (
	tinyVGG19 = []int{4, 4, 8, 8, 8, 8, 8, 8}
	tinyVGG16 = []int{4, 4, 8, 8, 8, 8, 8}
)

// vggTensors returns torchref.py's tiny VGG weights for an architecture and
// the output widths of its first convolutions, F32, under torchvision's
// names.
func vggTensors(a arch, widths []int) map[string]safetensors.Tensor {
	ts := map[string]safetensors.Tensor{}
	in, k := 3, 0
	for _, s := range a.stages() {
		if s.conv < 0 {
			continue
		}
		if k == len(widths) {
			break
		}
		out := widths[k]
		i := uint64(s.conv)
		ts[fmt.Sprintf("features.%d.weight", s.conv)] = safetensors.FromFloat32([]int{out, in, 3, 3}, to32s(hseq(out*in*9, 100+i, math.Sqrt(6/float64(in*9)), 0)))
		ts[fmt.Sprintf("features.%d.bias", s.conv)] = safetensors.FromFloat32([]int{out}, to32s(hseq(out, 200+i, 0.1, 0)))
		in = out
		k++
	}
	return ts
}

// writeVGG writes tensors to a file in a fresh temporary folder.
func writeVGG(t testing.TB, ts map[string]safetensors.Tensor) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vgg.safetensors")
	if err := safetensors.WriteFile(path, ts, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	return path
}

func to32s(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func to32(t *tensor.Dense) *tensor.Dense {
	return tensor.New(tensor.WithShape(t.Shape().Clone()...), tensor.WithBacking(to32s(t.Float64s())))
}

// forward builds ext on x and returns each layer's values as float64.
func forward(t testing.TB, ext Extractor, x *tensor.Dense) [][]float64 {
	t.Helper()
	g := G.NewGraph()
	in := G.NodeFromAny(g, x, G.WithName("x"))
	outs, err := ext.Build(g, in)
	if err != nil {
		t.Fatalf("%s: Build: %v", ext.Name(), err)
	}
	if len(outs) != len(ext.Layers()) {
		t.Fatalf("%s: Build gave %d feature maps for layers %v", ext.Name(), len(outs), ext.Layers())
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatalf("%s: run: %v", ext.Name(), err)
	}
	res := make([][]float64, len(outs))
	for i, o := range outs {
		d := o.Value().(*tensor.Dense)
		if d.Dtype() == tensor.Float64 {
			res[i] = append([]float64(nil), d.Float64s()...)
		} else {
			for _, v := range d.Float32s() {
				res[i] = append(res[i], float64(v))
			}
		}
	}
	return res
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
	worst := 0.0
	for i := range want {
		d := math.Abs(got[i]-want[i]) / math.Max(1, math.Abs(want[i]))
		if !(d <= tol) {
			t.Fatalf("%s[%d] = %.15g, PyTorch gives %.15g (relative diff %.3g > %.1g)", name, i, got[i], want[i], d, tol)
		}
		worst = math.Max(worst, d)
	}
	t.Logf("%s: %d values, worst relative diff %.2g", name, len(want), worst)
}
