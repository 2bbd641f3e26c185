package cuda

/*
#include "bind.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Buffer is device memory holding float32 values: a device address and a
// length. It is a plain value; [Context.Free] gives the memory back.
type Buffer struct {
	ptr uint64
	n   int
}

// Len is the number of float32 values.
func (b Buffer) Len() int { return b.n }

// Ptr is the device address (0 for an empty buffer).
func (b Buffer) Ptr() uint64 { return b.ptr }

// Slice is the part [lo, hi) of b, sharing its memory. It panics if the
// range is outside b. A slice is not an allocation: free b, not the slice.
func (b Buffer) Slice(lo, hi int) Buffer {
	if lo < 0 || hi < lo || hi > b.n {
		panic(fmt.Sprintf("cuda: slice [%d:%d] of a buffer of %d values", lo, hi, b.n))
	}
	return Buffer{ptr: b.ptr + 4*uint64(lo), n: hi - lo}
}

func (c *Context) rawAlloc(bytes int) (uint64, error) {
	var p C.CUdeviceptr
	if err := c.check("cuMemAlloc_v2", C.fp_mem_alloc(c.rt.drv, c.ctx, &p, C.size_t(bytes))); err != nil {
		return 0, err
	}
	return uint64(p), nil
}

func (c *Context) rawFree(ptr uint64) error {
	return c.check("cuMemFree_v2", C.fp_mem_free(c.rt.drv, c.ctx, C.CUdeviceptr(ptr)))
}

// Alloc returns device memory for n float32 values, from the context's
// cache when a freed block of the same size class is there. The contents
// are undefined. When the device is out of memory, Alloc gives the cached
// blocks back to the driver and tries once more.
func (c *Context) Alloc(n int) (Buffer, error) {
	if err := c.usable(); err != nil {
		return Buffer{}, err
	}
	if n < 0 {
		panic(fmt.Sprintf("cuda: Alloc of %d values", n))
	}
	if n == 0 {
		return Buffer{}, nil
	}
	p, err := c.pool.get(4 * n)
	if err != nil {
		return Buffer{}, fmt.Errorf("cuda: allocate %d floats (%s) on device %d: %w", n, sizeString(int64(4*n)), c.info.Ordinal, err)
	}
	return Buffer{ptr: p, n: n}, nil
}

// Free returns b's memory to the context's cache. Freeing an empty buffer
// does nothing; freeing anything that Alloc did not return (a slice, a
// buffer freed before) is an error.
func (c *Context) Free(b Buffer) error {
	if err := c.usable(); err != nil {
		return err
	}
	if b.n == 0 && b.ptr == 0 {
		return nil
	}
	return c.pool.put(b.ptr)
}

// Upload allocates a buffer and copies src into it.
func (c *Context) Upload(src []float32) (Buffer, error) {
	b, err := c.Alloc(len(src))
	if err != nil {
		return b, err
	}
	if err := c.CopyIn(b, src); err != nil {
		_ = c.Free(b)
		return Buffer{}, err
	}
	return b, nil
}

// CopyIn copies src into the start of dst. It panics if src is longer than
// dst. The copy is queued on the stream after earlier work; src may be
// reused as soon as CopyIn returns (the driver stages pageable memory
// before returning).
func (c *Context) CopyIn(dst Buffer, src []float32) error {
	if err := c.usable(); err != nil {
		return err
	}
	if len(src) > dst.n {
		panic(fmt.Sprintf("cuda: CopyIn of %d values into a buffer of %d", len(src), dst.n))
	}
	if len(src) == 0 {
		return nil
	}
	return c.check("cuMemcpyHtoDAsync_v2", C.fp_htod(c.rt.drv, c.ctx, C.CUdeviceptr(dst.ptr),
		unsafe.Pointer(&src[0]), C.size_t(4*len(src)), c.stream))
}

// CopyOut copies the start of src into dst, after all work queued before
// it, and waits for the copy. It panics if dst is longer than src.
func (c *Context) CopyOut(dst []float32, src Buffer) error {
	if err := c.usable(); err != nil {
		return err
	}
	if len(dst) > src.n {
		panic(fmt.Sprintf("cuda: CopyOut of %d values from a buffer of %d", len(dst), src.n))
	}
	if len(dst) == 0 {
		return nil
	}
	return c.check("cuMemcpyDtoHAsync_v2", C.fp_dtoh(c.rt.drv, c.ctx, unsafe.Pointer(&dst[0]),
		C.CUdeviceptr(src.ptr), C.size_t(4*len(dst)), c.stream))
}

// Copy copies src into the start of dst on the device. It panics if src is
// longer than dst.
func (c *Context) Copy(dst, src Buffer) error {
	if err := c.usable(); err != nil {
		return err
	}
	if src.n > dst.n {
		panic(fmt.Sprintf("cuda: Copy of %d values into a buffer of %d", src.n, dst.n))
	}
	if src.n == 0 {
		return nil
	}
	return c.check("cuMemcpyDtoDAsync_v2", C.fp_dtod(c.rt.drv, c.ctx, C.CUdeviceptr(dst.ptr),
		C.CUdeviceptr(src.ptr), C.size_t(4*src.n), c.stream))
}

// Zero sets every value of b to 0.
func (c *Context) Zero(b Buffer) error {
	if err := c.usable(); err != nil {
		return err
	}
	if b.n == 0 {
		return nil
	}
	return c.check("cuMemsetD32Async", C.fp_memset32(c.rt.drv, c.ctx, C.CUdeviceptr(b.ptr), 0, C.size_t(b.n), c.stream))
}

// MemStats reports the context's allocator counters.
func (c *Context) MemStats() MemStats {
	if c.pool == nil {
		return MemStats{}
	}
	return c.pool.stats
}

// Trim gives every cached (freed) block back to the driver.
func (c *Context) Trim() error {
	if err := c.usable(); err != nil {
		return err
	}
	return c.pool.trim()
}

func sizeString(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}
