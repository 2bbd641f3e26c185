package features

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/internal/gradcheck"
	"framepred/safetensors"
)

// TestVGGAgainstPyTorch runs tiny VGG stacks (torchref.py's weights, written
// to a file by the test) and compares every chosen layer with PyTorch's
// conv2d/relu/max_pool2d: tol 1e-12 relative in float64, 2e-5 in float32.
func TestVGGAgainstPyTorch(t *testing.T) {
	p19 := writeVGG(t, vggTensors(vgg19, tinyVGG19))
	p16 := writeVGG(t, vggTensors(vgg16, tinyVGG16))
	rgb := cnhw(1, 0.5, 0.5, 3, 2, 8, 8)
	gray := cnhw(2, 0.5, 0.5, 1, 2, 8, 8)
	cases := []struct {
		ref    string
		load   func(string, ...string) (*VGG, error)
		path   string
		layers []string
		x      *tensor.Dense
	}{
		{"vgg19/rgb", LoadVGG19, p19, nil, rgb},
		{"vgg19/gray", LoadVGG19, p19, nil, gray},
		{"vgg19/rgb_pick", LoadVGG19, p19, []string{"pool2", "relu1_1"}, rgb},
		{"vgg16/gray", LoadVGG16, p16, nil, gray},
	}
	for _, c := range cases {
		t.Run(c.ref, func(t *testing.T) {
			v, err := c.load(c.path, c.layers...)
			if err != nil {
				t.Fatal(err)
			}
			for _, dt := range []struct {
				name string
				x    *tensor.Dense
				tol  float64
			}{{"f64", c.x, 1e-12}, {"f32", to32(c.x), 2e-5}} {
				got := forward(t, v, dt.x)
				for i, l := range v.Layers() {
					againstTorch(t, fmt.Sprintf("%s/%s", c.ref, l), got[i], dt.tol)
				}
			}
		})
	}
}

func TestVGGLayersAndName(t *testing.T) {
	p := writeVGG(t, vggTensors(vgg19, tinyVGG19))
	v, err := LoadVGG19(p, "pool2", "relu1_1")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(v.Layers(), ","); got != "relu1_1,pool2" {
		t.Errorf("Layers() = %s, want them in stack order relu1_1,pool2", got)
	}
	want := fmt.Sprintf("vgg19:relu1_1,pool2 (weights: %s; non-standard widths 4,4,8,8)", p)
	if v.Name() != want {
		t.Errorf("Name() = %q, want %q", v.Name(), want)
	}

	// The ImageNet model's widths are not remarked on. relu1_2 needs only
	// the first two convolutions (64 channels).
	std := writeVGG(t, vggTensors(vgg19, []int{64, 64}))
	v, err = LoadVGG19(std, "relu1_2")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("vgg19:relu1_2 (weights: %s)", std); v.Name() != want {
		t.Errorf("Name() = %q, want %q", v.Name(), want)
	}
	v16, err := LoadVGG16(writeVGG(t, vggTensors(vgg16, tinyVGG16)))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(v16.Layers(), ","); got != "relu1_2,relu2_2,relu3_3" {
		t.Errorf("VGG16 default layers %s", got)
	}
}

