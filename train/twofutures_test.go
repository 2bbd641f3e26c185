package train

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"framepred/checkpoint"
	"framepred/frame"
	"framepred/metrics"
	"framepred/synth"
)

// TestTwoFutures is the two-futures experiment end to end, the recipe of
// framepred's reference run, trained with this package:
//
//  1. MSE only: Adam lr 1e-3, betas (0.9, 0.999), batch 32, 1000 steps;
//  2. from those weights, MSE + 0.05·adversarial (LSGAN, the default
//     discriminator's 4×4 patch grid, mismatched pairs at weight 1): Adam
//     betas (0.5, 0.999) for both networks, predictor lr 2e-4,
//     discriminator lr 1e-3, 250 discriminator warm-up steps (the
//     predictor still learning from MSE, as in the reference), then 1000
//     joint steps;
//  3. the same from the MSE weights with a perceptual term too (edge bank,
//     weight 0.01).
//
// Each predictor is loaded back from its last checkpoint and measured on
// 512 held-out samples. The PyTorch reference run of the same recipe and
// length (seed 1) gave: MSE committed 0.000, averaging index 0.915, peak
// 0.57; MSE → adversarial committed 1.000, averaging index 0.067, peak
// 1.00 (its summary table, from a separate evaluation, lists 0.985 and
// 0.033). framepred measured (seed 0): 0.000, 0.923, 0.61; 1.000, 0.084,
// 1.00; with the perceptual term 1.000, 0.091, 1.00; and all 512 samples
// with the MSE predictor closer to the mean of the futures and the
// adversarial one closer to a future. The checks below leave margins
// around those. On the 2-core machine with nothing else running the MSE
// and adversarial runs took 73.5 s and 153.1 s, the PyTorch reference's,
// run just before, 74 s and 148 s; all three runs take about 7 minutes, so
// it runs only with FRAMEPRED_LONG=1:
//
//	FRAMEPRED_LONG=1 go test -run TwoFutures -v -timeout 60m ./train/
//
// FRAMEPRED_OUT=DIR keeps the runs (checkpoints and logs) and a summary
// (twofutures.json) in DIR.
// cpuTime returns the process's user and system CPU time: on a shared
// machine it says more about the cost than the wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestTwoFutures(t *testing.T) {
	if os.Getenv("FRAMEPRED_LONG") != "1" {
		t.Skip("the two-futures experiment takes many minutes: run it with FRAMEPRED_LONG=1")
	}
	out := os.Getenv("FRAMEPRED_OUT")
	if out == "" {
		out = t.TempDir()
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	run := func(name string, cfg Config) (string, time.Duration) {
		t.Helper()
		dir := filepath.Join(out, name)
		start, cpu0 := time.Now(), cpuTime()
		tr, err := New(cfg, Options{Dir: dir, Logger: logger.With("run", name)})
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		res, err := tr.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		wall := time.Since(start)
		t.Logf("%s: %d steps in %.1f s (process CPU time %.1f s)", name, res.Step, wall.Seconds(), (cpuTime() - cpu0).Seconds())
		return res.Checkpoint, wall
	}

	mse := DefaultConfig()
	mse.Keep = 1
	mseCkpt, mseWall := run("mse", mse)

	adv := mse
	adv.Init = mseCkpt
	adv.Losses = "mse=1,adv=0.05"
	adv.G = Optimizer{LR: 2e-4, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8, Schedule: "constant"}
	adv.D = Optimizer{LR: 1e-3, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8, Schedule: "constant"}
	adv.Mismatch, adv.GAN = 1, "lsgan"
	adv.DWarmup, adv.DWarmupTrainsG = 250, true
	adv.Steps = 1250
	advCkpt, advWall := run("adv", adv)

	perc := adv
	perc.Losses = "mse=1,perceptual=0.01,adv=0.05"
	perc.Extractor = "edges"
	percCkpt, percWall := run("perceptual_adv", perc)

	gen, err := synth.New(*mse.Data.Synth)
	if err != nil {
		t.Fatal(err)
	}
	held := gen.HeldOut().Batch(0, 512)
	type result struct {
		Name           string
		Wall           float64
		Committed      float64
		AveragingIndex float64
		Peak           float64
		MeanPSNR       float64
		PSNROfMeanMSE  float64
		committed      []bool
	}
	eval := func(name, path string, wall time.Duration) result {
		p, info, err := checkpoint.LoadPredictor(path)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		var acc metrics.Accumulator
		r := result{Name: name + " (" + info.LossLabel + ")", Wall: wall.Seconds()}
		for lo := 0; lo < len(held); lo += 128 {
			chunk := held[lo:min(lo+128, len(held))]
			ctx := make([][]frame.Frame, len(chunk))
			for i, c := range chunk {
				ctx[i] = c.Context
			}
			preds, err := p.Predict(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range chunk {
				br := []frame.Frame{c.Branches[0][0], c.Branches[1][0]}
				acc.Add(preds[i], c.Future[0], br)
				r.committed = append(r.committed, metrics.Committed(preds[i], br))
			}
		}
		s := acc.Summary(name)
		r.Committed, r.AveragingIndex, r.Peak, r.MeanPSNR, r.PSNROfMeanMSE = s.CommittedShare, s.MeanAveragingIndex, s.MeanPeak, s.MeanPSNR, s.PSNROfMeanMSE
		return r
	}
	res := []result{eval("mse", mseCkpt, mseWall), eval("adv", advCkpt, advWall), eval("perceptual_adv", percCkpt, percWall)}
	both := 0
	for i := range held {
		if !res[0].committed[i] && res[1].committed[i] {
			both++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-48s %9s %9s %6s %7s %7s %8s\n", "model (512 held-out samples)", "committed", "avg index", "peak", "PSNR", "PSNR(m)", "wall s")
	for _, r := range res {
		fmt.Fprintf(&b, "%-48s %9.3f %9.3f %6.2f %7.2f %7.2f %8.1f\n", r.Name, r.Committed, r.AveragingIndex, r.Peak, r.MeanPSNR, r.PSNROfMeanMSE, r.Wall)
	}
	fmt.Fprintf(&b, "%-48s %9s %9.3f %6.2f\n", "PyTorch reference, MSE", "0.000", 0.915, 0.57)
	fmt.Fprintf(&b, "%-48s %9s %9.3f %6.2f\n", "PyTorch reference, MSE → adversarial", "1.000", 0.067, 1.00)
	fmt.Fprintf(&b, "samples where MSE is closer to the mean and MSE → adversarial to a branch: %d of %d (%.3f)\n", both, len(held), float64(both)/float64(len(held)))
	t.Log("\n" + b.String())
	summary, _ := json.MarshalIndent(map[string]any{"results": res, "mse_mean_adv_branch": float64(both) / float64(len(held))}, "", " ")
	if err := os.WriteFile(filepath.Join(out, "twofutures.json"), summary, 0o644); err != nil {
		t.Error(err)
	}

	// The experiment's claim, with margins around the reference's numbers.
	if m := res[0]; m.Committed > 0.05 || m.AveragingIndex < 0.85 || m.Peak > 0.75 {
		t.Errorf("MSE: committed %.3f, averaging index %.3f, peak %.2f: want ≤ 0.05, ≥ 0.85, ≤ 0.75 (it should average)", m.Committed, m.AveragingIndex, m.Peak)
	}
	if a := res[1]; a.Committed < 0.9 || a.AveragingIndex > 0.2 || a.Peak < 0.9 {
		t.Errorf("MSE → adversarial: committed %.3f, averaging index %.3f, peak %.2f: want ≥ 0.9, ≤ 0.2, ≥ 0.9 (it should commit)", a.Committed, a.AveragingIndex, a.Peak)
	}
}
