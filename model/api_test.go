package model

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/frame"
	"framepred/ops"
	"framepred/synth"
)

func TestSizeErrors(t *testing.T) {
	d2 := DefaultConfig() // depth 2
	dd := DefaultDiscriminatorConfig()
	for _, tc := range []struct {
		name  string
		check func(h, w int) error
		h, w  int
		want  string // "" for no error
	}{
		{"32x32", d2.CheckSize, 32, 32, ""},
		{"28x36", d2.CheckSize, 28, 36, ""},
		{"4x4", d2.CheckSize, 4, 4, ""},
		{"30x30", d2.CheckSize, 30, 30, "model: frame size 30×30 does not work with depth 2: height and width must be multiples of 4 (e.g. 28 or 32)"},
		{"2x2", d2.CheckSize, 2, 2, "model: frame size 2×2 does not work with depth 2: height and width must be multiples of 4 (e.g. 4)"},
		{"w30", d2.CheckSize, 32, 30, "model: frame size 30×32 does not work with depth 2: height and width must be multiples of 4 (e.g. width 28 or 32)"},
		{"h17", d2.CheckSize, 17, 64, "model: frame size 64×17 does not work with depth 2: height and width must be multiples of 4 (e.g. height 16 or 20)"},
		{"both", d2.CheckSize, 17, 30, "model: frame size 30×17 does not work with depth 2: height and width must be multiples of 4 (e.g. width 28 or 32, height 16 or 20)"},
		{"zero", d2.CheckSize, 0, 32, "model: frame size 32×0 does not work with depth 2: height and width must be multiples of 4 (e.g. height 4)"},
		{"D 32x32", dd.CheckSize, 32, 32, ""},
		{"D 36x36", dd.CheckSize, 36, 36, "model: frame size 36×36 does not work with a discriminator of 3 stride-2 layers: height and width must be multiples of 8 (e.g. 32 or 40)"},
	} {
		err := tc.check(tc.h, tc.w)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("%s: got %v\nwant %s", tc.name, err, tc.want)
		}
	}

	// The same errors come from Build and Predict, not a panic.
	p := mustPredictor(t, tinyConfig(2, 1, 2, 2, false), 1)
	g := G.NewGraph()
	x := input(g, "x", tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(2, 1, 30, 30)))
	if _, err := p.Build(g, x); err == nil || !strings.Contains(err.Error(), "30×30 does not work with depth 2") {
		t.Errorf("Build on 30×30: %v", err)
	}
	ctx := [][]frame.Frame{{frame.New(1, 30, 30), frame.New(1, 30, 30)}}
	if _, err := p.Predict(ctx); err == nil || !strings.Contains(err.Error(), "30×30 does not work with depth 2") {
		t.Errorf("Predict on 30×30: %v", err)
	}
}

func TestBuildErrors(t *testing.T) {
	p := mustPredictor(t, tinyConfig(2, 1, 2, 1, false), 1)
	d := mustDiscriminator(t, discriminatorCases[0].cfg, 1)
	f32 := func(s ...int) *tensor.Dense { return tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(s...)) }
	g := G.NewGraph()
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"channels", func() error { _, err := p.Build(g, input(g, "x3", f32(3, 1, 8, 8))); return err }(), "has 3 channels"},
		{"dims", func() error { _, err := p.Build(g, input(g, "x3d", f32(2, 8, 8))); return err }(), "want 4-D"},
		{"float64", func() error {
			_, err := p.Build(g, input(g, "x64", tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(2, 1, 8, 8))))
			return err
		}(), "want float32"},
		{"graph", func() error { _, err := p.Build(G.NewGraph(), input(g, "xg", f32(2, 1, 8, 8))); return err }(), "another graph"},
		{"not built", func() error { _, err := p.ParamNodes(G.NewGraph()); return err }(), "build the network in it first"},
		{"name clash", func() error {
			g := G.NewGraph()
			input(g, "enc1.conv1.weight", f32(2, 2, 3, 3))
			_, err := p.Build(g, input(g, "x", f32(2, 1, 8, 8)))
			return err
		}(), "not this network's parameter"},
		{"D shapes", func() error {
			_, err := d.Build(g, input(g, "c", f32(2, 1, 8, 8)), input(g, "f", f32(1, 2, 8, 8)))
			return err
		}(), "want (K·C = 2)×N×H×W"},
		{"D size", func() error {
			_, err := d.Build(g, input(g, "c6", f32(2, 1, 6, 6)), input(g, "f6", f32(1, 1, 6, 6)))
			return err
		}(), "multiples of 4"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, tc.err, tc.want)
		}
	}
}

