package main

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"framepred/checkpoint"
	"framepred/cuda"
	"framepred/cuda/cudatest"
	"framepred/device"
	"framepred/train"
)

// tiny are the flags of a network and data set small enough that a step
// takes about a millisecond: 16×16 gray frames, 2 context frames, a U-Net
// of width 4 and depth 1, batches of 4.
var tiny = []string{"--size", "16", "--context", "2", "--net-width", "4", "--net-depth", "1", "--batch", "4", "--val-samples", "8"}

// trainTiny trains a tiny model on the built-in data into dir and returns
// the final checkpoint's path.
func trainTiny(t *testing.T, dir string, steps string, extra ...string) string {
	t.Helper()
	args := append(append([]string{"train", "--synth", "--out", dir, "--steps", steps, "--val-every", "10", "--checkpoint-every", "10", "-q"}, tiny...), extra...)
	r := mustRun(t, args...)
	if !strings.Contains(r.stdout, "trained to step "+steps+";") {
		t.Fatalf("train printed %q", r.stdout)
	}
	latest, err := checkpoint.Latest(dir)
	if err != nil {
		t.Fatal(err)
	}
	return latest
}

// TestTrainSynth: a run on the built-in data writes its checkpoints and a
// log of every step, and the checkpoint holds the flags' settings.
func TestTrainSynth(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	ckpt := trainTiny(t, dir, "20", "--loss", "mse=1,adv=0.05", "--d-warmup", "4", "--d-warmup-trains-g", "--lr", "2e-4", "--betas", "0.5,0.99", "--seed", "7")
	if filepath.Base(ckpt) != checkpoint.StepName(20) {
		t.Errorf("last checkpoint %s, want step 20", ckpt)
	}
	cfg, _, err := train.SavedConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Losses != "mse=1,adv=0.05" || cfg.DWarmup != 4 || !cfg.DWarmupTrainsG || cfg.G.LR != 2e-4 || cfg.G.Beta1 != 0.5 || cfg.G.Beta2 != 0.99 ||
		cfg.Seed != 7 || cfg.Model.Context != 2 || cfg.Model.Width != 4 || cfg.Data.Synth == nil || cfg.Data.Synth.Width != 16 || cfg.Discriminator.Context != 2 {
		t.Errorf("saved config %+v does not hold the flags", cfg)
	}
	recs, err := train.ReadLog(filepath.Join(dir, train.LogName))
	if err != nil {
		t.Fatal(err)
	}
	steps := stepRecords(recs)
	if len(steps) != 20 || steps[4].Phase != train.PhaseJoint || steps[3].Phase != train.PhaseDisc {
		t.Errorf("log: %d step records, phases %v; want 20, disc for 4 steps then joint", len(steps), phases(steps))
	}

	// The same folder again: refused, with the way to continue it.
	r := framepred(t, "", nil, append([]string{"train", "--synth", "--out", dir, "--steps", "30"}, tiny...)...)
	if ls := lines(r.stderr); r.code != exitError || len(ls) != 1 || !strings.Contains(ls[0], dir+" already holds a run (2 checkpoints, the newest step-000020.safetensors)") || !strings.Contains(ls[0], "--resume") {
		t.Errorf("exit %d, stderr %q; want 1 and one line pointing to --resume", r.code, r.stderr)
	}
}

// TestTrainInit: a fresh run from a warm start takes the start's network
// and frame settings for the flags not given (a mismatch would fail the
// warm start), and the flags given for the rest.
func TestTrainInit(t *testing.T) {
	dir := t.TempDir()
	start := trainTiny(t, filepath.Join(dir, "start"), "2", "--rgb", "--residual")
	out := filepath.Join(dir, "warm")
	mustRun(t, "train", "--synth", "--out", out, "--init", start, "--steps", "1", "--batch", "2", "--val-samples", "2", "-q")
	cfg, _, err := train.SavedConfig(out)
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Model
	if m.Channels != 3 || !m.Residual || m.Context != 2 || m.Width != 4 || m.Depth != 1 || cfg.Data.Synth == nil || cfg.Data.Synth.Width != 16 ||
		cfg.Batch != 2 || cfg.Data.ValSamples != 2 || cfg.Init != start {
		t.Errorf("saved config %+v: want the warm start's network, frames of 16 px, batch 2 and 2 validation clips", cfg)
	}
}

func stepRecords(recs []train.Record) []train.Record {
	var out []train.Record
	for _, r := range recs {
		if r.Type == train.RecordStep {
			out = append(out, r)
		}
	}
	return out
}

func phases(recs []train.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Phase)
	}
	return out
}

