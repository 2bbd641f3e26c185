package features

//go:generate sh -c "/usr/bin/python3 testdata/torchref.py | gofmt > torchref_data_test.go"

import (
	"flag"
	"path/filepath"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/internal/torchref"
	"framepred/safetensors"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// cnhw is torchref.py's cnhw; to32 rounds to float32.
var (
	cnhw = torchref.CNHW
	to32 = torchref.To32
)

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
	var convs []int
	for _, s := range a.stages() {
		if s.conv >= 0 && len(convs) < len(widths) {
			convs = append(convs, s.conv)
		}
	}
	return torchref.VGG(convs, widths)
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
	worst := torchref.Relative(t, torchRef, name, got, tol)
	t.Logf("%s: %d values, worst relative diff %.2g", name, len(got), worst)
}
