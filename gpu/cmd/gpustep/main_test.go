package main

import (
	"errors"
	"path/filepath"
	"testing"

	"framepred/cuda"
	"framepred/cuda/cudatest"
)

// TestModes runs every mode briefly on framepred/cuda/cudatest's stand-in
// libraries (the GPU kernels on the CPU), at batch 2 of the demo network.
func TestModes(t *testing.T) {
	l, err := cudatest.Build(t.TempDir(), cuda.KernelSources())
	if errors.Is(err, cudatest.ErrUnavailable) {
		t.Skipf("skipped: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(cuda.EnvLibDirs, filepath.Dir(l.Driver))
	for _, m := range []struct {
		mode   string
		steps  int
		graphs bool
	}{{"parity", 1, true}, {"speed", 1, false}, {"memory", 2, true}} {
		if err := run("cuda", m.mode, "demo", 2, m.steps, 1, m.mode == "speed", m.graphs, m.mode == "speed", 1); err != nil {
			t.Errorf("%s: %v", m.mode, err)
		}
	}
	if err := run("cuda", "parity", "nonesuch", 2, 1, 0, false, false, false, 1); err == nil {
		t.Error("an unknown network did not fail")
	}
}
