package cuda

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestSizeClass(t *testing.T) {
	prev := 0
	for _, b := range []int{1, 4, 511, 512, 513, 4000, 1 << 20, 1<<20 + 1, 3 << 20, 5<<20 + 17, 1 << 30, 1<<30 + 1} {
		c := sizeClass(b)
		if c < b {
			t.Errorf("sizeClass(%d) = %d, smaller than the request", b, c)
		}
		if waste := c - b; waste >= 512 && float64(waste) > float64(b)/8 {
			t.Errorf("sizeClass(%d) = %d wastes %d bytes", b, c, waste)
		}
		if c < prev {
			t.Errorf("sizeClass(%d) = %d, below the class of a smaller request (%d)", b, c, prev)
		}
		if sizeClass(c) != c {
			t.Errorf("sizeClass(%d) = %d, but that is not its own class", b, c)
		}
		prev = c
	}
	if sizeClass(1000) != sizeClass(1024) {
		t.Error("1000 and 1024 bytes should share a class")
	}
}

// fakeDevice is a device allocator in Go, for the pool's own tests.
type fakeDevice struct {
	next, used, limit int
	live              map[uint64]int
	allocs, frees     int
}

func newFakeDevice(limit int) *fakeDevice {
	return &fakeDevice{next: 1 << 16, limit: limit, live: map[uint64]int{}}
}

func (d *fakeDevice) alloc(bytes int) (uint64, error) {
	if d.used+bytes > d.limit {
		return 0, &Error{Lib: Driver, Call: "cuMemAlloc_v2", Code: cudaErrorOutOfMemory, Name: "CUDA_ERROR_OUT_OF_MEMORY"}
	}
	p := uint64(d.next)
	d.next += bytes
	d.used += bytes
	d.live[p] = bytes
	d.allocs++
	return p, nil
}

func (d *fakeDevice) free(p uint64) error {
	b, ok := d.live[p]
	if !ok {
		return fmt.Errorf("free of unknown %#x", p)
	}
	delete(d.live, p)
	d.used -= b
	d.frees++
	return nil
}

func TestPoolReusesAcrossSteps(t *testing.T) {
	dev := newFakeDevice(1 << 30)
	p := newPool(dev.alloc, dev.free)
	sizes := []int{4 * 1000, 4 * 64 * 64 * 16, 4 * 3, 4 * 64 * 64 * 16, 4 * 1_000_000}
	var afterFirst MemStats
	for step := range 20 {
		var ptrs []uint64
		for _, s := range sizes {
			q, err := p.get(s)
			if err != nil {
				t.Fatal(err)
			}
			ptrs = append(ptrs, q)
		}
		for _, q := range ptrs {
			if err := p.put(q); err != nil {
				t.Fatal(err)
			}
		}
		if step == 0 {
			afterFirst = p.stats
			continue
		}
		if p.stats.DriverAllocs != afterFirst.DriverAllocs || p.stats.Reserved != afterFirst.Reserved || dev.used != int(afterFirst.Reserved) {
			t.Fatalf("step %d: stats %+v, device %d B in use; after step 0: %+v", step, p.stats, dev.used, afterFirst)
		}
	}
	s := p.stats
	if s.DriverAllocs != int64(len(sizes)) || s.Reuses != 19*int64(len(sizes)) || s.InUse != 0 || s.Cached != s.Reserved || s.Peak != s.Reserved {
		t.Errorf("stats after 20 steps: %+v", s)
	}
	if err := p.trim(); err != nil {
		t.Fatal(err)
	}
	if p.stats.Reserved != 0 || p.stats.Cached != 0 || dev.used != 0 || p.stats.DriverFrees != int64(len(sizes)) {
		t.Errorf("after trim: stats %+v, device %d B in use", p.stats, dev.used)
	}
}

func TestPoolFreeErrors(t *testing.T) {
	dev := newFakeDevice(1 << 20)
	p := newPool(dev.alloc, dev.free)
	q, err := p.get(4096)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.put(q + 512); err == nil || !strings.Contains(err.Error(), "not an allocation") {
		t.Errorf("put of an inner address: %v", err)
	}
	if err := p.put(q); err != nil {
		t.Fatal(err)
	}
	if err := p.put(q); err == nil || !strings.Contains(err.Error(), "freed twice") {
		t.Errorf("second put: %v", err)
	}
}

func TestPoolOutOfMemoryTrimsAndRetries(t *testing.T) {
	dev := newFakeDevice(1 << 20)
	p := newPool(dev.alloc, dev.free)
	a, err := p.get(600 << 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.put(a); err != nil {
		t.Fatal(err)
	}
	// 600 KiB are cached; 700 KiB more do not fit beside them, but do once
	// the cache is given back.
	if _, err := p.get(700 << 10); err != nil {
		t.Fatalf("get after a cache trim: %v", err)
	}
	if p.stats.DriverFrees != 1 || p.stats.Cached != 0 || p.stats.InUse != 700<<10 {
		t.Errorf("stats %+v", p.stats)
	}
	// With nothing cached, out of memory is reported.
	_, err = p.get(900 << 10)
	if !errors.Is(err, ErrOutOfMemory) {
		t.Errorf("get beyond the device: %v, want ErrOutOfMemory", err)
	}
}

func TestPoolReleaseAll(t *testing.T) {
	dev := newFakeDevice(1 << 20)
	p := newPool(dev.alloc, dev.free)
	for _, s := range []int{512, 4096, 4096} {
		if _, err := p.get(s); err != nil {
			t.Fatal(err)
		}
	}
	q, _ := p.get(1024)
	if err := p.put(q); err != nil {
		t.Fatal(err)
	}
	if err := p.releaseAll(); err != nil {
		t.Fatal(err)
	}
	if dev.used != 0 || len(dev.live) != 0 || p.stats.Reserved != 0 || p.stats.InUse != 0 {
		t.Errorf("after releaseAll: device %d B, stats %+v", dev.used, p.stats)
	}
}
