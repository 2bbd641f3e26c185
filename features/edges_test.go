package features

import (
	"testing"

	"gorgonia.org/tensor"
)

// TestEdgesAgainstPyTorch compares the edge bank with torchref.py's, which
// is the two-futures reference's Sobel bank applied per channel (a grouped
// conv2d): gray and RGB, tol 1e-12 in float64 and 1e-6 in float32.
func TestEdgesAgainstPyTorch(t *testing.T) {
	ext := Edges()
	for _, c := range []struct {
		name string
		x    *tensor.Dense
	}{
		{"gray", cnhw(2, 0.5, 0.5, 1, 2, 8, 8)},
		{"rgb", cnhw(3, 0.5, 0.5, 3, 1, 6, 6)},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, in := range []struct {
				x   *tensor.Dense
				tol float64
			}{{c.x, 1e-12}, {to32(c.x), 1e-6}} {
				got := forward(t, ext, in.x)
				againstTorch(t, "edges/"+c.name+"/edges1", got[0], in.tol)
				againstTorch(t, "edges/"+c.name+"/edges2", got[1], in.tol)
			}
		})
	}
}

// TestEdgesOfAStep checks the bank's scale: a vertical unit step gives 1
// on the 0° filter next to it, 0 on the 90° one, ±3/4 on the diagonals.
func TestEdgesOfAStep(t *testing.T) {
	x := make([]float64, 6*6)
	for r := range 6 {
		for c := 3; c < 6; c++ {
			x[r*6+c] = 1
		}
	}
	got := forward(t, Edges(), tensor.New(tensor.WithShape(1, 1, 6, 6), tensor.WithBacking(x)))[0]
	at := func(k, r, c int) float64 { return got[(k*6+r)*6+c] }
	for _, w := range []struct {
		k    int
		want float64
	}{{0, 1}, {1, 0}, {2, 0.75}, {3, -0.75}} {
		if v := at(w.k, 2, 2); v != w.want {
			t.Errorf("filter %d at the step: %v, want %v", w.k, v, w.want)
		}
	}
}
