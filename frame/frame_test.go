package frame

import "testing"

func TestFrameIndexing(t *testing.T) {
	f := New(3, 2, 4)
	f.Set(2, 1, 3, 0.5)
	if got := f.Pix[len(f.Pix)-1]; got != 0.5 {
		t.Fatalf("last value = %v, want 0.5 (CHW order)", got)
	}
	if got := f.At(2, 1, 3); got != 0.5 {
		t.Fatalf("At = %v, want 0.5", got)
	}
	if p := f.Plane(2); len(p) != 8 || p[7] != 0.5 {
		t.Fatalf("Plane(2) = %v", p)
	}
	g := f.Clone()
	g.Pix[0] = 1
	if f.Pix[0] != 0 {
		t.Fatal("Clone shares memory")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		f    Frame
		ok   bool
	}{
		{"good", New(1, 2, 2), true},
		{"short", Frame{C: 1, H: 2, W: 2, Pix: make([]float32, 3)}, false},
		{"zero", Frame{}, false},
	}
	for _, tc := range tests {
		if err := tc.f.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
