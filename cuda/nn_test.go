package cuda

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"framepred/ops"
	"framepred/optim"
)

func download(t testing.TB, c *Context, b Buffer) []float32 {
	t.Helper()
	v := make([]float32, b.Len())
	must(t, c.CopyOut(v, b))
	return v
}

func to64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// TestConv checks the three passes of every convolution shape framepred's
// networks use against framepred/ops's kernels run in float64, with a
// workspace of one image (chunked products) and of the whole batch.
func TestConv(t *testing.T) {
	c := testContext(t)
	r := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		name string
		g    Conv
	}{
		{"3×3 stride 1 (U-Net)", Conv{N: 3, In: 4, H: 8, W: 6, Out: 5, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}},
		{"3×3 stride 2 (U-Net down)", Conv{N: 2, In: 3, H: 8, W: 8, Out: 4, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1}},
		{"4×4 stride 2 (discriminator)", Conv{N: 2, In: 5, H: 8, W: 8, Out: 3, KH: 4, KW: 4, Stride: 2, PadH: 1, PadW: 1}},
		{"1×1 (head)", Conv{N: 2, In: 6, H: 4, W: 5, Out: 2, KH: 1, KW: 1, Stride: 1}},
		{"upsampling 3×3 (decoder)", Conv{N: 2, In: 4, H: 8, W: 6, Out: 3, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1, Up: true}},
		{"odd size, stride 2", Conv{N: 1, In: 2, H: 7, W: 5, Out: 2, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1}},
	}
	for _, tt := range tests {
		g := tt.g
		og := ops.ConvGeom{N: g.N, In: g.In, H: g.H, W: g.W, Out: g.Out, KH: g.KH, KW: g.KW, Stride: g.Stride, PadH: g.PadH, PadW: g.PadW}
		x, w, dout := randFloats(r, g.XLen()), randFloats(r, g.WLen()), randFloats(r, g.OutLen())
		out64, dx64, dw64 := make([]float64, g.OutLen()), make([]float64, g.XLen()), make([]float64, g.WLen())
		if g.Up {
			ops.UpConvForward(og, to64(x), to64(w), out64)
			ops.UpConvBackwardInput(og, to64(w), to64(dout), dx64)
			ops.UpConvBackwardFilter(og, to64(x), to64(dout), dw64)
		} else {
			ops.ConvForward(og, to64(x), to64(w), out64)
			ops.ConvBackwardInput(og, to64(w), to64(dout), dx64)
			ops.ConvBackwardFilter(og, to64(x), to64(dout), dw64)
		}
		for _, limit := range []int{1, 1 << 20} {
			t.Run(fmt.Sprintf("%s/work %d", tt.name, limit), func(t *testing.T) {
				xb, wb, db := upload(t, c, x), upload(t, c, w), upload(t, c, dout)
				out, dx, dw := alloc(t, c, g.OutLen()), alloc(t, c, g.XLen()), alloc(t, c, g.WLen())
				work := alloc(t, c, max(1, g.WorkLen(limit)))
				must(t, c.ConvForward(g, xb, wb, out, work))
				must(t, c.ConvBackwardInput(g, wb, db, dx, work))
				must(t, c.ConvBackwardFilter(g, xb, db, dw, work))
				// float32 sums of at most In·KH·KW·4 products of N(0,1)
				// values against float64: a few ulps of the largest value.
				const tol = 1e-5
				for _, p := range []struct {
					name string
					got  Buffer
					want []float64
				}{{"forward", out, out64}, {"input gradient", dx, dx64}, {"filter gradient", dw, dw64}} {
					if e := maxRelErr(download(t, c, p.got), to32(p.want)); e > tol {
						t.Errorf("%s: max relative error %.3g, want ≤ %g", p.name, e, tol)
					}
				}
			})
		}
	}
}

