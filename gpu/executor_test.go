package gpu

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"framepred/optim"
)

// TestMemoryFlat runs joint steps and checks that after the first the
// executor allocates nothing: the device allocator's reserved bytes and
// driver allocations stay where the first step left them; with graphs too.
func TestMemoryFlat(t *testing.T) {
	for _, graphs := range []bool{false, true} {
		t.Run(map[bool]string{false: "kernels", true: "graphs"}[graphs], func(t *testing.T) { memoryFlat(t, graphs) })
	}
}

func memoryFlat(t *testing.T, graphs bool) {
	c := testContext(t)
	sc := tinyConfigs()[0]
	e, err := New(c, sc.nets(t), sc.batch, sc.h, sc.w, Options{Graphs: graphs})
	must(t, err)
	defer func() { must(t, e.Close()) }()
	r := rand.New(rand.NewPCG(31, 32))
	aG, aD := optim.NewAdam(1e-3), optim.NewAdam(1e-3)
	var after1 int64
	for i := range 6 {
		must(t, e.Load(randTensor(r, 0, 1, 2, sc.batch, sc.h, sc.w), randTensor(r, 0, 1, 1, sc.batch, sc.h, sc.w), 1))
		_, err := e.Gen(true)
		must(t, err)
		_, err = e.Disc()
		must(t, err)
		must(t, e.UpdateG(aG))
		must(t, e.UpdateD(aD))
		ms := e.MemStats()
		if i == 0 {
			after1 = ms.DriverAllocs
			continue
		}
		if ms.DriverAllocs != after1 || ms.Reserved != ms.Peak {
			t.Fatalf("step %d: %d driver allocations (%d after step 1), %d bytes reserved, peak %d", i+1, ms.DriverAllocs, after1, ms.Reserved, ms.Peak)
		}
	}
	st := e.Stats()
	for _, pass := range []string{"gen+adv", "disc", "update"} {
		if p := st.Passes[pass]; p == nil || p.Runs == 0 || p.Wall <= 0 {
			t.Errorf("pass %s: stats %+v", pass, p)
		}
	}
}

// TestResumeAdam continues on the device a run that the CPU started: the
// second step, from the CPU's weights and Adam state, must match the
// CPU's own second step.
func TestResumeAdam(t *testing.T) {
	c := testContext(t)
	sc := tinyConfigs()[0]
	cn, gn := sc.nets(t), sc.nets(t)
	ce, err := NewCPU(cn, sc.batch, sc.h, sc.w)
	must(t, err)
	defer ce.Close()
	r := rand.New(rand.NewPCG(41, 42))
	batch := func() {
		x, y := randTensor(r, 0, 1, 2, sc.batch, sc.h, sc.w), randTensor(r, 0, 1, 1, sc.batch, sc.h, sc.w)
		must(t, ce.Load(x, y, 1))
	}
	cA := optim.NewAdam(1e-3)
	batch()
	_, err = ce.Gen(false)
	must(t, err)
	must(t, ce.UpdateG(cA))

	// The device starts from the CPU's weights and a copy of its Adam.
	vals := map[string][]float32{}
	for _, p := range cn.P.Params() {
		vals[p.Name] = slices.Clone(p.Value.Float32s())
	}
	must(t, gn.P.SetParams(vals))
	gA := optim.NewAdam(1e-3)
	must(t, gA.SetState(cA.State()))
	ge, err := New(c, gn, sc.batch, sc.h, sc.w, Options{})
	must(t, err)
	defer func() { must(t, ge.Close()) }()

	x, y := randTensor(r, 0, 1, 2, sc.batch, sc.h, sc.w), randTensor(r, 0, 1, 1, sc.batch, sc.h, sc.w)
	for _, e := range []stepper{ce, ge} {
		must(t, e.Load(x, y, 1))
		_, err := e.Gen(false)
		must(t, err)
	}
	must(t, ce.UpdateG(cA))
	must(t, ge.UpdateG(gA))
	must(t, ge.Sync(gA, nil))
	if gA.State().Step != 2 {
		t.Errorf("device Adam at step %d after resuming at 1 and one step, want 2", gA.State().Step)
	}
	var g, w [][]float32
	for i, p := range gn.P.Params() {
		g, w = append(g, p.Value.Float32s()), append(w, cn.P.Params()[i].Value.Float32s())
	}
	checkAbs(t, "weights after the resumed step", g, w, 1e-5)
	checkTensors(t, "second moments", gA.State().V, cA.State().V, 1e-3, 1e-12)
}

