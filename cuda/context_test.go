package cuda

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestCopies(t *testing.T) {
	c := testContext(t)
	r := rand.New(rand.NewPCG(1, 1))
	src := randFloats(r, 1000)
	b := upload(t, c, src)
	if b.Len() != 1000 || b.Ptr() == 0 {
		t.Fatalf("Upload gave %+v", b)
	}
	got := make([]float32, 1000)
	must(t, c.CopyOut(got, b))
	if !slices.Equal(got, src) {
		t.Fatal("CopyOut after Upload differs from the source")
	}

	// A device-to-device copy into the middle of another buffer.
	d := upload(t, c, make([]float32, 1200))
	must(t, c.Copy(d.Slice(100, 1100), b))
	all := make([]float32, 1200)
	must(t, c.CopyOut(all, d))
	if !slices.Equal(all[100:1100], src) || all[99] != 0 || all[1100] != 0 {
		t.Error("Copy into a slice wrote the wrong place")
	}

	// CopyIn and CopyOut may cover only the start of a buffer.
	must(t, c.CopyIn(d, []float32{7, 8}))
	head := make([]float32, 3)
	must(t, c.CopyOut(head, d))
	if !slices.Equal(head, []float32{7, 8, 0}) {
		t.Errorf("after CopyIn of two values: %v", head)
	}

	must(t, c.Zero(b.Slice(10, 20)))
	must(t, c.CopyOut(got, b))
	for i, v := range got {
		want := src[i]
		if i >= 10 && i < 20 {
			want = 0
		}
		if v != want {
			t.Fatalf("after Zero of [10, 20): value %d is %v, want %v", i, v, want)
		}
	}
}

func TestCopyLengthPanics(t *testing.T) {
	c := testContext(t)
	b := upload(t, c, make([]float32, 4))
	for name, f := range map[string]func(){
		"CopyIn":  func() { _ = c.CopyIn(b, make([]float32, 5)) },
		"CopyOut": func() { _ = c.CopyOut(make([]float32, 5), b) },
		"Copy":    func() { _ = c.Copy(b.Slice(0, 2), b) },
		"Slice":   func() { b.Slice(2, 5) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s past the buffer's end did not panic", name)
				}
			}()
			f()
		}()
	}
}

// The references mirror framepred/ops (BiasActForward with a zero bias,
// ActBackward).
func leaky(x []float32, slope float32) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		if v < 0 {
			v *= slope
		}
		y[i] = v
	}
	return y
}

func leakyGrad(y, dy []float32, slope float32) []float32 {
	dx := make([]float32, len(y))
	for i := range y {
		if y[i] > 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = dy[i] * slope
		}
	}
	return dx
}

