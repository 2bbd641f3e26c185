package torchref

import (
	"slices"
	"testing"
)

// The values Python gives for torchref.py's formulas: hseq(3, 7, 0.5, 0.5)
// and seq(3, 2, 2.0, 1.0), printed with repr.
func TestFormulas(t *testing.T) {
	if got, want := Hseq(3, 7, 0.5, 0.5), []float64{0.7377056182045093, 0.10251869171567174, 0.6525698799058082}; !slices.Equal(got, want) {
		t.Errorf("Hseq(3, 7, 0.5, 0.5) = %v, Python gives %v", got, want)
	}
	if got, want := Seq(3, 2, 2, 1), []float64{2.0310027436429285, 0.6845086117135035, -0.5136049906158564}; !slices.Equal(got, want) {
		t.Errorf("Seq(3, 2, 2, 1) = %v, Python gives %v", got, want)
	}
}

func TestCompare(t *testing.T) {
	ref := map[string][]float64{"x": {100, 0.5}}
	if w := Relative(t, ref, "x", []float64{100.5, 0.5}, 0.005); w != 0.005 {
		t.Errorf("worst relative difference %g, want 0.005", w)
	}
	Absolute(t, ref, "x", []float64{100.5, 0.5}, 0.5)
}