// TestVGGLoadErrors feeds the loader broken files; every error must name
// the file and, where one is at fault, the tensor.
func TestVGGLoadErrors(t *testing.T) {
	good := func() map[string]safetensors.Tensor { return vggTensors(vgg19, tinyVGG19) }
	f32 := func(shape ...int) safetensors.Tensor {
		return safetensors.FromFloat32(shape, make([]float32, tensor.Shape(shape).TotalSize()))
	}
	cases := []struct {
		name   string
		edit   func(map[string]safetensors.Tensor)
		layers []string
		want   []string // substrings of the error besides the path
	}{
		{"missing weight", func(m map[string]safetensors.Tensor) { delete(m, "features.12.weight") }, nil,
			[]string{`no tensor "features.12.weight"`, "conv3_2"}},
		{"missing bias", func(m map[string]safetensors.Tensor) { delete(m, "features.0.bias") }, nil,
			[]string{`no tensor "features.0.bias"`}},
		{"input channels", func(m map[string]safetensors.Tensor) { m["features.0.weight"] = f32(4, 1, 3, 3) }, nil,
			[]string{`"features.0.weight" has shape [4 1 3 3], want (Out, 3, 3, 3)`}},
		{"chain broken", func(m map[string]safetensors.Tensor) { m["features.5.weight"] = f32(8, 5, 3, 3) }, nil,
			[]string{`"features.5.weight" has shape [8 5 3 3], want (Out, 4, 3, 3)`}},
		{"kernel size", func(m map[string]safetensors.Tensor) { m["features.2.weight"] = f32(4, 4, 5, 5) }, nil,
			[]string{`"features.2.weight" has shape [4 4 5 5]`}},
		{"bias length", func(m map[string]safetensors.Tensor) { m["features.7.bias"] = f32(7) }, nil,
			[]string{`"features.7.bias" has shape [7], want (8)`}},
		{"integer dtype", func(m map[string]safetensors.Tensor) {
			m["features.2.bias"] = safetensors.Tensor{DType: safetensors.I32, Shape: []int{4}, Data: make([]byte, 16)}
		}, nil, []string{`"features.2.bias" is I32`}},
		{"NaN", func(m map[string]safetensors.Tensor) {
			v := make([]float32, 4)
			v[2] = float32(math.NaN())
			m["features.2.bias"] = safetensors.FromFloat32([]int{4}, v)
		}, nil, []string{`"features.2.bias" holds NaN`}},
		{"VGG16 file", func(m map[string]safetensors.Tensor) {
			clear(m)
			for k, v := range vggTensors(vgg16, append(tinyVGG16, 8)) { // up to conv4_1, features.17
				m[k] = v
			}
		}, nil, []string{`"features.17.bias" is not a convolution of vgg19`, "VGG16"}},
		{"batch-norm file", func(m map[string]safetensors.Tensor) { m["features.1.weight"] = f32(4) }, []string{"relu1_1"},
			[]string{`"features.1.weight" is not a convolution of vgg19`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := good()
			c.edit(m)
			p := writeVGG(t, m)
			_, err := LoadVGG19(p, c.layers...)
			if err == nil {
				t.Fatal("loaded")
			}
			for _, w := range append([]string{p}, c.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}

	// Files that are not safetensors at all.
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"text", []byte("this is not a weights file, but it is long enough"), "header length"},
		{"bad json", append([]byte{5, 0, 0, 0, 0, 0, 0, 0}, "{oops"...), "invalid safetensors file"},
	} {
		p := filepath.Join(dir, c.name+".safetensors")
		if err := os.WriteFile(p, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadVGG19(p)
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %s and saying %q", c.name, err, p, c.want)
		}
	}
	if _, err := LoadVGG19(filepath.Join(dir, "absent.safetensors")); err == nil || !strings.Contains(err.Error(), "absent.safetensors") {
		t.Errorf("missing file: error %v", err)
	}

	// Bad layer names fail before the file is opened.
	for _, layers := range [][]string{{"relu3_5"}, {"conv1_1"}, {"relu1_2", "relu1_2"}} {
		if _, err := LoadVGG19(filepath.Join(dir, "absent.safetensors"), layers...); err == nil || !strings.Contains(err.Error(), layers[0]) {
			t.Errorf("layers %v: error %v", layers, err)
		}
	}
}

// TestVGGReadsOnlyWhatItUses loads the first block from a file whose deeper
// tensors are broken: they are never read or checked.
func TestVGGReadsOnlyWhatItUses(t *testing.T) {
	m := vggTensors(vgg19, tinyVGG19)
	m["features.5.weight"] = safetensors.FromFloat32([]int{1}, []float32{0})
	v, err := LoadVGG19(writeVGG(t, m), "relu1_2")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.w.f32) != 4 {
		t.Errorf("loaded %d tensors, want the 4 of the first block", len(v.w.f32))
	}
	if _, err := LoadVGG19(writeVGG(t, m), "relu2_1"); err == nil {
		t.Error("a broken features.5 loaded for relu2_1")
	}
}

func TestVGGBuildErrors(t *testing.T) {
	v, err := LoadVGG19(writeVGG(t, vggTensors(vgg19, tinyVGG19)))
	if err != nil {
		t.Fatal(err)
	}
	g := G.NewGraph()
	for _, c := range []struct {
		shape []int
		want  string
	}{
		{[]int{2, 1, 8, 8}, "2 channels"},
		{[]int{3, 8, 8}, "4-D"},
		{[]int{3, 1, 2, 2}, "pool2"}, // 1×1 after pool1: too small for pool2
	} {
		x := G.NewTensor(g, tensor.Float32, len(c.shape), G.WithShape(c.shape...), G.WithName(fmt.Sprint(c.shape)))
		if _, err := v.Build(g, x); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("input %v: error %v, want one saying %q", c.shape, err, c.want)
		}
	}
	other := G.NewGraph()
	x := G.NewTensor(other, tensor.Float32, 4, G.WithShape(3, 1, 8, 8), G.WithName("x"))
	if _, err := v.Build(g, x); err == nil || !strings.Contains(err.Error(), "another graph") {
		t.Errorf("input of another graph: %v", err)
	}
}