func TestElementwiseKernels(t *testing.T) {
	c := testContext(t)
	r := rand.New(rand.NewPCG(2, 2))
	// Lengths around the block size, and one beyond what the capped grid
	// covers in one pass (the kernels loop).
	grid, block := c.grid1D(1 << 30)
	beyond := int(grid.X*block.X) + 4321
	for _, n := range []int{1, 255, 256, 257, 5000, beyond} {
		x := randFloats(r, n)
		x[0] = 0 // LeakyReLU's kink: forward 0, gradient uses the slope
		dy := randFloats(r, n)
		const slope = 0.2

		dx := upload(t, c, x)
		must(t, c.Fill(dx, 3.5))
		got := make([]float32, n)
		must(t, c.CopyOut(got, dx))
		for i, v := range got {
			if v != 3.5 {
				t.Fatalf("n=%d: Fill left value %d at %v", n, i, v)
			}
		}

		must(t, c.CopyIn(dx, x))
		ddy := upload(t, c, dy)
		must(t, c.Axpy(-0.5, dx, ddy)) // ddy = dy - 0.5·x
		must(t, c.CopyOut(got, ddy))
		for i := range got {
			// A GPU may fuse the multiply-add: allow one rounding more
			// than the exact sum's (2⁻²³ of the terms' magnitude).
			want := float64(dy[i]) - 0.5*float64(x[i])
			tol := 0x1p-23 * (math.Abs(float64(dy[i])) + 0.5*math.Abs(float64(x[i])))
			if d := math.Abs(float64(got[i]) - want); d > tol {
				t.Fatalf("n=%d: Axpy value %d = %v, want %v (|diff| %.3g > %.3g)", n, i, got[i], want, d, tol)
			}
		}
		must(t, c.CopyIn(ddy, dy))

		dout := upload(t, c, make([]float32, n))
		must(t, c.LeakyReLU(dout, dx, slope))
		must(t, c.CopyOut(got, dout))
		y := leaky(x, slope)
		if !slices.Equal(got, y) {
			t.Fatalf("n=%d: LeakyReLU differs from the reference", n)
		}

		must(t, c.LeakyReLUGrad(ddy, dout, ddy, slope)) // in place on dy
		must(t, c.CopyOut(got, ddy))
		if !slices.Equal(got, leakyGrad(y, dy, slope)) {
			t.Fatalf("n=%d: LeakyReLUGrad differs from the reference", n)
		}
		if got[0] != dy[0]*slope {
			t.Errorf("n=%d: gradient at 0 is %v, want slope·dy = %v", n, got[0], dy[0]*slope)
		}

		must(t, c.LeakyReLU(dx, dx, slope)) // in place
		must(t, c.CopyOut(got, dx))
		if !slices.Equal(got, y) {
			t.Fatalf("n=%d: in-place LeakyReLU differs from the reference", n)
		}
	}
	must(t, c.Fill(Buffer{}, 1)) // nothing to do
}

// TestMemoryStaysFlat runs a toy training step many times: after the first
// step the allocator must serve everything from its cache.
func TestMemoryStaysFlat(t *testing.T) {
	c := testContext(t)
	free0, _, err := c.MemInfo()
	must(t, err)
	sizes := []int{16 * 64 * 64, 32 * 32 * 32, 1000, 16 * 64 * 64, 9}
	var first MemStats
	var free1 uint64
	for step := range 30 {
		var bufs []Buffer
		for _, n := range sizes {
			b, err := c.Alloc(n)
			must(t, err)
			must(t, c.Fill(b, float32(step)))
			bufs = append(bufs, b)
		}
		must(t, c.Axpy(1, bufs[0], bufs[3]))
		for _, b := range bufs {
			must(t, c.Free(b))
		}
		must(t, c.Synchronize())
		s := c.MemStats()
		free, _, err := c.MemInfo()
		must(t, err)
		if step == 0 {
			first, free1 = s, free
			continue
		}
		if s.DriverAllocs != first.DriverAllocs || s.Reserved != first.Reserved || s.Peak != first.Peak || (!onGPU && free != free1) {
			t.Fatalf("step %d: %+v, driver free %d; after step 0: %+v, %d", step, s, free, first, free1)
		}
	}
	if s := c.MemStats(); s.Reuses != 29*int64(len(sizes)) || s.InUse != 0 {
		t.Errorf("after 30 steps: %+v", s)
	}
	must(t, c.Trim())
	free, _, err := c.MemInfo()
	must(t, err)
	if s := c.MemStats(); s.Reserved != 0 || s.DriverFrees != s.DriverAllocs {
		t.Errorf("after Trim: %+v", s)
	}
	if !onGPU && free != free0 {
		t.Errorf("after Trim the driver has %d bytes free, %d before the steps", free, free0)
	}
}

func TestFreeErrors(t *testing.T) {
	c := testContext(t)
	b, err := c.Alloc(100)
	must(t, err)
	if err := c.Free(b.Slice(1, 50)); err == nil {
		t.Error("Free of a slice succeeded")
	}
	must(t, c.Free(b))
	if err := c.Free(b); err == nil || !strings.Contains(err.Error(), "freed twice") {
		t.Errorf("second Free: %v", err)
	}
	must(t, c.Free(Buffer{}))
}