// TestNonFiniteWeightsReachHost feeds a batch with a NaN: the update makes
// weights NaN, and UpdateG copies them to the predictor's tensors, where
// the trainer's check looks.
func TestNonFiniteWeightsReachHost(t *testing.T) {
	c := testContext(t)
	sc := tinyConfigs()[0]
	n := sc.nets(t)
	e, err := New(c, n, sc.batch, sc.h, sc.w, Options{})
	must(t, err)
	defer func() { must(t, e.Close()) }()
	r := rand.New(rand.NewPCG(51, 52))
	x := randTensor(r, 0, 1, 2, sc.batch, sc.h, sc.w)
	x.Float32s()[5] = float32(math.NaN())
	must(t, e.Load(x, randTensor(r, 0, 1, 1, sc.batch, sc.h, sc.w), 1))
	l, err := e.Gen(false)
	must(t, err)
	if !math.IsNaN(l.Total) {
		t.Errorf("loss %v from a batch with a NaN", l.Total)
	}
	must(t, e.UpdateG(optim.NewAdam(1e-3)))
	found := false
	for _, p := range n.P.Params() {
		found = found || slices.ContainsFunc(p.Value.Float32s(), func(v float32) bool { return math.IsNaN(float64(v)) })
	}
	if !found {
		t.Error("no NaN weight in the predictor's tensors after a NaN update")
	}
}

func TestProfile(t *testing.T) {
	c := testContext(t)
	sc := tinyConfigs()[0]
	e, err := New(c, sc.nets(t), sc.batch, sc.h, sc.w, Options{Profile: true})
	must(t, err)
	defer func() { must(t, e.Close()) }()
	r := rand.New(rand.NewPCG(61, 62))
	must(t, e.Load(randTensor(r, 0, 1, 2, sc.batch, sc.h, sc.w), randTensor(r, 0, 1, 1, sc.batch, sc.h, sc.w), 1))
	_, err = e.Gen(true)
	must(t, err)
	st := e.Stats()
	for _, k := range []string{"conv", "conv input grad", "conv filter grad", "bias+act", "loss gdl", "add"} {
		if _, ok := st.Kernels[k]; !ok {
			t.Errorf("no GPU time recorded for %s: %v", k, st.Kernels)
		}
	}
	if s := st.String(); !strings.Contains(s, "gen+adv") || !strings.Contains(s, "conv") {
		t.Errorf("Stats.String() = %q", s)
	}
}

func TestExecutorErrors(t *testing.T) {
	c := testContext(t)
	sc := tinyConfigs()[0]
	n := sc.nets(t)
	n.D = nil
	e, err := New(c, n, sc.batch, sc.h, sc.w, Options{})
	must(t, err)
	defer func() { must(t, e.Close()) }()
	r := rand.New(rand.NewPCG(71, 72))
	if err := e.Load(randTensor(r, 0, 1, 2, sc.batch+1, sc.h, sc.w), randTensor(r, 0, 1, 1, sc.batch+1, sc.h, sc.w), 1); err == nil ||
		!strings.Contains(err.Error(), "batch of shapes") {
		t.Errorf("Load of another batch size: %v", err)
	}
	if _, err := e.Disc(); err == nil || !strings.Contains(err.Error(), "no discriminator") {
		t.Errorf("Disc without a discriminator: %v", err)
	}
	if _, err := e.Gen(true); err == nil {
		t.Error("the full objective without a discriminator did not fail")
	}
}