func TestConfigJSON(t *testing.T) {
	cfg := DefaultConfig()
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"unet","version":1,"context":4,"channels":1,"width":16,"depth":2,"residual":false}`
	if string(b) != want {
		t.Errorf("JSON %s\nwant %s", b, want)
	}
	if got, err := ParseConfig(b); err != nil || got != cfg {
		t.Errorf("round trip: %+v, %v", got, err)
	}
	db, err := json.Marshal(DefaultDiscriminatorConfig())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ParseDiscriminatorConfig(db); err != nil || got != DefaultDiscriminatorConfig() {
		t.Errorf("discriminator round trip: %s → %+v, %v", db, got, err)
	}
	for _, tc := range []struct{ json, want string }{
		{`{"kind":"unet","version":2,"context":4,"channels":1,"width":16,"depth":2}`, "version 2, this build knows version 1"},
		{`{"kind":"mathieu","version":1,"context":4,"channels":1,"width":16,"depth":2}`, `kind "mathieu", want "unet"`},
		{`{"kind":"unet","version":1,"context":4,"channels":2,"width":16,"depth":2}`, "channels 2 must be 1 (gray) or 3 (RGB)"},
		{`{"kind":"unet","version":1,"context":0,"channels":1,"width":0,"depth":9}`, "context 0 must be 1–64 frames\ndepth 9 must be 0–8\nwidth 0 must be at least 1"},
		{`{"kind":"unet","version":1,"context":4,"channels":1,"width":1024,"depth":3}`, "width·2^depth at most 4096"},
		{`{"kind":"unet","version":1,"context":4,"channels":1,"width":16,"depth":2,"heads":2}`, `unknown field "heads"`},
		{`{"kind":"unet","version":1,"context":4,"channels":1,"width":16,"depth":2} {}`, "trailing data"},
	} {
		if _, err := ParseConfig([]byte(tc.json)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseConfig(%s): %v, want an error containing %q", tc.json, err, tc.want)
		}
	}
	if _, err := ParseDiscriminatorConfig([]byte(`{"kind":"patch","version":1,"context":4,"channels":1,"downs":0,"width":64,"max_width":32}`)); err == nil ||
		!strings.Contains(err.Error(), "downs 0 must be 1–8\nwidths 64–32 must satisfy") {
		t.Errorf("bad discriminator config: %v", err)
	}
}

// export copies the parameters out, as a checkpoint would.
func export(ps []Param) map[string][]float32 {
	m := make(map[string][]float32, len(ps))
	for _, p := range ps {
		m[p.Name] = slices.Clone(p.Value.Float32s())
	}
	return m
}

func TestParamsRoundTrip(t *testing.T) {
	gen, err := synth.New(synth.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx := contexts(gen.Batch(0, 2))
	a := mustPredictor(t, DefaultConfig(), 1)
	b := mustPredictor(t, DefaultConfig(), 2)
	pa, err := a.Predict(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := b.Predict(ctx) // builds b's cached graph before the load
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(pa[0].Pix, pb[0].Pix) {
		t.Fatal("predictors of seeds 1 and 2 predict the same")
	}
	if err := b.SetParams(export(a.Params())); err != nil {
		t.Fatal(err)
	}
	pb, err = b.Predict(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range pa {
		if !slices.Equal(pa[i].Pix, pb[i].Pix) {
			t.Errorf("sample %d: the loaded predictor predicts differently", i)
		}
	}

	// Bad checkpoints change nothing.
	before := export(b.Params())
	for _, tc := range []struct {
		name string
		edit func(m map[string][]float32)
		want string
	}{
		{"missing", func(m map[string][]float32) { delete(m, "head.bias") }, "missing head.bias"},
		{"extra", func(m map[string][]float32) { m["head2.bias"] = []float32{0} }, "unexpected head2.bias"},
		{"size", func(m map[string][]float32) { m["enc2.conv1.weight"] = make([]float32, 100) }, "enc2.conv1.weight has 100 values, want 32×16×3×3 = 4608"},
		{"nan", func(m map[string][]float32) { m["dec1.up.bias"][3] = float32(math.NaN()) }, "dec1.up.bias[3] is NaN"},
	} {
		m := export(a.Params())
		for k, v := range m {
			m[k] = slices.Clone(v)
			for i := range m[k] {
				m[k][i] += 1
			}
		}
		tc.edit(m)
		err := b.SetParams(m)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "model: predictor parameters do not fit") {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
		for k, v := range export(b.Params()) {
			if !slices.Equal(v, before[k]) {
				t.Fatalf("%s: a failed SetParams changed %s", tc.name, k)
			}
		}
	}
}

// TestPredictMatchesGraph: Predict gives exactly Clamp01 of the raw output
// of a graph built by hand, and clamping did something (the raw output of a
// fresh network leaves [0,1]).
func TestPredictMatchesGraph(t *testing.T) {
	gen, err := synth.New(synth.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	clips := gen.Batch(0, 3)
	p := mustPredictor(t, DefaultConfig(), 5)
	got, err := p.Predict(contexts(clips))
	if err != nil {
		t.Fatal(err)
	}
	x, _, err := Batch(clips)
	if err != nil {
		t.Fatal(err)
	}
	g := G.NewGraph()
	raw, err := p.Build(g, input(g, "x", x))
	if err != nil {
		t.Fatal(err)
	}
	rv := runGraph(t, g, raw).Float32s()
	clamped := 0
	want := make([]float32, len(rv))
	for i, v := range rv {
		want[i] = min(max(v, 0), 1)
		if want[i] != v {
			clamped++
		}
	}
	wf, err := TensorFrames(dense32from(want, 1, 3, 32, 32))
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if !slices.Equal(got[i].Pix, wf[i].Pix) {
			t.Errorf("sample %d: Predict differs from the graph's clamped output", i)
		}
	}
	if clamped == 0 {
		t.Error("no raw output left [0,1]: the test does not see the clamp")
	}
	t.Logf("%d of %d raw values clamped", clamped, len(rv))
}

func dense32from(v []float32, shape ...int) *tensor.Dense {
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
}

// TestRollout: T frames of the context's shape; the first is Predict's
// answer, and each next one is Predict's answer for the window that ends
// with the previous predictions.
func TestRollout(t *testing.T) {
	gen, err := synth.New(synth.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	clip := gen.Sample(3)
	p := mustPredictor(t, DefaultConfig(), 5)
	long := append([]frame.Frame{frame.New(1, 32, 32)}, clip.Context...) // one extra, older frame
	const T = 3
	got, err := p.Rollout(long, T)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != T {
		t.Fatalf("%d frames, want %d", len(got), T)
	}
	win := slices.Clone(clip.Context)
	for i, f := range got {
		if f.C != 1 || f.H != 32 || f.W != 32 {
			t.Fatalf("frame %d has shape %s", i, f.Shape())
		}
		want, err := p.Predict([][]frame.Frame{win})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(f.Pix, want[0].Pix) {
			t.Errorf("step %d differs from Predict on the rolled window", i)
		}
		win = append(win[1:], want[0])
	}
	if slices.Equal(got[0].Pix, got[1].Pix) {
		t.Error("the first two forecast frames are equal: the window did not move")
	}

	batch, err := p.RolloutBatch([][]frame.Frame{clip.Context, gen.Sample(4).Context}, T)
	if err != nil {
		t.Fatal(err)
	}
	if len(batch) != 2 || len(batch[0]) != T || len(batch[1]) != T {
		t.Fatalf("RolloutBatch shape %d×%d", len(batch), len(batch[0]))
	}
	for i := range got {
		// Batched and single runs may split the arithmetic differently.
		if d := maxAbsDiff32(batch[0][i].Pix, got[i].Pix); d > 1e-6 {
			t.Errorf("step %d: batched rollout differs by %g", i, d)
		}
	}
	if out, err := p.Rollout(clip.Context, 0); err != nil || len(out) != 0 {
		t.Errorf("horizon 0: %d frames, %v", len(out), err)
	}
	if _, err := p.Rollout(clip.Context[:2], 1); err == nil || !strings.Contains(err.Error(), "has 2 context frames, the predictor needs 4") {
		t.Errorf("short context: %v", err)
	}
}

func TestBatchLayout(t *testing.T) {
	// Two samples of two RGB context frames, 2×3, each value naming its
	// sample, frame, channel and pixel.
	mk := func(n, k int) frame.Frame {
		f := frame.New(3, 2, 3)
		for i := range f.Pix {
			f.Pix[i] = float32(1000*n + 100*k + i)
		}
		return f
	}
	clips := []frame.Clip{
		{Context: []frame.Frame{mk(0, 0), mk(0, 1)}, Future: []frame.Frame{mk(0, 2)}},
		{Context: []frame.Frame{mk(1, 0), mk(1, 1)}, Future: []frame.Frame{mk(1, 2), mk(1, 3)}},
	}
	x, y, err := Batch(clips)
	if err != nil {
		t.Fatal(err)
	}
	if !x.Shape().Eq(tensor.Shape{6, 2, 2, 3}) || !y.Shape().Eq(tensor.Shape{3, 2, 2, 3}) {
		t.Fatalf("shapes %v, %v", x.Shape(), y.Shape())
	}
	xs, ys := x.Float32s(), y.Float32s()
	for k := range 2 {
		for c := range 3 {
			for n := range 2 {
				for p := range 6 {
					if got, want := xs[(((k*3+c)*2+n)*6)+p], float32(1000*n+100*k+6*c+p); got != want {
						t.Fatalf("x[%d·3+%d][%d][%d] = %v, want %v", k, c, n, p, got, want)
					}
					if got, want := ys[((c*2+n)*6)+p], float32(1000*n+200+6*c+p); got != want {
						t.Fatalf("y[%d][%d][%d] = %v, want %v", c, n, p, got, want)
					}
				}
			}
		}
	}
	back, err := TensorFrames(y)
	if err != nil {
		t.Fatal(err)
	}
	for n := range 2 {
		if !slices.Equal(back[n].Pix, clips[n].Future[0].Pix) {
			t.Errorf("TensorFrames(y)[%d] differs from the future frame", n)
		}
	}

	for _, tc := range []struct {
		name  string
		clips []frame.Clip
		want  string
	}{
		{"no future", []frame.Clip{{Context: []frame.Frame{mk(0, 0)}, Source: "a.mp4"}}, "clip 0 (a.mp4) has no future frame"},
		{"lengths", []frame.Clip{clips[0], {Context: []frame.Frame{mk(0, 0)}, Future: []frame.Frame{mk(0, 1)}}}, "sample 1 has 1 context frames, sample 0 has 2"},
		{"shapes", []frame.Clip{clips[0], {Context: []frame.Frame{mk(0, 0), frame.New(1, 2, 3)}, Future: []frame.Frame{mk(0, 1)}}}, "sample 1, context frame 1: shape 1x2x3 differs from the first frame's 3x2x3"},
		{"future shape", []frame.Clip{{Context: []frame.Frame{mk(0, 0)}, Future: []frame.Frame{frame.New(3, 3, 2)}}}, "future frames (3, 1, 3, 2) do not match the context (3, 1, 2, 3)"},
		{"short pix", []frame.Clip{{Context: []frame.Frame{{C: 3, H: 2, W: 3, Pix: make([]float32, 5)}}, Future: []frame.Frame{mk(0, 1)}}}, "frame: 3x2x3 frame has 5 values, want 18"},
	} {
		if _, _, err := Batch(tc.clips); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestRoll(t *testing.T) {
	// 2 channels, 3 samples, 1×2 planes: value = 10·channel + sample.
	v := []float64{0, 0, 1, 1, 2, 2, 10, 10, 11, 11, 12, 12}
	got, err := Roll(dense32(v, 2, 3, 1, 2), 1)
	if err != nil {
		t.Fatal(err)
	}
	// torch.roll(x, 1, 0) in NCHW: sample i takes sample i-1's planes.
	want := []float64{2, 2, 0, 0, 1, 1, 12, 12, 10, 10, 11, 11}
	if !slices.Equal(floats(got), want) {
		t.Errorf("Roll by 1 = %v, want %v", floats(got), want)
	}
	if got, _ := Roll(dense32(v, 2, 3, 1, 2), -2); !slices.Equal(floats(got), want) {
		t.Errorf("Roll by -2 = %v, want %v (the same as by 1)", floats(got), want)
	}
	if _, err := Roll(dense32([]float64{1, 2}, 1, 1, 1, 2), 1); err == nil {
		t.Error("Roll of one sample: no error")
	}
}

// TestSharedWeights trains the predictor against the discriminator with two
// graphs that share the discriminator's tensors: the generator's graph
// (MSE + 0.05·(D(ctx, clamp(raw)) - 1)², gradients for the predictor only)
// and the discriminator's (least squares on real, fake and mismatched
// pairs). A generator step must change the predictor and leave every
// discriminator weight bit for bit; a discriminator step the reverse.
func TestSharedWeights(t *testing.T) {
	gen, err := synth.New(synth.Config{Seed: 1, Height: 8, Width: 8, Channels: 1, Context: 2, Future: 1, Branches: 2,
		MinSide: 2, MaxSide: 2, MinSpeed: 1, MaxSpeed: 1, Kick: 2})
	if err != nil {
		t.Fatal(err)
	}
	x, y, err := Batch(gen.Batch(0, 4))
	if err != nil {
		t.Fatal(err)
	}
	mis, err := Roll(y, 1)
	if err != nil {
		t.Fatal(err)
	}
	p := mustPredictor(t, tinyConfig(2, 1, 4, 1, true), 1)
	d := mustDiscriminator(t, DiscriminatorConfig{Kind: DiscriminatorKind, Version: DiscriminatorVersion, Context: 2, Channels: 1, Downs: 2, Width: 4, MaxWidth: 8}, 2)

	// Generator graph.
	gg := G.NewGraph()
	xg, yg := input(gg, "x", x), input(gg, "y", y)
	raw := must(p.Build(gg, xg))
	fake := must(ops.Clamp01(raw))
	adv := must(ops.MeanSquaredTo(must(d.Build(gg, xg, fake)), 1))
	lossG := must(G.Add(must(ops.MeanSquaredDiff(raw, yg)), must(G.Mul(adv, G.NewConstant(float32(0.05))))))
	gNodes := must(p.ParamNodes(gg))
	gGrads := must(G.Grad(lossG, gNodes...))
	vmG := G.NewTapeMachine(ops.Needed(lossG, gGrads...), G.BindDualValues(gNodes...))
	defer vmG.Close()

	// Discriminator graph: the fake input is filled from the generator's.
	dg := G.NewGraph()
	xd, realD := input(dg, "x", x), input(dg, "real", y)
	fakeD, misD := input(dg, "fake", y.Clone().(*tensor.Dense)), input(dg, "mismatched", mis)
	lossD := must(G.Add(must(G.Add(
		must(ops.MeanSquaredTo(must(d.Build(dg, xd, realD)), 1)),
		must(ops.MeanSquaredTo(must(d.Build(dg, xd, fakeD)), 0)))),
		must(ops.MeanSquaredTo(must(d.Build(dg, xd, misD)), 0))))
	dNodes := must(d.ParamNodes(dg))
	if len(dNodes) != len(d.Params()) || len(dg.ByName("conv1.weight")) != 1 {
		t.Fatalf("three Builds in one graph made %d nodes named conv1.weight", len(dg.ByName("conv1.weight")))
	}
	dGrads := must(G.Grad(lossD, dNodes...))
	vmD := G.NewTapeMachine(ops.Needed(lossD, dGrads...), G.BindDualValues(dNodes...))
	defer vmD.Close()

	adamG, adamD := newAdam(1e-3), newAdam(1e-3)
	changed := func(before map[string][]float32, ps []Param) (n int) {
		for _, q := range ps {
			if !slices.Equal(before[q.Name], q.Value.Float32s()) {
				n++
			}
		}
		return n
	}
	for step := range 3 {
		pb, db := export(p.Params()), export(d.Params())
		run(t, vmG)
		adamG.step(t, gNodes)
		if n := changed(db, d.Params()); n != 0 {
			t.Fatalf("step %d: the generator step changed %d discriminator tensors", step, n)
		}
		if n := changed(pb, p.Params()); n != len(pb) {
			t.Errorf("step %d: the generator step changed %d of %d predictor tensors", step, n, len(pb))
		}

		copy(fakeD.Value().(*tensor.Dense).Float32s(), fake.Value().(*tensor.Dense).Float32s())
		pb, db = export(p.Params()), export(d.Params())
		run(t, vmD)
		adamD.step(t, dNodes)
		if n := changed(pb, p.Params()); n != 0 {
			t.Fatalf("step %d: the discriminator step changed %d predictor tensors", step, n)
		}
		if n := changed(db, d.Params()); n != len(db) {
			t.Errorf("step %d: the discriminator step changed %d of %d discriminator tensors", step, n, len(db))
		}
	}
	// The graphs still read the networks' own tensors.
	for i, q := range d.Params() {
		if dNodes[i].Value().(*tensor.Dense) != q.Value {
			t.Errorf("%s: the training graph's node holds another tensor", q.Name)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func run(t *testing.T, vm G.VM) {
	t.Helper()
	vm.Reset()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
}
