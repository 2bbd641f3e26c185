package main

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"framepred/cuda"
)

func randFloats(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// timed runs fn reps times inside one timing window and prints the time
// per repetition, GPU and host, with a throughput figure.
func timed(c *cuda.Context, what string, reps int, unit string, perRep float64, fn func() error) error {
	tm, err := c.Time(func() error {
		for range reps {
			if err := fn(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	gpu := tm.GPU / time.Duration(reps)
	fmt.Printf("  %-34s GPU %10v/op  wall %10v/op  overhead %5.1f%%  %8.1f %s\n", what, gpu,
		tm.Wall/time.Duration(reps), 100*tm.Overhead().Seconds()/tm.Wall.Seconds(), perRep/gpu.Seconds(), unit)
	return nil
}

// sizes are the problem sizes of the checks: full ones for a GPU, small
// ones (-small) for a quick run.
type sizes struct {
	elementwise int                     // values
	gemm        []struct{ m, n, k int } // products
	transfer    int                     // values
	reps        int                     // timed repetitions
}

var fullSizes = sizes{
	elementwise: 1 << 24,
	// A square product and the shapes a convolution layer of framepred's
	// U-Net hands to the BLAS (m = output channels, k = input channels × 9,
	// n = a tile of pixels).
	gemm:     []struct{ m, n, k int }{{1024, 1024, 1024}, {16, 4096, 144}, {32, 4096, 288}, {64, 2048, 576}, {144, 4096, 16}, {64, 65536, 576}},
	transfer: 16 << 20,
	reps:     20,
}

var smallSizes = sizes{
	elementwise: 1 << 16,
	gemm:        []struct{ m, n, k int }{{64, 64, 64}, {16, 256, 144}},
	transfer:    1 << 18,
	reps:        3,
}

func checkElementwise(c *cuda.Context, sz sizes) (err error) {
	n := sz.elementwise
	const slope = 0.2
	r := rand.New(rand.NewPCG(1, 2))
	x, dy := randFloats(r, n), randFloats(r, n)
	x[0] = 0
	bufs := make([]cuda.Buffer, 3)
	for i, src := range [][]float32{x, dy, nil} {
		if src == nil {
			src = make([]float32, n)
		}
		if bufs[i], err = c.Upload(src); err != nil {
			return err
		}
	}
	defer func() {
		for _, b := range bufs {
			err = errors.Join(err, c.Free(b))
		}
	}()
	bx, bdy, by := bufs[0], bufs[1], bufs[2]
	got := make([]float32, n)

	// Compilation happens on first use; time it apart.
	t0 := time.Now()
	if err := c.Fill(by, 1.25); err != nil {
		return err
	}
	if err := c.Synchronize(); err != nil {
		return err
	}
	fmt.Printf("  first launch (NVRTC compile + module load): %v\n", time.Since(t0))
	if err := c.CopyOut(got, by); err != nil {
		return err
	}
	for i, v := range got {
		if v != 1.25 {
			return fmt.Errorf("fill: value %d is %v", i, v)
		}
	}

	if err := c.Axpy(-0.5, bx, bdy); err != nil {
		return err
	}
	if err := c.CopyOut(got, bdy); err != nil {
		return err
	}
	for i := range got {
		// The GPU may fuse the multiply-add: allow one rounding of the sum.
		want := float64(dy[i]) - 0.5*float64(x[i])
		if d := math.Abs(float64(got[i]) - want); d > 1.2e-7*(math.Abs(float64(dy[i]))+0.5*math.Abs(float64(x[i])))+1e-30 {
			return fmt.Errorf("axpy: value %d is %v, want %v", i, got[i], want)
		}
	}
	if err := c.CopyIn(bdy, dy); err != nil {
		return err
	}

	if err := c.LeakyReLU(by, bx, slope); err != nil {
		return err
	}
	if err := c.CopyOut(got, by); err != nil {
		return err
	}
	y := make([]float32, n)
	for i, v := range x {
		if v < 0 {
			v *= slope
		}
		y[i] = v
		if got[i] != v {
			return fmt.Errorf("leaky ReLU: value %d is %v, want %v", i, got[i], v)
		}
	}
	if err := c.LeakyReLUGrad(bx, by, bdy, slope); err != nil {
		return err
	}
	if err := c.CopyOut(got, bx); err != nil {
		return err
	}
	for i := range got {
		want := dy[i]
		if !(y[i] > 0) {
			want *= slope
		}
		if got[i] != want {
			return fmt.Errorf("leaky ReLU gradient: value %d is %v, want %v", i, got[i], want)
		}
	}
	fmt.Printf("  fill, axpy, leaky ReLU forward and backward on %d values: match the CPU\n", n)

	bytes := float64(4 * n)
	for _, k := range []struct {
		name  string
		moved float64
		fn    func() error
	}{
		{"fill", bytes, func() error { return c.Fill(by, 1) }},
		{"axpy", 3 * bytes, func() error { return c.Axpy(1e-3, bx, by) }},
		{"leaky ReLU", 2 * bytes, func() error { return c.LeakyReLU(by, bx, slope) }},
		{"leaky ReLU grad", 3 * bytes, func() error { return c.LeakyReLUGrad(bx, by, bdy, slope) }},
		{"zero (cuMemsetD32)", bytes, func() error { return c.Zero(by) }},
	} {
		if err := timed(c, fmt.Sprintf("%s, %d values", k.name, n), sz.reps, "GB/s", k.moved/1e9, k.fn); err != nil {
			return err
		}
	}
	// Launch overhead: a tiny kernel, where the host's cost dominates.
	small := by.Slice(0, 256)
	return timed(c, "fill, 256 values (launch cost)", 50*sz.reps, "Mop/s", 1e-6, func() error { return c.Fill(small, 0) })
}

// naiveSgemm is the row-major reference in float64, without transposes.
func naiveSgemm(m, n, k int, a, b []float32) []float64 {
	out := make([]float64, m*n)
	for i := range m {
		row := out[i*n : (i+1)*n]
		for p := range k {
			av := float64(a[i*k+p])
			for j, bv := range b[p*n : (p+1)*n] {
				row[j] += av * float64(bv)
			}
		}
	}
	return out
}

func checkSgemm(c *cuda.Context, sz sizes) error {
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range sz.gemm {
		a, b := randFloats(r, s.m*s.k), randFloats(r, s.k*s.n)
		da, err := c.Upload(a)
		if err != nil {
			return err
		}
		db, err := c.Upload(b)
		if err != nil {
			return err
		}
		dc, err := c.Alloc(s.m * s.n)
		if err != nil {
			return err
		}
		gemm := func() error {
			return c.Sgemm(false, false, s.m, s.n, s.k, 1, da, s.k, db, s.n, 0, dc, s.n)
		}
		if err := gemm(); err != nil {
			return err
		}
		got := make([]float32, s.m*s.n)
		if err := c.CopyOut(got, dc); err != nil {
			return err
		}
		want := naiveSgemm(s.m, s.n, s.k, a, b)
		worst, scale := 0.0, 1.0
		for i, w := range want {
			scale = math.Max(scale, math.Abs(w))
			worst = math.Max(worst, math.Abs(float64(got[i])-w))
		}
		// float32 sums of k terms: about sqrt(k)·2⁻²⁴ relative; allow 1e-4.
		fmt.Printf("  %5d×%5d×%4d: max error %.2g relative to the float64 product\n", s.m, s.n, s.k, worst/scale)
		if worst/scale > 1e-4 {
			return fmt.Errorf("%d×%d×%d: error %.3g", s.m, s.n, s.k, worst/scale)
		}
		flops := 2 * float64(s.m*s.n*s.k)
		if err := timed(c, fmt.Sprintf("sgemm %d×%d×%d", s.m, s.n, s.k), sz.reps, "GFLOP/s", flops/1e9, gemm); err != nil {
			return err
		}
		for _, buf := range []cuda.Buffer{da, db, dc} {
			if err := c.Free(buf); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkTransfers(c *cuda.Context, sz sizes) (err error) {
	n := sz.transfer
	host := make([]float32, n)
	for i := range host {
		host[i] = float32(i)
	}
	b, err := c.Alloc(n)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.Free(b)) }()
	mib := fmt.Sprintf("%.0f MiB", float64(4*n)/(1<<20))
	if err := timed(c, "host to device, "+mib, sz.reps, "GB/s", float64(4*n)/1e9, func() error { return c.CopyIn(b, host) }); err != nil {
		return err
	}
	back := make([]float32, n)
	if err := timed(c, "device to host, "+mib, sz.reps, "GB/s", float64(4*n)/1e9, func() error { return c.CopyOut(back, b) }); err != nil {
		return err
	}
	for i, v := range back {
		if v != float32(i) {
			return fmt.Errorf("value %d came back as %v", i, v)
		}
	}
	return nil
}

// checkFlatMemory repeats a training-like step (allocate activations, run
// kernels and a product, free) and checks that after the first step the
// allocator no longer calls the driver and the device's free memory holds.
func checkFlatMemory(c *cuda.Context, steps int) error {
	// A convolution layer's working set: input and output activations
	// (batch 8, 16 channels, 64×64), 16×144 weights, a 144×4096 tile of
	// im2col columns and its 16×4096 product.
	const act, weights, cols, prod = 8 * 16 * 64 * 64, 16 * 144, 144 * 4096, 16 * 4096
	sizes := []int{act, weights, cols, prod, act}
	before := c.MemStats() // the earlier checks' counts
	var first cuda.MemStats
	var free1 uint64
	for step := range steps {
		var bufs []cuda.Buffer
		for _, n := range sizes {
			b, err := c.Alloc(n)
			if err != nil {
				return fmt.Errorf("step %d: %w", step, err)
			}
			bufs = append(bufs, b)
		}
		in, w, col, out, act2 := bufs[0], bufs[1], bufs[2], bufs[3], bufs[4]
		for _, f := range []func() error{
			func() error { return c.Fill(in, 0.5) },
			func() error { return c.Fill(w, 0.01) },
			func() error { return c.Fill(col, 1) },
			func() error { return c.Sgemm(false, false, 16, 4096, 144, 1, w, 144, col, 4096, 0, out, 4096) },
			func() error { return c.LeakyReLU(act2, in, 0.2) },
			func() error { return c.Axpy(1, in, act2) },
		} {
			if err := f(); err != nil {
				return fmt.Errorf("step %d: %w", step, err)
			}
		}
		for _, b := range bufs {
			if err := c.Free(b); err != nil {
				return err
			}
		}
		if err := c.Synchronize(); err != nil {
			return err
		}
		free, _, err := c.MemInfo()
		if err != nil {
			return err
		}
		s := c.MemStats()
		if step == 0 {
			first, free1 = s, free
			continue
		}
		if s.DriverAllocs != first.DriverAllocs || s.Reserved != first.Reserved {
			return fmt.Errorf("step %d: allocator %+v, after step 0 %+v", step, s, first)
		}
		if free != free1 {
			fmt.Printf("  note: step %d: driver reports %d bytes free, %d after step 0 (another process?)\n", step, free, free1)
		}
	}
	s := c.MemStats()
	fmt.Printf("  %d steps: %d driver allocations in step 0 and none after, %d reuses, %.1f MiB reserved, peak %.1f MiB\n",
		steps, first.DriverAllocs-before.DriverAllocs, s.Reuses-before.Reuses, float64(s.Reserved)/(1<<20), float64(s.Peak)/(1<<20))
	return c.Trim()
}