// TestTrainBadInput: a video that decode refuses, among good ones, stops
// train before the first step: exit 1, one line on stderr naming the file,
// no checkpoint.
func TestTrainBadInput(t *testing.T) {
	dir := t.TempDir()
	fx := makeProbeFixtures(t, dir)
	tests := append(badInputs(t, dir, fx),
		badInput{"shorter than a clip", h264(t, dir, "short.mp4", "-frames:v", "2"), "it has 2 frames at these settings, one clip needs 3"})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			args := append([]string{"train", "--out", out, "--steps", "5"}, tiny...)
			r := framepred(t, "", nil, append(args, fx.faststart, tc.path, fx.webm)...)
			if r.code != exitError {
				t.Errorf("exit %d, want %d", r.code, exitError)
			}
			ls := lines(r.stderr)
			if len(ls) != 1 || !strings.HasPrefix(ls[0], "framepred: ") || !strings.Contains(ls[0], tc.path) || !strings.Contains(ls[0], tc.words) {
				t.Errorf("stderr %q: want one line naming %s and saying %q", r.stderr, tc.path, tc.words)
			}
			if es, _ := checkpoint.List(out); len(es) > 0 {
				t.Errorf("checkpoints written: %v", es)
			}
		})
	}
}

// TestTrainUsage: train's own usage mistakes exit 2 with one line.
func TestTrainUsage(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "run")
	video := h264(t, dir, "v.mp4")
	tests := []struct {
		name  string
		args  []string
		words string
	}{
		{"no data", []string{"--out", out}, "no video files given (use --synth for the built-in data set)"},
		{"both data", []string{"--out", out, "--synth", video}, "give video files or --synth, not both"},
		{"no out", []string{"--synth"}, "--out DIR is needed"},
		{"video flag on synth", []string{"--out", out, "--synth", "--fps", "10"}, "--fps applies to video files only"},
		{"steps and epochs", []string{"--out", out, "--epochs", "2", "--steps", "9", video}, "give --steps or --epochs, not both"},
		{"bad betas", []string{"--out", out, "--synth", "--betas", "0.9"}, `--betas "0.9": want two numbers`},
		{"bad aspect", []string{"--out", out, "--aspect", "fill", video}, `--aspect "fill": want crop or stretch`},
		{"bad loss", []string{"--out", out, "--synth", "--loss", "mse=1,blur=2"}, `unknown loss "blur"`},
		{"epochs on synth", []string{"--out", out, "--synth", "--epochs", "2"}, "epochs need video data"},
		{"size not a multiple", []string{"--out", out, "--synth", "--size", "30"}, "30"},
		{"weights without perceptual", []string{"--out", out, "--synth", "--perceptual-weights", video}, "has no perceptual term"},
		{"bad device", []string{"--out", out, "--synth", "--device", "gpu"}, `"gpu" is not a device`},
		{"unknown flag", []string{"--out", out, "--synth", "--lr-g", "1"}, "train: unknown flag --lr-g"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := framepred(t, "", nil, append([]string{"train"}, tc.args...)...)
			ls := lines(r.stderr)
			if r.code != exitUsage || len(ls) != 1 || !strings.Contains(ls[0], tc.words) || !strings.HasSuffix(ls[0], "(see --help)") {
				t.Errorf("exit %d, stderr %q; want %d and one line saying %q", r.code, r.stderr, exitUsage, tc.words)
			}
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a usage error made %s", out)
	}
}

// TestTrainDevice: --device cuda trains on the GPU asked for and fails,
// naming what is missing, when it is not there; auto takes a GPU when
// there is one (falling back to the CPU if the trainer cannot use it) and
// the CPU otherwise.
func TestTrainDevice(t *testing.T) {
	gpu := device.ProberFunc(func() ([]cuda.DeviceInfo, error) {
		return []cuda.DeviceInfo{{Ordinal: 0, Name: "Fake GPU"}}, nil
	})
	noGPU := device.ProberFunc(func() ([]cuda.DeviceInfo, error) { return nil, errors.New("cuda: libcuda.so.1 not found") })
	tests := []struct {
		value  string
		p      device.Prober
		want   string // the choice; "" for an error
		auto   bool
		errHas string
	}{
		{"cuda", gpu, "cuda:0", false, ""},
		{"auto", gpu, "cuda:0", true, ""},
		{"auto", noGPU, "cpu", true, ""},
		{"cpu", gpu, "cpu", false, ""},
		{"cuda", noGPU, "", false, "libcuda.so.1 not found"},
		{"cuda:1", gpu, "", false, "cuda:1"},
	}
	for _, tc := range tests {
		on, err := trainDevice(tc.value, tc.p, slog.New(slog.DiscardHandler))
		switch {
		case tc.want == "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)):
			t.Errorf("--device %s: error %v, want one saying %q", tc.value, err, tc.errHas)
		case tc.want != "" && (err != nil || on.choice.String() != tc.want || on.auto != tc.auto):
			t.Errorf("--device %s: %v (auto %v), %v; want %s (auto %v)", tc.value, on.choice, on.auto, err, tc.want, tc.auto)
		}
	}
}

