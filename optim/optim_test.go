package optim

import (
	"fmt"
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func seq(n, seed int, scale float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(math.Sin(0.7*float64(i)+1.3*float64(seed)) * scale)
	}
	return v
}

var sizes = []int{7, 12}

func newParams() []Param {
	ps := make([]Param, len(sizes))
	for i, n := range sizes {
		ps[i] = Param{
			Value: tensor.New(tensor.WithShape(n), tensor.WithBacking(seq(n, i+1, 1))),
			Grad:  tensor.New(tensor.WithShape(n), tensor.WithBacking(make([]float32, n))),
		}
	}
	return ps
}

// setGrads gives parameter i at step t the gradient adamref.py gives it.
func setGrads(ps []Param, t int) {
	for i, p := range ps {
		copy(p.Grad.Float32s(), seq(sizes[i], 10*i+t, 0.5+0.1*float64(t)))
	}
}

type adamCase struct {
	name         string
	lr           [2]float64
	beta1, beta2 float64
	wd           float64
}

var adamCases = []adamCase{
	{"default", [2]float64{1e-3, 5e-4}, 0.9, 0.999, 0},
	{"gan_wd", [2]float64{0.1, 0.02}, 0.5, 0.999, 0.01},
}

func (c adamCase) adam() *Adam {
	a := NewAdam(c.lr[0])
	a.Beta1, a.Beta2, a.WeightDecay = c.beta1, c.beta2, c.wd
	return a
}

// TestAdamMatchesPyTorch follows torch.optim.Adam's trajectory (adamref.py:
// six steps, the learning rate changed after the third) to 1e-6.
func TestAdamMatchesPyTorch(t *testing.T) {
	for _, c := range adamCases {
		t.Run(c.name, func(t *testing.T) {
			ps := newParams()
			a := c.adam()
			worst := 0.0
			for step := 1; step <= 6; step++ {
				if step == 4 {
					a.LR = c.lr[1]
				}
				setGrads(ps, step)
				if err := a.Step(ps); err != nil {
					t.Fatal(err)
				}
				want := adamRef[fmt.Sprintf("%s/%d", c.name, step)]
				got := append(append([]float32(nil), ps[0].Value.Float32s()...), ps[1].Value.Float32s()...)
				for i := range want {
					d := math.Abs(float64(got[i]) - want[i])
					worst = math.Max(worst, d)
					if d > 1e-6 {
						t.Fatalf("step %d, value %d: %v, PyTorch gives %v", step, i, got[i], want[i])
					}
				}
				for i, p := range ps {
					for _, g := range p.Grad.Float32s() {
						if g != 0 {
							t.Fatalf("step %d left parameter %d's gradient non-zero", step, i)
						}
					}
				}
			}
			t.Logf("largest difference from PyTorch over 6 steps: %.2g", worst)
		})
	}
}

// TestAdamStateRestores stops after three steps, restores the state into a
// fresh optimiser and checks the continuation is bit-identical.
func TestAdamStateRestores(t *testing.T) {
	c := adamCases[1]
	ref, a := newParams(), c.adam()
	for step := 1; step <= 6; step++ {
		setGrads(ref, step)
		if err := a.Step(ref); err != nil {
			t.Fatal(err)
		}
	}
	ps, b := newParams(), c.adam()
	for step := 1; step <= 3; step++ {
		setGrads(ps, step)
		if err := b.Step(ps); err != nil {
			t.Fatal(err)
		}
	}
	st := b.State()
	st.M[0][0] += 0 // the copy is the caller's: changing it must not matter
	fresh := c.adam()
	if err := fresh.SetState(st); err != nil {
		t.Fatal(err)
	}
	st.M[0][0] = 1e9
	for step := 4; step <= 6; step++ {
		setGrads(ps, step)
		if err := fresh.Step(ps); err != nil {
			t.Fatal(err)
		}
	}
	for i := range ps {
		for j, v := range ps[i].Value.Float32s() {
			if w := ref[i].Value.Float32s()[j]; v != w {
				t.Fatalf("parameter %d[%d] = %v after a restore, %v without", i, j, v, w)
			}
		}
	}
}

// A state saved before the first step (as a checkpoint at step 0 holds)
// restores to an optimiser that then steps like a fresh one.
func TestAdamFreshStateRestores(t *testing.T) {
	c := adamCases[1]
	ref, a := newParams(), c.adam()
	ps, b := newParams(), c.adam()
	if err := b.SetState(c.adam().State()); err != nil {
		t.Fatal(err)
	}
	for step := 1; step <= 3; step++ {
		setGrads(ref, step)
		setGrads(ps, step)
		if err := a.Step(ref); err != nil {
			t.Fatal(err)
		}
		if err := b.Step(ps); err != nil {
			t.Fatalf("step %d after restoring a fresh state: %v", step, err)
		}
	}
	for i := range ps {
		for j, v := range ps[i].Value.Float32s() {
			if w := ref[i].Value.Float32s()[j]; v != w {
				t.Fatalf("parameter %d[%d] = %v after restoring a fresh state, %v without", i, j, v, w)
			}
		}
	}
}

func TestAdamRefusesMismatchedState(t *testing.T) {
	a := NewAdam(1e-3)
	if err := a.SetState(AdamState{Step: 2, M: [][]float32{make([]float32, 3)}, V: [][]float32{make([]float32, 3)}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Step(newParams()); err == nil {
		t.Fatal("Step accepted two parameters with state for one")
	}
	if err := a.SetState(AdamState{M: [][]float32{make([]float32, 3)}, V: [][]float32{make([]float32, 2)}}); err == nil {
		t.Fatal("SetState accepted moments of different lengths")
	}
}

func TestSGD(t *testing.T) {
	ps := newParams()
	before := append([]float32(nil), ps[0].Value.Float32s()...)
	setGrads(ps, 1)
	g := append([]float32(nil), ps[0].Grad.Float32s()...)
	if err := (SGD{LR: 0.1, WeightDecay: 0.5}).Step(ps); err != nil {
		t.Fatal(err)
	}
	for i, v := range ps[0].Value.Float32s() {
		want := before[i] - 0.1*(g[i]+0.5*before[i])
		if math.Abs(float64(v-want)) > 1e-7 {
			t.Fatalf("value %d: %v, want %v", i, v, want)
		}
	}
}

// TestFromNodesTrainsAGraph runs Adam on a graph's bound gradients: a least
// squares fit w·x ≈ y must drive the loss down.
func TestFromNodesTrainsAGraph(t *testing.T) {
	g := G.NewGraph()
	w := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("w"), G.WithInit(G.Zeroes()))
	x := G.NewVector(g, tensor.Float32, G.WithShape(3), G.WithName("x"), G.WithValue(tensor.New(tensor.WithBacking([]float32{1, 2, 3}))))
	d, _ := G.Sub(w, x)
	loss, _ := G.Sum(G.Must(G.Square(d)))
	if _, err := G.Grad(loss, w); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(w))
	defer vm.Close()
	a := NewAdam(0.1)
	var first, last float32
	for i := 0; i < 100; i++ {
		vm.Reset()
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		last = loss.Value().Data().(float32)
		if i == 0 {
			first = last
		}
		ps, err := FromNodes([]*G.Node{w})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Step(ps); err != nil {
			t.Fatal(err)
		}
	}
	if !(last < first/100) {
		t.Fatalf("loss went from %v to %v in 100 steps", first, last)
	}
}