func TestOutOfMemory(t *testing.T) {
	if onGPU {
		t.Skip("needs the stand-in's small memory limit")
	}
	c := testContext(t)
	t.Setenv("FAKECUDA_MEM", "1048576")
	b, err := c.Alloc(150_000) // 600 KB
	must(t, err)
	must(t, c.Free(b))
	if _, err := c.Alloc(175_000); err != nil { // 700 KB: fits once the cache is given back
		t.Fatalf("Alloc that needs the cache trimmed: %v", err)
	}
	_, err = c.Alloc(200_000)
	if !errors.Is(err, ErrOutOfMemory) || !strings.Contains(err.Error(), "allocate 200000 floats (781.2 KiB) on device 0") {
		t.Errorf("Alloc beyond the device: %v", err)
	}
}

// TestGuardBytes checks that the stand-in notices writes past a block, so
// the other tests would catch a kernel or product that overruns its buffer.
func TestGuardBytes(t *testing.T) {
	if onGPU {
		t.Skip("a check of the stand-in")
	}
	c := testContext(t)
	b, err := c.Alloc(128) // 512 B: its class has no slack
	must(t, err)
	must(t, c.Fill(Buffer{ptr: b.ptr, n: 130}, 1)) // two values too many
	must(t, c.Free(b))
	err = c.Trim()
	if err == nil || !strings.Contains(err.Error(), "CUDA_ERROR_ILLEGAL_ADDRESS") {
		t.Errorf("Trim after an overrun: %v, want the stand-in's illegal address", err)
	}
}

func TestCloseReleasesEverything(t *testing.T) {
	if onGPU {
		t.Skip("other processes change a real device's free memory")
	}
	rt := testRuntime(t)
	c, err := rt.Open(0)
	must(t, err)
	free0, total, err := c.MemInfo()
	must(t, err)
	if free0 != total {
		t.Fatalf("the stand-in starts with %d of %d bytes free: an earlier test leaked", free0, total)
	}
	for _, n := range []int{10, 1000, 100000} {
		if _, err := c.Alloc(n); err != nil { // never freed
			t.Fatal(err)
		}
	}
	b, err := c.Alloc(500)
	must(t, err)
	must(t, c.Free(b))
	_, err = c.Compile(elementwiseName, elementwiseSource)
	must(t, err)
	must(t, c.Close())
	must(t, c.Close()) // a second Close does nothing

	if _, err := c.Alloc(1); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Alloc after Close: %v", err)
	}
	c2, err := rt.Open(0)
	must(t, err)
	defer c2.Close()
	free, _, err := c2.MemInfo()
	must(t, err)
	if free != total {
		t.Errorf("after Close, %d of %d bytes free", free, total)
	}
}

func TestCompile(t *testing.T) {
	c := testContext(t)
	m, err := c.Compile(elementwiseName, elementwiseSource)
	must(t, err)
	if m2, err := c.Compile("another name", elementwiseSource); err != nil || m2 != m {
		t.Errorf("second Compile of the same source: %p, %v; want the cached module %p", m2, err, m)
	}
	if got := m.Image().Target; got != c.Target() || !got.Cubin || got.CC != c.Device().CC() {
		t.Errorf("compiled for %v, context target %v, device sm_%d", got, c.Target(), c.Device().CC())
	}
	if _, err := m.Function("fp_no_such_kernel"); err == nil || !strings.Contains(err.Error(), "CUDA_ERROR_NOT_FOUND") {
		t.Errorf("Function of a missing kernel: %v", err)
	}

	_, err = c.Compile("broken.cu", "#error framepred test\n")
	var ce *CompileError
	if !errors.As(err, &ce) || !strings.Contains(ce.Log, "error") || !strings.Contains(err.Error(), "cuda: compile broken.cu for sm_") {
		t.Errorf("Compile of broken source: %v", err)
	}
}

