package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"testing"

	"framepred/checkpoint"
	"framepred/decode"
)

// videos makes two 3-second 10 fps test videos (30 frames each) with the
// ffmpeg command line.
func videos(t *testing.T) []string {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatalf("the ffmpeg command is needed to make test videos (%v); `make deps` installs it", err)
	}
	dir := t.TempDir()
	var paths []string
	for i, src := range []string{"testsrc2=s=48x32:r=10:d=3", "testsrc=s=32x32:r=10:d=3"} {
		p := filepath.Join(dir, []string{"a.mkv", "b.mkv"}[i])
		out, err := exec.Command("ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", src, "-c:v", "ffv1", p).CombinedOutput()
		if err != nil {
			t.Fatalf("ffmpeg: %v\n%s", err, out)
		}
		paths = append(paths, p)
	}
	return paths
}

func videoConfig(paths []string) Config {
	c := smallConfig(true)
	c.Data.Synth = nil
	c.Data.Video = &Video{Paths: paths, ValShare: 0.25, Buffer: 8}
	c.Data.Video.Options.Width, c.Data.Video.Options.Height, c.Data.Video.Options.Gray = 16, 16, true
	c.Data.ValSamples = 6
	c.Steps, c.Epochs = 0, 2
	return c
}

// TestVideo trains on video files for two epochs: the step count follows
// from the clips, validation clips are held out of training in every
// epoch, and a run cancelled in its second epoch resumes exactly.
func TestVideo(t *testing.T) {
	paths := videos(t)
	cfg := videoConfig(paths)

	// Each file gives 30 - 3 + 1 = 28 clips of 2 context frames and 1 next.
	all, err := decode.NewClips(paths, cfg.Data.Video.Options, decode.ClipOptions{Context: 2, Future: 1})
	if err != nil {
		t.Fatal(err)
	}
	var nTrain, held int
	for {
		c, err := all.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if heldOut(c.Source, c.Start, 0.25) {
			held++
		} else {
			nTrain++
		}
	}
	all.Close()
	t.Logf("%d training clips, %d held out", nTrain, held)
	if nTrain+held != 56 || held < cfg.Data.ValSamples || nTrain < 30 {
		t.Fatalf("%d training and %d held-out clips: the split is off", nTrain, held)
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, err := newVideoSource(*cfg.Data.Video, 2, cfg.Seed, cfg.Data.ValSamples, log, Position{})
	if err != nil {
		t.Fatal(err)
	}
	val, err := src.validation()
	if err != nil || len(val) != cfg.Data.ValSamples {
		t.Fatalf("%d validation clips (%v), want %d", len(val), err, cfg.Data.ValSamples)
	}
	for _, c := range val {
		if !heldOut(c.Source, c.Start, 0.25) {
			t.Errorf("validation clip %s@%d is not held out", c.Source, c.Start)
		}
	}
	seen := map[int64]map[string]bool{}
	for range 2*nTrain + 1 {
		clips, err := src.next(1)
		if err != nil {
			t.Fatal(err)
		}
		c, ep := clips[0], src.position().Epoch
		if heldOut(c.Source, c.Start, 0.25) {
			t.Fatalf("epoch %d trains on held-out clip %s@%d", ep, c.Source, c.Start)
		}
		if seen[ep] == nil {
			seen[ep] = map[string]bool{}
		}
		key := fmt.Sprintf("%s@%d", c.Source, c.Start)
		if seen[ep][key] {
			t.Fatalf("epoch %d gives clip %s twice", ep, key)
		}
		seen[ep][key] = true
	}
	src.close()
	if len(seen[0]) != nTrain || len(seen[1]) != nTrain || len(seen[2]) != 1 {
		t.Errorf("epochs gave %d, %d and %d clips; want %d, %d and 1", len(seen[0]), len(seen[1]), len(seen[2]), nTrain, nTrain)
	}

	refDir, dir := t.TempDir(), t.TempDir()
	res, err := train(t, cfg, refDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	steps := (2*int64(nTrain) + 3) / 4
	if res.Step != steps {
		t.Fatalf("ran %d steps, want ceil(2·%d/4) = %d", res.Step, nTrain, steps)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cancelAt := steps - 3 // in the second epoch
	tr, err := New(cfg, Options{Dir: dir, Progress: func(p Progress) {
		if p.Step == cancelAt {
			cancel()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	tr.Close()
	saved, _, err := SavedConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	saved.Steps = 0 // as the user gave it: derived again from the epochs
	if tr, err = Resume(saved, Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	tr.Close()
	last := checkpoint.StepName(steps)
	sameCheckpoints(t, filepath.Join(refDir, last), filepath.Join(dir, last))
}
