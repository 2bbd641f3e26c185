package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"framepred/checkpoint"
	"framepred/train"
)

// TestDemo runs the demo shortened to a hundredth of its steps, end to end:
// every file is there and valid, and the summary names the three models.
// The numbers of so short a run mean nothing and are not checked; the full
// experiment's are checked by package train's TestTwoFutures.
func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	r := mustRun(t, "demo", "--out", dir, "--steps-scale", "0.01", "--samples", "16", "-q")

	m := readManifest(t, filepath.Join(dir, "clips"))
	if len(m.Clips) != demoClips || m.Sheet != synthSheetName {
		t.Errorf("clips: %d, sheet %q", len(m.Clips), m.Sheet)
	}
	checkClips(t, filepath.Join(dir, "clips"), m)
	pngSize(t, filepath.Join(dir, "clips", synthSheetName))

	names := []string{"MSE", "MSE + perceptual", "MSE + perceptual + adversarial"}
	for _, run := range []string{"mse", "perceptual", "adversarial"} {
		rd := filepath.Join(dir, "runs", run)
		if _, err := checkpoint.Latest(rd); err != nil {
			t.Errorf("%s: %v", run, err)
		}
		if recs, err := train.ReadLog(filepath.Join(rd, train.LogName)); err != nil || len(stepRecords(recs)) == 0 {
			t.Errorf("%s: log: %v", run, err)
		}
	}

	// The reel: 4 context frames and 3 predicted, at the size of its still;
	// each of its 4 rows shows the context, both futures and three models.
	frames := decodeAll(t, filepath.Join(dir, "reel.mp4"), false)
	size := pngSize(t, filepath.Join(dir, "reel.png"))
	if len(frames) != 4+demoHorizon || frames[0].W != size.X || frames[0].H != size.Y || frames[0].W < 6*256 || frames[0].H < 4*256 {
		t.Errorf("reel: %d frames of %dx%d, still %v; want %d frames at the still's size, 6 panels by 4 rows", len(frames), frames[0].W, frames[0].H, size, 4+demoHorizon)
	}
	for _, name := range []string{"eval.png", "loss.png"} {
		pngSize(t, filepath.Join(dir, name))
	}
	data, err := os.ReadFile(filepath.Join(dir, "eval.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep := readReport(t, data)
	if got := modelNames(rep); strings.Join(got, "|") != strings.Join(names, "|") || rep.Horizon != demoHorizon || rep.Samples != 16 || rep.Baseline != "MSE" {
		t.Errorf("eval.json: models %v, horizon %d, %d samples, baseline %q", got, rep.Horizon, rep.Samples, rep.Baseline)
	}
	if _, err := os.Stat(filepath.Join(dir, "eval.csv")); err != nil {
		t.Error(err)
	}
	if text, err := os.ReadFile(filepath.Join(dir, "eval.txt")); err != nil || !strings.Contains(string(text), "PSNR of mean MSE") {
		t.Errorf("eval.txt: %v", err)
	}

	// stdout: where every file is, then one summary line per model.
	for _, p := range []string{"reel.mp4", "reel.png", "eval.txt", "eval.png", "loss.png"} {
		if !strings.Contains(r.stdout, filepath.Join(dir, p)) {
			t.Errorf("stdout does not say where %s is:\n%s", p, r.stdout)
		}
	}
	_, summary, ok := strings.Cut(r.stdout, "Summary at the branch point (16 held-out clips")
	ls := lines(summary)
	if !ok || len(ls) != 4 {
		t.Fatalf("summary %q: want a heading and three lines", summary)
	}
	for i, name := range names {
		if l := strings.TrimSpace(ls[i+1]); !strings.HasPrefix(l, name+": ") || !strings.Contains(l, "averaging index") {
			t.Errorf("summary line %q: want it to start with %q and give the averaging index", l, name)
		}
	}
	noTemp(t, dir)

	// Again into the same folder: refused without --force.
	r = framepred(t, "", nil, "demo", "--out", dir, "--quick")
	if ls := lines(r.stderr); r.code != exitError || len(ls) != 1 || !strings.Contains(ls[0], "already holds the demo's files") || !strings.Contains(ls[0], "--force") {
		t.Errorf("second run: exit %d, stderr %q", r.code, r.stderr)
	}
}
