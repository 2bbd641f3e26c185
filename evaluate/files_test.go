package evaluate

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSave checks that Save writes the four outputs, refuses to replace
// them unless forced, and leaves no temporary files.
func TestSave(t *testing.T) {
	r := constructedReport(t)
	dir := t.TempDir()
	opts := SaveOptions{Plot: PlotOptions{Width: 640, Height: 400}}
	paths, err := r.Save(dir, "eval", opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"eval.txt", "eval.json", "eval.csv", "eval.png"}
	if len(paths) != len(want) {
		t.Fatalf("paths %v", paths)
	}
	for i, p := range paths {
		if p != filepath.Join(dir, want[i]) {
			t.Errorf("path %d = %s, want %s", i, p, want[i])
		}
	}
	contents := readAll(t, paths)

	// The files hold what the writers write.
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(contents[1], js.Bytes()) {
		t.Error("eval.json differs from WriteJSON's output")
	}
	decodePNG(t, contents[3], 640, 400)
	if fi, err := os.Stat(paths[0]); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("eval.txt: %v, mode %v, want 0644", err, fi.Mode())
	}

	// Without Force nothing is replaced, not even the files that did not
	// exist yet.
	if err := os.Remove(paths[2]); err != nil {
		t.Fatal(err)
	}
	r.Samples = 1 // changes the text and JSON
	if _, err := r.Save(dir, "eval", opts); !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), "eval.txt already exists") {
		t.Errorf("second Save: %v, want fs.ErrExist naming eval.txt", err)
	}
	if _, err := os.Stat(paths[2]); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused Save wrote eval.csv: %v", err)
	}
	if got := readAll(t, paths[:2]); !bytes.Equal(got[0], contents[0]) || !bytes.Equal(got[1], contents[1]) {
		t.Error("a refused Save changed the files")
	}

	// With Force they are replaced.
	opts.Force = true
	if _, err := r.Save(dir, "eval", opts); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, paths[:1]); bytes.Equal(got[0], contents[0]) || !bytes.Contains(got[0], []byte(" 1 clips")) {
		t.Errorf("forced Save did not replace eval.txt:\n%s", got[0])
	}
	checkNoTemp(t, dir, 4)

	if _, err := r.Save(dir, "../x", opts); err == nil {
		t.Error("Save accepted a stem with a folder in it")
	}
}

func TestSaveLossPlot(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "loss.png")
	opts := LossPlotOptions{PlotOptions: PlotOptions{Width: 500, Height: 300}}
	if err := SaveLossPlot(path, lossCurves(), opts, false); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	decodePNG(t, b, 500, 300)
	if err := SaveLossPlot(path, lossCurves(), opts, false); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second save: %v, want fs.ErrExist", err)
	}
	// A failed plot leaves neither the file nor a temporary one.
	bad := filepath.Join(dir, "bad.png")
	if err := SaveLossPlot(bad, nil, opts, true); err == nil {
		t.Error("no curves saved")
	}
	if _, err := os.Stat(bad); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("failed save left %s: %v", bad, err)
	}
	checkNoTemp(t, dir, 1)
	if err := SaveLossPlot(filepath.Join(dir, "no", "such", "loss.png"), lossCurves(), opts, false); err == nil ||
		!strings.Contains(err.Error(), "cannot write") {
		t.Errorf("save into a missing folder: %v", err)
	}
}

func readAll(t *testing.T, paths []string) [][]byte {
	t.Helper()
	out := make([][]byte, len(paths))
	for i, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

// checkNoTemp fails if dir holds other than n files or a temporary file.
func checkNoTemp(t *testing.T, dir string, n int) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
	if len(entries) != n {
		t.Errorf("%d entries in the folder, want %d", len(entries), n)
	}
}