func TestLaunchChecks(t *testing.T) {
	c := testContext(t)
	f, err := c.kernel(kFill)
	must(t, err)
	b := upload(t, c, make([]float32, 8))
	if err := c.Launch(f, Dim3{X: 1}, Dim3{X: 8}, 0, b, float32(1), 8); err == nil || !strings.Contains(err.Error(), "pass int32 or int64") {
		t.Errorf("Launch with a Go int argument: %v", err)
	}
	if err := c.Launch(f, Dim3{}, Dim3{X: 8}, 0, b, float32(1), int64(8)); err == nil {
		t.Error("Launch with an empty grid succeeded")
	}
	if err := c.Launch(f, Dim3{X: 1}, Dim3{X: 2048}, 0, b, float32(1), int64(8)); err == nil {
		t.Error("Launch of 2048 threads per block succeeded")
	}
	must(t, c.Launch(f, Dim3{X: 1}, Dim3{X: 3}, 0, b, float32(2), int64(8)))
	got := make([]float32, 8)
	must(t, c.CopyOut(got, b))
	if !slices.Equal(got, []float32{2, 2, 2, 2, 2, 2, 2, 2}) {
		t.Errorf("a 3-thread grid-stride Fill gave %v", got)
	}
}

func TestTime(t *testing.T) {
	c := testContext(t)
	b := upload(t, c, make([]float32, 100000))
	tm, err := c.Time(func() error {
		for range 10 {
			if err := c.Fill(b, 1); err != nil {
				return err
			}
		}
		return nil
	})
	must(t, err)
	if tm.GPU <= 0 || tm.Wall < tm.GPU {
		t.Errorf("Timing %+v: want 0 < GPU ≤ Wall", tm)
	}
	if tm.Overhead() != tm.Wall-tm.GPU {
		t.Error("Overhead is not Wall − GPU")
	}
	wantErr := errors.New("stop")
	if _, err := c.Time(func() error { return wantErr }); !errors.Is(err, wantErr) {
		t.Errorf("Time passes on fn's error: %v", err)
	}
	t.Logf("10 fills of 100000 values: %+v", tm)
}

// TestCallsFromFreshThreads makes each call on a thread that has never had
// the context current: a goroutine that locks its thread and exits
// without unlocking takes the thread with it, so the next one runs on a
// new thread. Every call must make the context current itself (the
// stand-in fails calls without a current context, as the driver does).
func TestCallsFromFreshThreads(t *testing.T) {
	c := testContext(t)
	b := upload(t, c, make([]float32, 1000))
	got := make([]float32, 1000)
	calls := []func() error{
		func() error { return c.Fill(b, 2) },
		func() error { return c.Axpy(1, b, b) },
		func() error { return c.Zero(b.Slice(0, 10)) },
		func() error {
			return c.Sgemm(false, false, 10, 10, 10, 1, b, 10, b.Slice(100, 200), 10, 0, b.Slice(500, 600), 10)
		},
		func() error { _, err := c.Time(func() error { return c.Fill(b.Slice(900, 1000), 3) }); return err },
		func() error { return c.CopyOut(got, b) },
	}
	for i, call := range calls {
		done := make(chan error)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
			done <- call()
		}()
		if err := <-done; err != nil {
			t.Fatalf("call %d on a fresh thread: %v", i, err)
		}
	}
	// Filled with 2, doubled to 4, [0,10) zeroed, [900,1000) filled with 3;
	// [500,600) = A·B for A = values [0,100) and B = values [100,200) as
	// 10×10 matrices: row 5 is 10·4·4.
	if got[5] != 0 || got[50] != 4 || got[950] != 3 || got[550] != 160 {
		t.Errorf("values %v %v %v %v, want 0 4 3 160", got[5], got[50], got[950], got[550])
	}
}
