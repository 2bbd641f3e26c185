package features

import (
	"math"
	"slices"
	"testing"

	"framepred/safetensors"
)

const randomGolden = "testdata/random_seed1234.safetensors"

// TestRandomWeightsGolden checks that RandomWeights(1234, c) still draws the
// weights torchref.py computed the random extractor's reference features
// with; -update rewrites the file from the current code.
func TestRandomWeightsGolden(t *testing.T) {
	ts := map[string]safetensors.Tensor{}
	for _, c := range []int{1, 3} {
		w1, w2 := RandomWeights(1234, c)
		ts["w1."+itoa(c)] = safetensors.FromFloat32([]int{16, c, 3, 3}, w1)
		ts["w2."+itoa(c)] = safetensors.FromFloat32([]int{32, 16, 3, 3}, w2)
	}
	if *update {
		if err := safetensors.WriteFile(randomGolden, ts, map[string]string{"source": "features.RandomWeights(1234, c)"}); err != nil {
			t.Fatal(err)
		}
	}
	f, err := safetensors.ReadFile(randomGolden)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Names(), []string{"w1.1", "w1.3", "w2.1", "w2.3"}; !slices.Equal(got, want) {
		t.Fatalf("golden file has %v, want %v", got, want)
	}
	for name, want := range ts {
		got, _ := f.Tensor(name)
		if !slices.Equal(got.Shape, want.Shape) || string(got.Data) != string(want.Data) {
			t.Errorf("%s: RandomWeights no longer draws the golden weights (run with -update and rerun torchref.py if the change is meant)", name)
		}
	}
}

func TestRandomWeightsStatistics(t *testing.T) {
	w1, w2 := RandomWeights(7, 3)
	for _, c := range []struct {
		name string
		w    []float32
		std  float64
	}{{"w1", w1, math.Sqrt(2.0 / 27)}, {"w2", w2, math.Sqrt(2.0 / 144)}} {
		var s, ss float64
		for _, v := range c.w {
			s += float64(v)
			ss += float64(v) * float64(v)
		}
		n := float64(len(c.w))
		mean, std := s/n, math.Sqrt(ss/n-(s/n)*(s/n))
		// The sample mean's standard error is std/√n; allow 4 of them, and
		// 10% on the standard deviation (n ≥ 432).
		if math.Abs(mean) > 4*c.std/math.Sqrt(n) || math.Abs(std/c.std-1) > 0.1 {
			t.Errorf("%s: mean %.4f, std %.4f; want about 0 and %.4f", c.name, mean, std, c.std)
		}
	}
	a, _ := RandomWeights(7, 1)
	b, _ := RandomWeights(8, 1)
	if slices.Equal(a, b) {
		t.Error("seeds 7 and 8 give the same weights")
	}
}

func TestRandomAgainstPyTorch(t *testing.T) {
	ext := Random(1234)
	for _, c := range []struct {
		name     string
		seed     uint64
		channels int
	}{{"gray", 2, 1}, {"rgb", 1, 3}} { // torchref.py's gray and rgb inputs
		t.Run(c.name, func(t *testing.T) {
			got := forward(t, ext, cnhw(c.seed, 0.5, 0.5, c.channels, 2, 8, 8))
			// float64 arithmetic on the same float32 weights: tol 1e-12.
			againstTorch(t, "random/"+c.name+"/relu1", got[0], 1e-12)
			againstTorch(t, "random/"+c.name+"/relu2", got[1], 1e-12)
		})
	}
}

func itoa(c int) string { return string(rune('0' + c)) }
