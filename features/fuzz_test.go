package features

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/safetensors"
)

// FuzzLoadVGG feeds arbitrary files to LoadVGG19. It must never panic; a
// file it accepts must have the chained shapes it promises and build and
// run on a small frame. The safetensors parser itself is fuzzed in its own
// package; this covers what the loader adds (names, shapes, dtypes, values).
func FuzzLoadVGG(f *testing.F) {
	enc := func(ts map[string]safetensors.Tensor) []byte {
		var b bytes.Buffer
		if err := safetensors.Write(&b, ts, nil); err != nil {
			f.Fatal(err)
		}
		return b.Bytes()
	}
	f.Add(enc(vggTensors(vgg19, []int{2, 2})))
	f.Add(enc(vggTensors(vgg19, []int{1, 2, 2, 1, 1, 1, 1, 1})))
	f.Add(enc(vggTensors(vgg16, []int{1, 1, 1, 1, 1, 1, 1, 1})))
	broken := vggTensors(vgg19, []int{2, 2})
	broken["features.2.weight"] = safetensors.FromFloat32([]int{2, 1, 3, 3}, make([]float32, 18))
	f.Add(enc(broken))
	f.Add([]byte{})
	f.Add([]byte("\x02\x00\x00\x00\x00\x00\x00\x00{}"))

	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		path := filepath.Join(dir, "w.safetensors")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		v, err := LoadVGG19(path, "relu1_2")
		if err != nil {
			return
		}
		in, params := 3, 0
		for i, c := range v.widths {
			name := []string{"features.0.weight", "features.2.weight"}[i]
			w := v.w.f32[name]
			if s := w.Shape(); s[0] != c || s[1] != in || s[2] != 3 || s[3] != 3 {
				t.Fatalf("accepted %s of shape %v after %d channels", name, s, in)
			}
			params += w.Shape().TotalSize()
			in = c
		}
		if params > 1<<16 {
			return
		}
		g := G.NewGraph()
		x := G.NewTensor(g, tensor.Float32, 4, G.WithShape(1, 1, 4, 4), G.WithName("x"), G.WithInit(G.Ones()))
		fs, err := v.Build(g, x)
		if err != nil {
			t.Fatalf("accepted weights do not build: %v", err)
		}
		vm := G.NewTapeMachine(g)
		defer vm.Close()
		if err := vm.RunAll(); err != nil {
			t.Fatalf("accepted weights do not run: %v", err)
		}
		if s := fs[0].Shape(); s[0] != v.widths[1] {
			t.Fatalf("relu1_2 has shape %v, widths %v", s, v.widths)
		}
	})
}