// TestBiasActAndChannelSum checks BiasAct, LeakyReLUGrad (the activation's
// gradient) and ChannelSum against framepred/ops in float64; channel sums
// of more than one chunk, too.
func TestBiasActAndChannelSum(t *testing.T) {
	c := testContext(t)
	r := rand.New(rand.NewPCG(5, 6))
	for _, tt := range []struct{ ch, plane int }{{3, 50}, {2, 3 * redChunk / 2}, {1, 2*redChunk + 7}} {
		t.Run(fmt.Sprintf("%d×%d", tt.ch, tt.plane), func(t *testing.T) {
			n := tt.ch * tt.plane
			x, b, dy := randFloats(r, n), randFloats(r, tt.ch), randFloats(r, n)
			y32, dx32, s64 := make([]float32, n), make([]float32, n), make([]float64, tt.ch)
			ops.BiasActForward(x, b, y32, 0.2)
			ops.ActBackward(y32, dy, dx32, 0.2)
			ops.ChannelSum(to64(x), s64)

			xb, bb, dyb := upload(t, c, x), upload(t, c, b), upload(t, c, dy)
			y, dx, s := alloc(t, c, n), alloc(t, c, n), alloc(t, c, tt.ch)
			work := alloc(t, c, ReduceWork(tt.ch, tt.plane))
			must(t, c.BiasAct(y, xb, bb, 0.2))
			must(t, c.LeakyReLUGrad(dx, y, dyb, 0.2))
			must(t, c.ChannelSum(s, xb, work))
			// One float32 add and multiply: the float32 CPU kernels' bits;
			// the sums are float64, rounded once.
			if got := download(t, c, y); !slices.Equal(got, y32) {
				t.Errorf("BiasAct differs from ops.BiasActForward: max relative error %g", maxRelErr(got, y32))
			}
			if got := download(t, c, dx); !slices.Equal(got, dx32) {
				t.Errorf("LeakyReLUGrad differs from ops.ActBackward: max relative error %g", maxRelErr(got, dx32))
			}
			if e := maxRelErr(download(t, c, s), to32(s64)); e > 1e-7 {
				t.Errorf("ChannelSum: max relative error %.3g, want ≤ 1e-7", e)
			}
			// The same input gives the same bits.
			first := download(t, c, s)
			must(t, c.ChannelSum(s, xb, work))
			if !slices.Equal(download(t, c, s), first) {
				t.Error("ChannelSum differs between two runs on the same input")
			}
		})
	}
}

// TestBlockBarrier checks the reductions' shared-memory tree across many
// blocks, each of which must see only its own threads' values: the
// partial sums of a ramp are known exactly.
func TestBlockBarrier(t *testing.T) {
	c := testContext(t)
	const ch, plane = 3, 3*redChunk + 100 // 4 chunks per channel
	x := make([]float32, ch*plane)
	for i := range x {
		x[i] = float32(i % plane)
	}
	s := alloc(t, c, ch)
	must(t, c.ChannelSum(s, upload(t, c, x), alloc(t, c, ReduceWork(ch, plane))))
	want := float32(plane * (plane - 1) / 2) // exact in float32: 78,074,950 is even and below 2²⁷
	for i, v := range download(t, c, s) {
		if v != want {
			t.Errorf("channel %d: sum %v, want %v", i, v, want)
		}
	}
}

// TestAdamMatchesOptim runs three Adam steps, with weight decay, on the
// device and with optim.Adam: the same float32 operations in the same
// order give the same bits.
func TestAdamMatchesOptim(t *testing.T) {
	c := testContext(t)
	r := rand.New(rand.NewPCG(7, 8))
	const n = 1000
	p0 := randFloats(r, n)
	a := &optim.Adam{LR: 1e-3, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8, WeightDecay: 1e-4}
	cpu := tensor.New(tensor.WithShape(n), tensor.WithBacking(slices.Clone(p0)))
	grad := tensor.New(tensor.WithShape(n), tensor.WithBacking(make([]float32, n)))
	p, g, m, v := upload(t, c, p0), alloc(t, c, n), alloc(t, c, n), alloc(t, c, n)
	must(t, c.Zero(m))
	must(t, c.Zero(v))
	bad := alloc(t, c, 1)
	must(t, c.Zero(bad))
	for step := 1; step <= 3; step++ {
		gs := randFloats(r, n)
		copy(grad.Float32s(), gs)
		must(t, c.CopyIn(g, gs))
		must(t, a.Step([]optim.Param{{Value: cpu, Grad: grad}}))
		must(t, c.Adam(p, g, m, v, NewAdamStep(a.LR, a.Beta1, a.Beta2, a.Eps, a.WeightDecay, step), bad))
		if got := download(t, c, p); !slices.Equal(got, cpu.Float32s()) {
			t.Fatalf("step %d: parameters differ from optim.Adam's, max relative error %g", step, maxRelErr(got, cpu.Float32s()))
		}
		if gz := download(t, c, g); slices.ContainsFunc(gz, func(x float32) bool { return x != 0 }) {
			t.Fatalf("step %d: gradient not zeroed", step)
		}
	}
	if download(t, c, bad)[0] != 0 {
		t.Error("finite parameters flagged as bad")
	}
	must(t, c.CopyIn(g, []float32{float32(math.Inf(1))}))
	must(t, c.Adam(p, g, m, v, NewAdamStep(a.LR, a.Beta1, a.Beta2, a.Eps, a.WeightDecay, 4), bad))
	if download(t, c, bad)[0] != 1 {
		t.Error("an infinite gradient did not flag its parameter")
	}
}

func TestConvWorkspaceTooSmallPanics(t *testing.T) {
	c := testContext(t)
	g := Conv{N: 2, In: 2, H: 4, W: 4, Out: 2, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}
	defer func() {
		if recover() == nil {
			t.Error("ConvForward with a workspace below one image's im2col matrix did not panic")
		}
	}()
	_ = c.ConvForward(g, alloc(t, c, g.XLen()), alloc(t, c, g.WLen()), alloc(t, c, g.OutLen()), alloc(t, c, g.WorkLen(1)-1))
}
