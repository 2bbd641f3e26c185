package cuda

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGraph captures kernels, a device copy, a memset and a cuBLAS product,
// checks that capturing ran nothing, and that each launch runs it all
// again on the buffers' current contents.
func TestGraph(t *testing.T) {
	c := testContext(t)
	if !c.GraphsSupported() {
		t.Skip("skipped: the driver or cuBLAS cannot capture graphs")
	}
	r := rand.New(rand.NewPCG(9, 10))
	const m, n, k = 3, 4, 5
	a, b := randFloats(r, m*k), randFloats(r, k*n)
	ab, bb, cb := upload(t, c, a), upload(t, c, b), alloc(t, c, m*n)
	acc := upload(t, c, make([]float32, m*n))
	scratch := upload(t, c, []float32{7, 7, 7})
	g, err := c.Capture(func() error {
		if err := c.Sgemm(false, false, m, n, k, 1, ab, k, bb, n, 0, cb, n); err != nil {
			return err
		}
		if err := c.Axpy(2, cb, acc); err != nil { // acc += 2·a·b at each launch
			return err
		}
		if err := c.Zero(scratch.Slice(0, 1)); err != nil {
			return err
		}
		return c.Copy(scratch.Slice(1, 2), acc.Slice(0, 1))
	})
	must(t, err)
	defer func() { must(t, g.Destroy()) }()
	if got := download(t, c, acc); slices.ContainsFunc(got, func(v float32) bool { return v != 0 }) {
		t.Fatal("capturing ran the work")
	}
	want := make([]float32, m*n)
	for i := range m {
		for j := range n {
			for p := range k {
				want[i*n+j] += a[i*k+p] * b[p*n+j]
			}
		}
	}
	for launch := 1; launch <= 2; launch++ {
		must(t, g.Launch())
		got := download(t, c, acc)
		w := make([]float32, len(want))
		for i := range w {
			w[i] = 2 * float32(launch) * want[i]
		}
		if e := maxRelErr(got, w); e > 1e-5 {
			t.Errorf("launch %d: acc off by %g relative", launch, e)
		}
		if s := download(t, c, scratch); s[0] != 0 || s[1] != got[0] || s[2] != 7 {
			t.Errorf("launch %d: scratch %v, want [0 %v 7]", launch, s, got[0])
		}
	}
}

// TestGraphCaptureErrors: work that cannot be captured fails the capture
// and leaves the stream usable.
func TestGraphCaptureErrors(t *testing.T) {
	c := testContext(t)
	if !c.GraphsSupported() {
		t.Skip("skipped: the driver or cuBLAS cannot capture graphs")
	}
	b := upload(t, c, []float32{1, 2})
	_, err := c.Capture(func() error { return c.CopyIn(b, []float32{3, 4}) })
	if err == nil {
		t.Fatal("a capture with a copy from host memory succeeded")
	}
	mine := errors.New("mine")
	if _, err := c.Capture(func() error { return mine }); !errors.Is(err, mine) {
		t.Errorf("capture returned %v, want fn's error", err)
	}
	must(t, c.Fill(b, 5))
	if got := download(t, c, b); got[0] != 5 || got[1] != 5 {
		t.Errorf("after failed captures, Fill gave %v", got)
	}
}
