package train

import (
	"context"
	"fmt"
	"math"
	"os"
	"testing"

	"framepred/checkpoint"
	"framepred/model"
	"framepred/ops"
	"framepred/optim"
	"framepred/synth"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

// smallConfig is a run that takes milliseconds a step: 16×16 gray frames,
// 2 context frames, a width-4 U-Net of depth 1, a 2-layer discriminator,
// batch 4, 12 steps, validation on 8 held-out clips every 4 steps, a
// checkpoint every 3 steps. With adv, the losses are MSE plus the
// adversarial term, after 2 reconstruction-only and 2 discriminator-only
// steps.
func smallConfig(adv bool) Config {
	c := DefaultConfig()
	sc := synth.DefaultConfig()
	sc.Seed = 3
	sc.Height, sc.Width, sc.Context = 16, 16, 2
	sc.MinSide, sc.MaxSide, sc.MinSpeed, sc.MaxSpeed, sc.Kick = 3, 3, 1, 2, 4
	c.Data.Synth, c.Data.ValSamples = &sc, 8
	c.Model.Context, c.Model.Width, c.Model.Depth = 2, 4, 1
	c.Discriminator.Context, c.Discriminator.Downs, c.Discriminator.Width, c.Discriminator.MaxWidth = 2, 2, 4, 8
	c.Seed = 42
	c.Batch, c.Steps = 4, 12
	c.ValEvery, c.CheckpointEvery, c.Keep = 4, 3, 0
	if adv {
		c.Losses = "mse=1,adv=0.05"
		c.ReconWarmup, c.DWarmup = 2, 2
		c.G.Beta1 = 0.5
	}
	return c
}

// workers sets the number of goroutines the kernels use until the test
// ends. Their results do not depend on it (package ops sums in a fixed
// order), which the resume tests rely on and check.
func workers(t testing.TB, n int) {
	prev := ops.SetWorkers(n)
	t.Cleanup(func() { ops.SetWorkers(prev) })
}

// train runs cfg in dir to the end (or to the error) and returns the result.
func train(t testing.TB, cfg Config, dir string, progress func(Progress)) (Result, error) {
	t.Helper()
	tr, err := New(cfg, Options{Dir: dir, Progress: progress})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	return tr.Run(context.Background())
}

// sameParams reports the first difference between two parameter lists,
// bit for bit; "" when they are identical.
func sameParams(a, b []model.Param) string {
	if len(a) != len(b) {
		return fmt.Sprintf("%d and %d parameters", len(a), len(b))
	}
	for i := range a {
		x, y := a[i].Value.Float32s(), b[i].Value.Float32s()
		if a[i].Name != b[i].Name || len(x) != len(y) {
			return fmt.Sprintf("parameter %d is %s and %s", i, a[i].Name, b[i].Name)
		}
		for j := range x {
			if math.Float32bits(x[j]) != math.Float32bits(y[j]) {
				return fmt.Sprintf("%s[%d] is %v and %v", a[i].Name, j, x[j], y[j])
			}
		}
	}
	return ""
}

func sameAdam(a, b *optim.Adam) string {
	if (a == nil) != (b == nil) {
		return "one optimiser is missing"
	}
	if a == nil {
		return ""
	}
	sa, sb := a.State(), b.State()
	if sa.Step != sb.Step || len(sa.M) != len(sb.M) {
		return fmt.Sprintf("Adam at step %d and %d", sa.Step, sb.Step)
	}
	for i := range sa.M {
		for j := range sa.M[i] {
			if math.Float32bits(sa.M[i][j]) != math.Float32bits(sb.M[i][j]) || math.Float32bits(sa.V[i][j]) != math.Float32bits(sb.V[i][j]) {
				return fmt.Sprintf("Adam moments of parameter %d differ at %d", i, j)
			}
		}
	}
	return ""
}

// sameCheckpoints compares the states of two checkpoint files: step,
// weights, optimisers, random state and data position.
func sameCheckpoints(t testing.TB, pathA, pathB string) {
	t.Helper()
	a, err := checkpoint.Load(pathA)
	if err != nil {
		t.Fatal(err)
	}
	b, err := checkpoint.Load(pathB)
	if err != nil {
		t.Fatal(err)
	}
	if a.Step != b.Step {
		t.Fatalf("steps %d and %d", a.Step, b.Step)
	}
	if d := sameParams(a.Predictor.Params(), b.Predictor.Params()); d != "" {
		t.Errorf("predictors differ: %s", d)
	}
	if (a.Discriminator == nil) != (b.Discriminator == nil) {
		t.Fatal("one checkpoint has a discriminator, the other not")
	}
	if a.Discriminator != nil {
		if d := sameParams(a.Discriminator.Params(), b.Discriminator.Params()); d != "" {
			t.Errorf("discriminators differ: %s", d)
		}
	}
	for _, d := range []string{sameAdam(a.AdamG, b.AdamG), sameAdam(a.AdamD, b.AdamD)} {
		if d != "" {
			t.Errorf("optimisers differ: %s", d)
		}
	}
	if string(a.RNG) != string(b.RNG) || string(a.Data) != string(b.Data) {
		t.Errorf("random state or data position differ: %x %s / %x %s", a.RNG, a.Data, b.RNG, b.Data)
	}
}

// stepRecords returns a log's step records by step, failing on a step
// logged twice.
func stepRecords(t testing.TB, path string) map[int64]Record {
	t.Helper()
	recs, err := ReadLog(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]Record{}
	for _, r := range recs {
		if r.Type != RecordStep {
			continue
		}
		if _, dup := out[r.Step]; dup {
			t.Fatalf("%s: step %d is logged twice", path, r.Step)
		}
		out[r.Step] = r
	}
	return out
}

// sameSteps checks that two logs record the same steps with the same
// losses, rates and phases.
func sameSteps(t testing.TB, a, b map[int64]Record, steps int64) {
	t.Helper()
	for s := int64(1); s <= steps; s++ {
		ra, rb := a[s], b[s]
		if ra.Type == "" || rb.Type == "" {
			t.Errorf("step %d: logged %v and %v", s, ra.Type != "", rb.Type != "")
			continue
		}
		if ra.Phase != rb.Phase || ra.Total != rb.Total || ra.DLoss != rb.DLoss || ra.LRG != rb.LRG || ra.LRD != rb.LRD || len(ra.Terms) != len(rb.Terms) {
			t.Errorf("step %d: %+v\nand %+v", s, ra, rb)
			continue
		}
		for k, v := range ra.Terms {
			if rb.Terms[k] != v {
				t.Errorf("step %d: term %s is %v and %v", s, k, v, rb.Terms[k])
			}
		}
	}
}
