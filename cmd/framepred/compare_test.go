package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"framepred/evaluate"
)

// twoModels trains two tiny models on the built-in data, MSE and MSE with
// an adversarial term, and returns their run folders.
func twoModels(t *testing.T) (mse, adv string) {
	t.Helper()
	dir := t.TempDir()
	mse, adv = filepath.Join(dir, "mse"), filepath.Join(dir, "adv")
	trainTiny(t, mse, "10")
	trainTiny(t, adv, "10", "--loss", "mse=1,adv=0.05", "--init", mse, "--d-warmup", "3")
	return mse, adv
}

// readReport reads an evaluation report written as JSON.
func readReport(t *testing.T, data []byte) *evaluate.Report {
	t.Helper()
	r, err := evaluate.ReadJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("report: %v\n%s", err, data)
	}
	return r
}

func modelNames(r *evaluate.Report) []string {
	var names []string
	for _, m := range r.Models {
		names = append(names, m.Name)
	}
	return names
}

// TestReelAndEval: reel and eval on the built-in data and on a video, with
// two tiny checkpoints: the reel decodes with one frame per context and
// predicted frame at the size of its still; the evaluation's JSON holds
// both models, and --out gets every file.
func TestReelAndEval(t *testing.T) {
	mse, adv := twoModels(t)
	dir := t.TempDir()
	video := h264(t, dir, "v.mp4")

	out, still := filepath.Join(dir, "reel.mp4"), filepath.Join(dir, "reel.png")
	r := mustRun(t, "reel", "-c", mse, "-c", adv, "--synth", "--samples", "2", "--horizon", "2", "-o", out, "--still", still)
	if !strings.Contains(r.stdout, "2 rows of 5 panels, 4 frames") { // context, two futures, two models
		t.Errorf("stdout %q", r.stdout)
	}
	frames := decodeAll(t, out, false)
	size := pngSize(t, still)
	if len(frames) != 4 || frames[0].W != size.X || frames[0].H != size.Y || frames[0].W < 5*256 {
		t.Errorf("reel: %d frames of %dx%d, still %v; want 4 frames (2 context, 2 predicted) of the still's size, 5 panels wide", len(frames), frames[0].W, frames[0].H, size)
	}

	vreel := filepath.Join(dir, "video-reel.mp4")
	r = mustRun(t, "reel", "-c", mse, "--label", "plain", "--samples", "3", "--stride", "20", "--horizon", "3", "-o", vreel, video)
	if n := len(decodeAll(t, vreel, false)); n != 5 || !strings.Contains(r.stdout, "3 rows of 3 panels") {
		t.Errorf("video reel: %d frames, stdout %q; want 5 frames, 3 rows of context, truth and the model", n, r.stdout)
	}

	r = mustRun(t, "eval", "-c", mse, "-c", adv, "--synth", "--samples", "16", "--horizon", "2", "--json")
	rep := readReport(t, []byte(r.stdout))
	if names := modelNames(rep); len(names) != 2 || names[0] != "MSE" || names[1] != "MSE + adversarial" || rep.Baseline != "MSE" {
		t.Errorf("models %v, baseline %q; want MSE and MSE + adversarial, baseline MSE", names, rep.Baseline)
	}
	for _, m := range rep.Models {
		if len(m.Steps) != 2 || m.Steps[0].N != 16 || m.Steps[0].Branched != 16 || m.Info.Checkpoint == "" {
			t.Errorf("%s: %+v; want 2 steps of 16 clips with both futures known", m.Name, m.Steps)
		}
	}

	report := filepath.Join(dir, "report")
	r = mustRun(t, "eval", "-c", mse, "-c", adv, "--label", "a", "--label", "b", "--samples", "8", "--horizon", "2", "--out", report, video)
	if !strings.HasPrefix(r.stdout, "framepred evaluation: 8 clips, horizon 2") || !strings.Contains(r.stdout, "model a: ") {
		t.Errorf("eval text: %q", r.stdout)
	}
	for _, name := range []string{"eval.png", "loss.png"} {
		if s := pngSize(t, filepath.Join(report, name)); s.X < 200 || s.Y < 150 {
			t.Errorf("%s is %v", name, s)
		}
	}
	data, err := os.ReadFile(filepath.Join(report, "eval.json"))
	if err != nil {
		t.Fatal(err)
	}
	if rep := readReport(t, data); rep.Data.Kind != "video" || len(rep.Models) != 2 || rep.Models[1].Name != "b" {
		t.Errorf("eval.json: data %q, models %v", rep.Data.Kind, modelNames(rep))
	}
	text, err := os.ReadFile(filepath.Join(report, "eval.txt"))
	if err != nil || string(text) != r.stdout {
		t.Errorf("eval.txt (%v) differs from what eval printed", err)
	}
	f, err := os.Open(filepath.Join(report, "eval.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 1+2*2 {
		t.Errorf("eval.csv: %d rows (%v), want a header and 2 models × 2 steps", len(rows), err)
	}

	// The files are kept without --force, before anything is measured.
	r = framepred(t, "", nil, "eval", "-c", mse, "--synth", "--out", report)
	if ls := lines(r.stderr); r.code != exitError || len(ls) != 1 || !strings.Contains(ls[0], filepath.Join(report, "eval.txt")+" already exists") {
		t.Errorf("existing report: exit %d, stderr %q", r.code, r.stderr)
	}
	noTemp(t, report)
}

// TestCompareErrors: mistakes in reel's and eval's command lines.
func TestCompareErrors(t *testing.T) {
	dir := t.TempDir()
	k2 := trainTiny(t, filepath.Join(dir, "k2"), "2")
	k3 := trainTiny(t, filepath.Join(dir, "k3"), "2", "--context", "3")
	out := filepath.Join(dir, "reel.mp4")
	tests := []struct {
		name  string
		args  []string
		code  int
		words string
	}{
		{"reel without data", []string{"reel", "-c", k2, "-o", out}, exitUsage, "give video files or --synth"},
		{"reel without checkpoint", []string{"reel", "--synth", "-o", out}, exitUsage, "--checkpoint CKPT and -o REEL.mp4 are both needed"},
		{"too many labels", []string{"reel", "-c", k2, "--label", "a", "--label", "b", "--synth", "-o", out}, exitUsage, "2 --label values for 1 checkpoints"},
		{"contexts differ", []string{"reel", "-c", k2, "-c", k3, "--synth", "-o", out}, exitError, "must agree"},
		{"eval bad horizon", []string{"eval", "-c", k2, "--synth", "--horizon", "0"}, exitUsage, "must be at least 1"},
		{"eval folder without checkpoints", []string{"eval", "-c", dir, "--synth"}, exitError, "holds no step checkpoint"},
		{"eval unknown flag", []string{"eval", "-c", k2, "--synth", "--plot"}, exitUsage, "eval: unknown flag --plot"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := framepred(t, "", nil, tc.args...)
			ls := lines(r.stderr)
			if r.code != tc.code || len(ls) != 1 || !strings.Contains(ls[0], tc.words) {
				t.Errorf("exit %d, stderr %q; want %d and one line saying %q", r.code, r.stderr, tc.code, tc.words)
			}
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was written", out)
	}
}
