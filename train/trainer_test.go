package train

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"framepred/checkpoint"
	"framepred/model"
)

// TestNaN injects a NaN into the discriminator's weights before step 7 (a
// joint step): the adversarial term goes NaN while MSE does not, and the
// run stops with an error naming the term and the step, and the checkpoint
// of step 6, which stays intact and finite. Nothing of step 7 is saved.
func TestNaN(t *testing.T) {
	cfg := smallConfig(true)
	dir := t.TempDir()
	tr, err := New(cfg, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	tr.beforeStep = func(s int64) {
		if s == 7 {
			tr.Discriminator().Params()[0].Value.Float32s()[0] = float32(math.NaN())
		}
	}
	res, err := tr.Run(context.Background())
	good := filepath.Join(dir, "step-000006.safetensors")
	want := "train: step 7: term adv is NaN; stopped, last good checkpoint " + good
	if err == nil || err.Error() != want {
		t.Fatalf("error %v\nwant  %s", err, want)
	}
	var nf *NonFiniteError
	if !errors.As(err, &nf) || nf.Step != 7 || nf.What != "term adv" || !math.IsNaN(nf.Value) || nf.LastGood != good {
		t.Errorf("error details %+v", nf)
	}
	if res.Step != 6 || res.Checkpoint != good {
		t.Errorf("result: step %d, checkpoint %s; want 6, %s", res.Step, res.Checkpoint, good)
	}
	es, err := checkpoint.List(dir)
	if err != nil || len(es) != 2 || es[1].Step != 6 {
		t.Errorf("checkpoints %v (%v), want steps 3 and 6", es, err)
	}
	c, err := checkpoint.Load(good) // Load refuses weights that are not finite
	if err != nil {
		t.Fatalf("the last good checkpoint: %v", err)
	}
	if c.Step != 6 {
		t.Errorf("the last good checkpoint is step %d", c.Step)
	}
	recs, err := ReadLog(filepath.Join(dir, LogName))
	if err != nil {
		t.Fatal(err)
	}
	last := recs[len(recs)-1]
	if last.Type != RecordStop || last.Step != 7 || last.Error != want {
		t.Errorf("last log record %+v, want a stop at step 7", last)
	}
	for _, r := range recs {
		if r.Type == RecordStep && r.Step > 6 {
			t.Errorf("step %d is logged", r.Step)
		}
	}
}

// TestAbsurdRate trains with a learning rate of 1e30: the weights explode
// and the run stops at the first loss or weight that is not finite, naming
// it, with a checkpoint of the step before (one is written every step).
func TestAbsurdRate(t *testing.T) {
	cfg := smallConfig(false)
	cfg.G.LR, cfg.CheckpointEvery = 1e30, 1
	dir := t.TempDir()
	_, err := train(t, cfg, dir, nil)
	var nf *NonFiniteError
	if !errors.As(err, &nf) {
		t.Fatalf("error %v, want a NonFiniteError", err)
	}
	t.Log(err)
	re := regexp.MustCompile(`^train: step (\d+): (term mse|total|predictor weight [a-z0-9.]+) is (NaN|\+Inf|-Inf); stopped, (last good checkpoint .*step-(\d+)\.safetensors|no checkpoint was written before it)$`)
	m := re.FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("error %q does not match %s", err, re)
	}
	if nf.Step < 2 {
		if nf.LastGood != "" {
			t.Errorf("step %d failed with last good checkpoint %q", nf.Step, nf.LastGood)
		}
		return
	}
	want := filepath.Join(dir, checkpoint.StepName(nf.Step-1))
	if nf.LastGood != want {
		t.Errorf("last good checkpoint %s, want %s", nf.LastGood, want)
	}
	if _, err := checkpoint.Load(want); err != nil {
		t.Errorf("the last good checkpoint does not load: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, checkpoint.StepName(nf.Step))); err == nil {
		t.Errorf("the bad step %d was saved", nf.Step)
	}
}

// TestCancel cancels before step 5: the run finishes step 4, saves it
// (no checkpoint was due) and returns context.Canceled.
func TestCancel(t *testing.T) {
	cfg := smallConfig(true)
	cfg.CheckpointEvery = 0
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr, err := New(cfg, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	tr.beforeStep = func(s int64) {
		if s == 4 {
			cancel() // during step 4, which still completes
		}
	}
	res, err := tr.Run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	want := filepath.Join(dir, "step-000004.safetensors")
	if !strings.Contains(err.Error(), "interrupted after step 4, saved "+want) {
		t.Errorf("error %q does not say where it stopped", err)
	}
	if res.Step != 4 || res.Checkpoint != want {
		t.Errorf("result %+v", res)
	}
	c, err := checkpoint.Load(want)
	if err != nil || c.Step != 4 || c.Discriminator == nil || c.AdamD.State().Step != 2 {
		t.Errorf("checkpoint: %v (step %d)", err, c.Step)
	}
	if _, err := New(cfg, Options{Dir: dir}); !errors.Is(err, ErrExists) {
		t.Errorf("a fresh run in the same folder: %v, want ErrExists", err)
	}
}

// TestKeepAndBest keeps the newest 2 step checkpoints and the best by
// validation loss; the log says which validation was best.
func TestKeepAndBest(t *testing.T) {
	cfg := smallConfig(false)
	cfg.Steps, cfg.CheckpointEvery, cfg.Keep, cfg.ValEvery = 12, 2, 2, 3
	cfg.G.LR = 3e-2 // large enough that validation loss goes up and down
	dir := t.TempDir()
	res, err := train(t, cfg, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	des, _ := os.ReadDir(dir)
	for _, de := range des {
		names = append(names, de.Name())
	}
	want := []string{"best.safetensors", "step-000010.safetensors", "step-000012.safetensors", "train.jsonl"}
	if !slices.Equal(names, want) {
		t.Errorf("folder holds %v, want %v", names, want)
	}
	recs, err := ReadLog(filepath.Join(dir, LogName))
	if err != nil {
		t.Fatal(err)
	}
	var vals []Record
	for _, r := range recs {
		if r.Type == RecordVal {
			vals = append(vals, r)
		}
	}
	if len(vals) != 4 { // steps 3, 6, 9, 12
		t.Fatalf("%d validations, want 4", len(vals))
	}
	low, lowStep := math.Inf(1), int64(0)
	for _, v := range vals {
		t.Logf("step %d: validation loss %.5f", v.Step, v.Val["loss"])
		isBest := v.Val["loss"] < low
		if isBest {
			low, lowStep = v.Val["loss"], v.Step
		}
		if v.Best != isBest {
			t.Errorf("step %d: loss %v marked best %v", v.Step, v.Val["loss"], v.Best)
		}
		for _, k := range []string{"mse", "psnr", "averaging_index", "committed", "peak"} {
			if _, ok := v.Val[k]; !ok {
				t.Errorf("step %d: no %s in %v", v.Step, k, v.Val)
			}
		}
	}
	if lowStep == cfg.Steps {
		t.Fatalf("the last validation is the best: this run does not test that best.safetensors keeps an earlier step")
	}
	_, in, err := checkpoint.LoadPredictor(filepath.Join(dir, checkpoint.BestName))
	if err != nil {
		t.Fatal(err)
	}
	if in.Step != lowStep || in.Val != low || in.BestVal != low || res.BestVal != low {
		t.Errorf("best.safetensors is step %d with loss %v (best %v, result %v); the log's lowest is step %d, %v", in.Step, in.Val, in.BestVal, res.BestVal, lowStep, low)
	}
	if in.Losses != "mse=1" || in.LossLabel != "MSE" {
		t.Errorf("best.safetensors: losses %q, label %q", in.Losses, in.LossLabel)
	}
}

// TestPhases checks which network each phase trains: recon steps change
// the predictor only, discriminator warm-up steps the discriminator only
// (or both with DWarmupTrainsG), joint steps both.
func TestPhases(t *testing.T) {
	for _, trainsG := range []bool{false, true} {
		cfg := smallConfig(true)
		cfg.Steps, cfg.DWarmupTrainsG = 6, trainsG
		tr, err := New(cfg, Options{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		type snap struct{ g, d []model.Param }
		copyOf := func(ps []model.Param) []model.Param {
			out := make([]model.Param, len(ps))
			for i, p := range ps {
				out[i] = model.Param{Name: p.Name, Value: p.Value.Clone().(*tensor.Dense)}
			}
			return out
		}
		var before snap
		var phases []string
		changed := map[int64][2]bool{}
		tr.beforeStep = func(s int64) {
			if s > 1 {
				changed[s-1] = [2]bool{sameParams(before.g, tr.pred.Params()) != "", sameParams(before.d, tr.disc.Params()) != ""}
			}
			before = snap{copyOf(tr.pred.Params()), copyOf(tr.disc.Params())}
			phases = append(phases, cfg.phase(s))
		}
		if _, err := tr.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		tr.Close()
		if want := []string{"recon", "recon", "disc", "disc", "joint", "joint"}; !slices.Equal(phases, want) {
			t.Errorf("phases %v, want %v", phases, want)
		}
		want := map[int64][2]bool{1: {true, false}, 2: {true, false}, 3: {trainsG, true}, 4: {trainsG, true}, 5: {true, true}}
		for s, w := range want {
			if changed[s] != w {
				t.Errorf("DWarmupTrainsG %v, step %d: predictor and discriminator changed %v, want %v", trainsG, s, changed[s], w)
			}
		}
	}
}
