package cuda

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
)

// MemStats counts what a context's allocator holds and did. A training
// loop whose steps allocate the same shapes reaches a steady state after
// its first step: Reserved and DriverAllocs stop growing.
type MemStats struct {
	InUse    int64 // bytes in blocks handed out by Alloc and not freed
	Cached   int64 // bytes in freed blocks kept for reuse
	Reserved int64 // InUse + Cached: device memory the context holds
	Peak     int64 // the highest Reserved so far

	DriverAllocs int64 // blocks obtained from the driver
	DriverFrees  int64 // blocks given back to the driver
	Reuses       int64 // Allocs served from the cache
}

// pool is a caching allocator: freed blocks wait in free lists keyed by
// their size class and serve later requests of the same class, so that a
// loop that allocates the same sizes each step stops calling the driver,
// whose allocations are slow and synchronise the device. All work runs on
// one stream, so a block freed while kernels may still use it can be
// handed out again at once: the next user's work is queued after theirs.
type pool struct {
	alloc func(bytes int) (uint64, error)
	free  func(ptr uint64) error
	idle  map[int][]uint64 // size class -> cached blocks
	live  map[uint64]int   // block -> size class
	stats MemStats
}

func newPool(alloc func(int) (uint64, error), free func(uint64) error) *pool {
	return &pool{alloc: alloc, free: free, idle: map[int][]uint64{}, live: map[uint64]int{}}
}

// sizeClass rounds a request up to the size of the block that serves it:
// a multiple of 512 bytes up to 1 MiB; above, one of eight steps between
// consecutive powers of two. A request wastes at most 511 bytes or an
// eighth of its size, and sizes that differ a little share a class.
func sizeClass(bytes int) int {
	const small, step = 1 << 20, 512
	if bytes <= small {
		return (bytes + step - 1) / step * step
	}
	g := 1 << (bits.Len(uint(bytes-1)) - 1) / 8 // an eighth of the power of two below
	return (bytes + g - 1) / g * g
}

// get returns a block of at least bytes.
func (p *pool) get(bytes int) (uint64, error) {
	class := sizeClass(bytes)
	if list := p.idle[class]; len(list) > 0 {
		ptr := list[len(list)-1]
		p.idle[class] = list[:len(list)-1]
		p.live[ptr] = class
		p.stats.Cached -= int64(class)
		p.stats.InUse += int64(class)
		p.stats.Reuses++
		return ptr, nil
	}
	ptr, err := p.alloc(class)
	if errors.Is(err, ErrOutOfMemory) && p.stats.Cached > 0 {
		// Blocks of other classes may be what the request needs.
		if terr := p.trim(); terr != nil {
			return 0, errors.Join(err, terr)
		}
		ptr, err = p.alloc(class)
	}
	if err != nil {
		return 0, err
	}
	p.live[ptr] = class
	p.stats.DriverAllocs++
	p.stats.InUse += int64(class)
	p.stats.Reserved = p.stats.InUse + p.stats.Cached
	p.stats.Peak = max(p.stats.Peak, p.stats.Reserved)
	return ptr, nil
}

// put caches a block that get returned.
func (p *pool) put(ptr uint64) error {
	class, ok := p.live[ptr]
	if !ok {
		return fmt.Errorf("cuda: Free of device address %#x, which is not an allocation in use (freed twice, or a slice?)", ptr)
	}
	delete(p.live, ptr)
	p.idle[class] = append(p.idle[class], ptr)
	p.stats.InUse -= int64(class)
	p.stats.Cached += int64(class)
	return nil
}

// trim gives the cached blocks back to the driver.
func (p *pool) trim() error {
	var errs []error
	classes := make([]int, 0, len(p.idle))
	for class := range p.idle {
		classes = append(classes, class)
	}
	slices.Sort(classes) // a fixed order, for repeatable runs
	for _, class := range classes {
		for _, ptr := range p.idle[class] {
			// A block the driver refuses to free is forgotten all the
			// same: trying again would fail again.
			p.stats.Cached -= int64(class)
			if err := p.free(ptr); err != nil {
				errs = append(errs, err)
				continue
			}
			p.stats.DriverFrees++
		}
		delete(p.idle, class)
	}
	p.stats.Reserved = p.stats.InUse + p.stats.Cached
	return errors.Join(errs...)
}

// releaseAll frees every block, cached or in use, for Close.
func (p *pool) releaseAll() error {
	for ptr, class := range p.live {
		p.idle[class] = append(p.idle[class], ptr)
		p.stats.InUse -= int64(class)
		p.stats.Cached += int64(class)
	}
	clear(p.live)
	return p.trim()
}
