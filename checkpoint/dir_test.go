package checkpoint

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	return out
}

func TestDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if _, err := Latest(dir); !errors.Is(err, ErrNone) {
		t.Fatalf("Latest of a missing folder: %v, want ErrNone", err)
	}
	d := Dir{Path: dir, Keep: 3}
	c := sample(t)
	for _, step := range []int64{10, 20, 30} {
		c.Step = step
		if _, err := d.Save(c); err != nil {
			t.Fatal(err)
		}
	}
	// A killed writer's temporary files, and files that are not ours.
	for _, name := range []string{".step-000040.safetensors.tmp123", ".best.safetensors.tmp9", "notes.txt", "step-12.safetensors", ".other.safetensors.tmp1"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c.Step = 40
	if _, err := d.SaveBest(c); err != nil {
		t.Fatal(err)
	}
	for _, step := range []int64{40, 1_000_000} {
		c.Step = step
		if _, err := d.Save(c); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{".other.safetensors.tmp1", "best.safetensors", "notes.txt", "step-000030.safetensors", "step-000040.safetensors", "step-1000000.safetensors", "step-12.safetensors"}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Errorf("folder holds %v\nwant %v", got, want)
	}
	latest, err := Latest(dir)
	if err != nil || filepath.Base(latest) != "step-1000000.safetensors" {
		t.Errorf("Latest = %q, %v; want step-1000000.safetensors", latest, err)
	}
	_, in, err := LoadPredictor(filepath.Join(dir, BestName))
	if err != nil || in.Step != 40 {
		t.Errorf("best is step %d (%v), want 40", in.Step, err)
	}
	es, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var steps []int64
	for _, e := range es {
		steps = append(steps, e.Step)
	}
	if !slices.Equal(steps, []int64{30, 40, 1_000_000}) {
		t.Errorf("List gives steps %v", steps)
	}
}

func TestStepName(t *testing.T) {
	for _, tc := range []struct {
		name string
		step int64
		ok   bool
	}{
		{"step-000400.safetensors", 400, true},
		{"step-1234567.safetensors", 1234567, true},
		{"step-400.safetensors", 0, false},
		{"step-00040a.safetensors", 0, false},
		{"step-000400.safetensors.tmp1", 0, false},
		{"best.safetensors", 0, false},
	} {
		step, ok := parseStepName(tc.name)
		if step != tc.step || ok != tc.ok {
			t.Errorf("parseStepName(%q) = %d, %v; want %d, %v", tc.name, step, ok, tc.step, tc.ok)
		}
	}
	if got := StepName(400); got != "step-000400.safetensors" {
		t.Errorf("StepName(400) = %q", got)
	}
}

// TestDirTemporaryFiles checks that Save removes the temporary files a
// killed writer leaves, as safetensors.WriteFile names them now, and only
// those of checkpoints.
func TestDirTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{".step-000050.safetensors.123.tmp", ".best.safetensors.9.tmp", ".other.safetensors.1.tmp",
		".step-000050.safetensors.x.tmp", ".notes.txt.4.tmp"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := sample(t)
	if _, err := (Dir{Path: dir}).Save(c); err != nil {
		t.Fatal(err)
	}
	want := []string{".notes.txt.4.tmp", ".other.safetensors.1.tmp", ".step-000050.safetensors.x.tmp", "step-000412.safetensors"}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Errorf("folder holds %v\nwant %v", got, want)
	}
}
