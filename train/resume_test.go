package train

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"framepred/checkpoint"
)

// TestResumeExact: a run cancelled part way and resumed from its
// checkpoint ends with the same weights, optimiser moments, random state
// and data position as the uninterrupted run, bit for bit, and logs the
// same losses at every step. The three runs use 1, 2 and 3 kernel
// workers, as a run resumed on another machine might.
func TestResumeExact(t *testing.T) {
	perceptual := smallConfig(true)
	perceptual.Losses = "mse=1,perceptual=0.01,adv=0.05"
	perceptual.DWarmupTrainsG = true
	perceptual.G.Schedule, perceptual.G.Warmup, perceptual.G.MinLR = "cosine", 3, 1e-5
	perceptual.D.Schedule = "cosine"
	// The default networks on 32×32 frames: layers large enough that the
	// kernels split their work over the workers.
	full := DefaultConfig()
	full.Losses, full.ReconWarmup, full.DWarmup, full.G.Beta1 = "mse=1,adv=0.05", 2, 2, 0.5
	full.Batch, full.Steps, full.Data.ValSamples, full.ValEvery, full.CheckpointEvery = 8, 8, 8, 4, 4
	tests := []struct {
		name   string
		cfg    Config
		cancel int64 // cancel after this step
	}{
		{"MSE only", smallConfig(false), 5},
		{"adversarial, cancelled in the discriminator warm-up", smallConfig(true), 3},
		{"adversarial, cancelled in the joint phase", smallConfig(true), 7},
		{"perceptual and adversarial, cosine schedules", perceptual, 8},
		{"default networks", full, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			refDir, dir := t.TempDir(), t.TempDir()
			workers(t, 1)
			if _, err := train(t, tc.cfg, refDir, nil); err != nil {
				t.Fatal(err)
			}

			workers(t, 2)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tr, err := New(tc.cfg, Options{Dir: dir, Progress: func(p Progress) {
				if p.Step == tc.cancel {
					cancel()
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			res, err := tr.Run(ctx)
			tr.Close()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled run returned %v, want context.Canceled", err)
			}
			want := filepath.Join(dir, checkpoint.StepName(tc.cancel))
			if res.Step != tc.cancel || res.Checkpoint != want {
				t.Fatalf("cancelled run stopped at step %d with checkpoint %s, want %d and %s", res.Step, res.Checkpoint, tc.cancel, want)
			}

			saved, path, err := SavedConfig(dir)
			if err != nil || path != want {
				t.Fatalf("SavedConfig: %s, %v; want %s", path, err, want)
			}
			workers(t, 3)
			tr, err = Resume(saved, Options{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tr.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			tr.Close()

			last := checkpoint.StepName(tc.cfg.Steps)
			sameCheckpoints(t, filepath.Join(refDir, last), filepath.Join(dir, last))
			sameCheckpoints(t, filepath.Join(refDir, checkpoint.BestName), filepath.Join(dir, checkpoint.BestName))
			sameSteps(t, stepRecords(t, filepath.Join(refDir, LogName)), stepRecords(t, filepath.Join(dir, LogName)), tc.cfg.Steps)
		})
	}
}

// The kill test runs training in a child process: the test binary itself,
// switched by these variables (see TestMain).
const (
	childEnv   = "FRAMEPRED_TRAIN_CHILD"       // "new DIR", "resume DIR" or "term DIR"
	childDelay = "FRAMEPRED_TRAIN_CHILD_DELAY" // pause after each step, ms
)

// killConfig is the kill test's run: 40 steps, a checkpoint every 2.
func killConfig() Config {
	c := smallConfig(true)
	c.Steps, c.CheckpointEvery, c.ValEvery, c.Keep = 40, 2, 10, 3
	return c
}

// runChild trains as the parent asked and returns the exit code. In mode
// "term" it stops on SIGINT or SIGTERM as the command line does, with exit
// code 130.
func runChild() int {
	mode, dir, _ := strings.Cut(os.Getenv(childEnv), " ")
	delay, _ := strconv.Atoi(os.Getenv(childDelay))
	opts := Options{Dir: dir, Progress: func(Progress) { time.Sleep(time.Duration(delay) * time.Millisecond) }}
	ctx := context.Background()
	if mode == "term" {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	var tr *Trainer
	var err error
	if mode == "resume" {
		var cfg Config
		if cfg, _, err = SavedConfig(dir); err == nil {
			tr, err = Resume(cfg, opts)
		}
	} else {
		tr, err = New(killConfig(), opts)
	}
	if err == nil {
		_, err = tr.Run(ctx)
		tr.Close()
	}
	switch {
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(os.Stderr, err)
		return 130
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func child(t *testing.T, mode, dir string, delayMS int) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode+" "+dir, childDelay+"="+strconv.Itoa(delayMS))
	cmd.Stderr = os.Stderr
	return cmd
}

// waitForCheckpoint waits until the child has written a checkpoint of at
// least step.
func waitForCheckpoint(t *testing.T, cmd *exec.Cmd, dir string, step int64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		es, err := checkpoint.List(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) > 0 && es[len(es)-1].Step >= step {
			return
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the child wrote no checkpoint of step %d or later within a minute", step)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestTerm sends SIGTERM to a training process that stops on it as the
// command line does: it finishes its step, saves it, exits with 130, and a
// second process resumes to the uninterrupted run's end.
func TestTerm(t *testing.T) {
	cfg := killConfig()
	refDir, dir := t.TempDir(), t.TempDir()
	if _, err := train(t, cfg, refDir, nil); err != nil {
		t.Fatal(err)
	}
	cmd := child(t, "term", dir, 25)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForCheckpoint(t, cmd, dir, 4)
	time.Sleep(30 * time.Millisecond) // about one step: most often a step with no checkpoint due
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("the child ended with %v, want exit code 130", err)
	}
	// The last checkpoint is the last step done, whether or not one was due.
	steps := stepRecords(t, filepath.Join(dir, LogName))
	latest, err := checkpoint.Latest(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := checkpoint.Load(latest)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := steps[c.Step]; !ok || len(steps) != int(c.Step) || c.Step >= cfg.Steps {
		t.Fatalf("stopped with checkpoint %d after logging %d steps", c.Step, len(steps))
	}
	t.Logf("stopped by SIGTERM after step %d of %d", c.Step, cfg.Steps)
	if err := child(t, "resume", dir, 0).Run(); err != nil {
		t.Fatalf("resuming process: %v", err)
	}
	last := checkpoint.StepName(cfg.Steps)
	sameCheckpoints(t, filepath.Join(refDir, last), filepath.Join(dir, last))
}

// TestKill: a training process killed with SIGKILL once it has written a
// mid-run checkpoint, then resumed by another process, ends exactly where
// an uninterrupted run ends, and its log reads back as one run.
func TestKill(t *testing.T) {
	cfg := killConfig()
	refDir, dir := t.TempDir(), t.TempDir()
	if _, err := train(t, cfg, refDir, nil); err != nil {
		t.Fatal(err)
	}

	// The first process pauses 25 ms after each step, so the kill lands
	// mid-run: at any point of a step or of a checkpoint write.
	cmd := child(t, "new", dir, 25)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForCheckpoint(t, cmd, dir, 8)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	es, err := checkpoint.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	killedAt := es[len(es)-1].Step
	if killedAt >= cfg.Steps {
		t.Fatalf("the child finished (step %d) before it was killed", killedAt)
	}
	t.Logf("killed after checkpoint %d of %d", killedAt, cfg.Steps)

	if err := child(t, "resume", dir, 0).Run(); err != nil {
		t.Fatalf("resuming process: %v", err)
	}
	last := checkpoint.StepName(cfg.Steps)
	sameCheckpoints(t, filepath.Join(refDir, last), filepath.Join(dir, last))
	sameSteps(t, stepRecords(t, filepath.Join(refDir, LogName)), stepRecords(t, filepath.Join(dir, LogName)), cfg.Steps)
	// The killed writer's temporary files are gone, and Keep holds.
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	want := []string{"best.safetensors", "step-000036.safetensors", "step-000038.safetensors", "step-000040.safetensors", "train.jsonl"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("folder holds %v, want %v", names, want)
	}
}