// TestTwoVGGsInOneGraph builds two extractors with different weights on one
// graph, and each on the prediction and the truth: weight nodes are shared
// within an extractor and never between two.
func TestTwoVGGsInOneGraph(t *testing.T) {
	ma := vggTensors(vgg19, tinyVGG19)
	mb := vggTensors(vgg19, tinyVGG19)
	mb["features.0.bias"] = safetensors.FromFloat32([]int{4}, []float32{1, 2, 3, 4})
	va, err := LoadVGG19(writeVGG(t, ma), "relu1_1")
	if err != nil {
		t.Fatal(err)
	}
	vb, err := LoadVGG19(writeVGG(t, mb), "relu1_1")
	if err != nil {
		t.Fatal(err)
	}
	x := cnhw(1, 0.5, 0.5, 3, 2, 8, 8)
	wantA, wantB := forward(t, va, x)[0], forward(t, vb, x)[0]

	g := G.NewGraph()
	in := G.NodeFromAny(g, x, G.WithName("x"))
	in2 := G.NodeFromAny(g, x.Clone(), G.WithName("x2"))
	fa, err := va.Build(g, in)
	if err != nil {
		t.Fatal(err)
	}
	fa2, err := va.Build(g, in2)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := vb.Build(g, in)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		n    *G.Node
		want []float64
	}{{"a", fa[0], wantA}, {"a again", fa2[0], wantA}, {"b", fb[0], wantB}} {
		got := c.n.Value().(*tensor.Dense).Float64s()
		for i := range got {
			if got[i] != c.want[i] {
				t.Fatalf("%s: feature %d is %v alone, %v in the shared graph", c.name, i, c.want[i], got[i])
			}
		}
	}
	weights := 0
	for _, n := range g.AllNodes() {
		if strings.HasPrefix(n.Name(), "features.vgg19#") {
			weights++
		}
	}
	if weights != 4 { // a's and b's features.0 weight and bias
		t.Errorf("the graph has %d weight nodes, want 4", weights)
	}
}

// TestExtractorGradients checks the input gradient of every extractor
// against finite differences (float64, internal/gradcheck defaults):
// f = Σ over layers of a fixed random weighting of the feature map.
func TestExtractorGradients(t *testing.T) {
	v, err := LoadVGG19(writeVGG(t, vggTensors(vgg19, tinyVGG19)))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ext Extractor
		x   *tensor.Dense
	}{
		{Edges(), cnhw(5, 1, 0, 3, 1, 6, 6)},
		{Random(3), cnhw(6, 1, 0, 1, 2, 6, 6)},
		{v, cnhw(7, 0.5, 0.5, 1, 1, 8, 8)},
	} {
		t.Run(strings.Fields(c.ext.Name())[0], func(t *testing.T) {
			res, err := gradcheck.Check(func(g *G.ExprGraph, in []*G.Node) (*G.Node, error) {
				fs, err := c.ext.Build(g, in[0])
				if err != nil {
					return nil, err
				}
				var total *G.Node
				for i, f := range fs {
					s, err := gradcheck.WeightedSum(f, uint64(i+1))
					if err != nil {
						return nil, err
					}
					if total == nil {
						total = s
					} else if total, err = G.Add(total, s); err != nil {
						return nil, err
					}
				}
				return total, nil
			}, []*tensor.Dense{c.x}, gradcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%v", res)
		})
	}
}

func TestNew(t *testing.T) {
	p := writeVGG(t, vggTensors(vgg19, tinyVGG19))
	for _, c := range []struct {
		spec, weights string
		want          string // Name prefix, or the error's substring
		fails         bool
	}{
		{"edges", "", "edges: fixed oriented-edge bank", false},
		{Default, "", "edges:", false},
		{"random", "", "random: seeded random conv+ReLU stack (16, 32 channels), seed 1234", false},
		{"vgg19", p, "vgg19:relu1_2,relu2_2,relu3_4 (weights: " + p, false},
		{"vgg19:relu2_1, relu1_1", p, "vgg19:relu1_1,relu2_1 (weights: ", false},
		{"vgg19", "", "needs its ImageNet weights", true},
		{"vgg16", p, `"features.16.bias" is not a convolution of vgg16`, true},
		{"edges", p, "takes no weights file", true},
		{"edges:edges1", "", "fixed layers", true},
		{"vgg11", p, `unknown extractor "vgg11"`, true},
	} {
		ext, err := New(c.spec, c.weights)
		switch {
		case c.fails && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("New(%q, %q): error %v, want one saying %q", c.spec, c.weights, err, c.want)
		case !c.fails && err != nil:
			t.Errorf("New(%q, %q): %v", c.spec, c.weights, err)
		case !c.fails && !strings.HasPrefix(ext.Name(), c.want):
			t.Errorf("New(%q, %q).Name() = %q, want it to start with %q", c.spec, c.weights, ext.Name(), c.want)
		}
	}
}
