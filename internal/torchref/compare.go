package torchref

import (
	"math"
	"testing"
)

// want returns ref[name], failing t where it is missing or its length is
// not len(got).
func want(t testing.TB, ref map[string][]float64, name string, got []float64) []float64 {
	t.Helper()
	w, ok := ref[name]
	if !ok {
		t.Fatalf("no PyTorch reference %q", name)
	}
	if len(got) != len(w) {
		t.Fatalf("%s: %d values, PyTorch gives %d", name, len(got), len(w))
	}
	return w
}

// Relative compares got with ref[name]: each value within tol·max(1, |want|).
// It fails t on the first value outside, and otherwise returns the worst
// relative difference.
func Relative(t testing.TB, ref map[string][]float64, name string, got []float64, tol float64) float64 {
	t.Helper()
	want := want(t, ref, name, got)
	worst := 0.0
	for i := range want {
		d := math.Abs(got[i]-want[i]) / math.Max(1, math.Abs(want[i]))
		if !(d <= tol) {
			t.Fatalf("%s[%d] = %.15g, PyTorch gives %.15g (relative diff %.3g > %.1g)", name, i, got[i], want[i], d, tol)
		}
		worst = math.Max(worst, d)
	}
	return worst
}

// Absolute compares got with ref[name]: each value within tol. It fails t
// on the first value further off (a NaN difference does not fail).
func Absolute(t testing.TB, ref map[string][]float64, name string, got []float64, tol float64) {
	t.Helper()
	want := want(t, ref, name, got)
	for i := range want {
		if d := math.Abs(got[i] - want[i]); d > tol {
			t.Fatalf("%s[%d] = %.15g, PyTorch gives %.15g (|diff| %.3g > %.1g)", name, i, got[i], want[i], d, tol)
		}
	}
}