// TestTrainGPU trains on a GPU: the real one with FRAMEPRED_GPU=1, else
// framepred/cuda/cudatest's stand-in libraries, which run the GPU kernels
// on the CPU (skipped where they cannot be built). The log says the steps
// ran on the device, and the run resumes.
func TestTrainGPU(t *testing.T) {
	var env []string
	if os.Getenv("FRAMEPRED_GPU") != "1" {
		libs := t.TempDir()
		if _, err := cudatest.Build(libs, cuda.KernelSources()); errors.Is(err, cudatest.ErrUnavailable) {
			t.Skipf("skipped: %v", err)
		} else if err != nil {
			t.Fatal(err)
		}
		env = []string{cuda.EnvLibDirs + "=" + libs}
	}
	dir := filepath.Join(t.TempDir(), "run")
	args := append([]string{"train", "--synth", "--out", dir, "--device", "cuda", "--steps", "6", "--loss", "mse=1,adv=0.05", "--d-warmup", "2"}, tiny...)
	r := framepred(t, "", env, args...)
	if r.code != 0 || !strings.Contains(r.stderr, "msg=device device=cuda:0") || !strings.Contains(r.stdout, "trained to step 6;") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	r = framepred(t, "", env, "train", "--out", dir, "--resume", "--device", "cuda", "--steps", "8", "-q")
	if r.code != 0 || !strings.Contains(r.stdout, "trained to step 8;") {
		t.Fatalf("resume: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
}

// TestTrainInterrupt: SIGINT after the first checkpoint stops train with
// exit 130 and a line naming the checkpoint and the way to resume;
// --resume then runs to the last step, and the log goes on from where the
// checkpoint was.
func TestTrainInterrupt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	const steps = 3000 // a few seconds of tiny steps: the signal comes long before the end
	stderr := interrupt(t, func() bool { es, _ := checkpoint.List(dir); return len(es) > 0 }, "checkpoint",
		append([]string{"train", "--synth", "--out", dir, "--steps", "3000", "--checkpoint-every", "5", "--val-every", "1000"}, tiny...)...)
	latest, err := checkpoint.Latest(dir)
	if err != nil {
		t.Fatal(err)
	}
	ls := lines(stderr)
	want := "the checkpoint is " + latest + "; continue with: framepred train --out " + dir + " --resume"
	if len(ls) == 0 || !strings.HasPrefix(ls[len(ls)-1], "framepred: interrupted after step ") || !strings.HasSuffix(ls[len(ls)-1], want) {
		t.Errorf("stderr %q: want it to end with the step, %q", stderr, want)
	}
	c, err := checkpoint.Load(latest)
	if err != nil {
		t.Fatal(err)
	}
	if c.Step >= steps {
		t.Fatalf("the run got to step %d before the signal: not an interruption", c.Step)
	}
	noTemp(t, dir)

	r := mustRun(t, "train", "--out", dir, "--resume", "-q")
	if !strings.Contains(r.stdout, "trained to step 3000;") {
		t.Errorf("--resume printed %q", r.stdout)
	}
	recs, err := train.ReadLog(filepath.Join(dir, train.LogName))
	if err != nil {
		t.Fatal(err)
	}
	s := stepRecords(recs)
	for i, rec := range s {
		if rec.Step != int64(i+1) {
			t.Fatalf("log step record %d is step %d: the log does not continue", i, rec.Step)
		}
	}
	resumed := false
	for _, rec := range recs {
		resumed = resumed || rec.Type == train.RecordStart && rec.Resumed == latest && rec.Step == c.Step
	}
	if len(s) != steps || !resumed {
		t.Errorf("log: %d steps, resumed from %s at step %d: %v; want %d steps and the resume", len(s), latest, c.Step, resumed, steps)
	}
}

// TestTrainNaN: a learning rate far too high makes the loss NaN; train
// stops with exit 1 and the trainer's message, which names the last good
// checkpoint, and that checkpoint is there.
func TestTrainNaN(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	r := framepred(t, "", nil, append([]string{"train", "--synth", "--out", dir, "--steps", "50", "--lr", "1e30", "--checkpoint-every", "1", "-q"}, tiny...)...)
	ls := lines(r.stderr)
	if r.code != exitError || len(ls) == 0 {
		t.Fatalf("exit %d, stderr %q; want 1", r.code, r.stderr)
	}
	last := ls[len(ls)-1]
	m := regexp.MustCompile(`^framepred: train: step \d+: .* is (NaN|[+-]Inf); stopped, last good checkpoint (\S+)$`).FindStringSubmatch(last)
	if m == nil {
		t.Fatalf("last line %q: want the trainer's NaN message", last)
	}
	if _, err := checkpoint.Load(m[2]); err != nil {
		t.Errorf("the last good checkpoint: %v", err)
	}
	if len(ls) != 1 {
		t.Errorf("stderr has %d lines, want the error alone: %q", len(ls), r.stderr)
	}
}
