package cuda

/*
#include "bind.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// Context is framepred's working state on one device: the device's primary
// CUDA context, one stream that orders all its work, a cuBLAS handle on
// that stream, the compiled kernel modules and a caching allocator.
//
// Calls on the stream are asynchronous: a method returns once the work is
// queued, and a kernel's failure may surface in a later call. [Context.CopyOut]
// and [Context.Synchronize] wait for everything queued before them.
//
// A Context is not safe for concurrent use; use one per goroutine (they
// may share a device). Every call makes the context current on the calling
// thread itself, so callers need not lock goroutines to threads.
type Context struct {
	rt      *Runtime
	info    DeviceInfo
	dev     C.CUdevice
	ctx     C.CUcontext
	stream  C.CUstream
	blas    unsafe.Pointer
	target  Target
	modules map[[32]byte]*Module
	kernels *Module // elementwiseSource
	nn      *Module // nnSource
	pool    *pool
	blasWS  uint64 // cuBLAS's workspace for graph capture, once one is made
	closed  bool
}

// Open starts work on the device with the given ordinal. It retains the
// device's primary context (the one the CUDA runtime and other libraries
// share) rather than creating a context, which also sidesteps
// cuCtxCreate's change of signature in CUDA 13.
func (r *Runtime) Open(ordinal int) (c *Context, err error) {
	info, err := r.Device(ordinal)
	if err != nil {
		return nil, err
	}
	target, err := r.nvrtc.TargetFor(info.CC())
	if err != nil {
		return nil, err
	}
	dev, err := r.cuDevice(ordinal)
	if err != nil {
		return nil, err
	}
	c = &Context{rt: r, info: info, dev: dev, target: target, modules: map[[32]byte]*Module{}}
	if res := C.fp_ctx_open(r.drv, dev, &c.ctx); res != 0 {
		if res >= ctxErr { // retained, but it could not be made current
			C.fp_ctx_release(r.drv, dev)
		}
		return nil, driverError(r.drv, "cuDevicePrimaryCtxRetain", int(res))
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Close())
		}
	}()
	if res := C.fp_stream_create(r.drv, c.ctx, &c.stream); res != 0 {
		return c, driverError(r.drv, "cuStreamCreate", int(res))
	}
	var stage C.int
	if st := C.fp_blas_create(r.drv, r.blas, c.ctx, c.stream, &c.blas, &stage); st != 0 {
		if stage == 0 {
			return c, driverError(r.drv, "cuCtxSetCurrent", int(st))
		}
		return c, blasError(r.blas, [...]string{"", "cublasCreate_v2", "cublasSetStream_v2"}[stage], int(st))
	}
	c.pool = newPool(c.rawAlloc, c.rawFree)
	return c, nil
}

// Device describes the context's device.
func (c *Context) Device() DeviceInfo { return c.info }

// Target is what kernels are compiled to for this device.
func (c *Context) Target() Target { return c.target }

// Runtime is the runtime the context came from.
func (c *Context) Runtime() *Runtime { return c.rt }

func (c *Context) check(call string, res C.CUresult) error {
	if res == 0 {
		return nil
	}
	return driverError(c.rt.drv, call, int(res))
}

func (c *Context) usable() error {
	if c.closed {
		return errors.New("cuda: context is closed")
	}
	return nil
}

// Synchronize waits until all work queued on the context's stream is done,
// and reports the first failure of that work.
func (c *Context) Synchronize() error {
	if err := c.usable(); err != nil {
		return err
	}
	return c.check("cuStreamSynchronize", C.fp_stream_sync(c.rt.drv, c.ctx, c.stream))
}

// MemInfo reports the device's free and total memory in bytes, as the
// driver sees it (all processes included).
func (c *Context) MemInfo() (free, total uint64, err error) {
	if err := c.usable(); err != nil {
		return 0, 0, err
	}
	var f, t C.size_t
	if err := c.check("cuMemGetInfo_v2", C.fp_mem_info(c.rt.drv, c.ctx, &f, &t)); err != nil {
		return 0, 0, err
	}
	return uint64(f), uint64(t), nil
}

// Close waits for queued work, then releases everything the context holds:
// modules, device memory (cached and still in use), the cuBLAS handle, the
// stream and the reference to the primary context. It reports every
// failure; a second Close does nothing.
func (c *Context) Close() error {
	if c.closed || c.ctx == nil {
		return nil
	}
	var errs []error
	d := c.rt.drv
	if c.stream != nil {
		errs = append(errs, c.check("cuStreamSynchronize", C.fp_stream_sync(d, c.ctx, c.stream)))
	}
	for _, m := range c.modules {
		errs = append(errs, c.check("cuModuleUnload", C.fp_module_unload(d, c.ctx, m.mod)))
	}
	c.modules, c.kernels, c.nn = nil, nil, nil
	if c.pool != nil {
		errs = append(errs, c.pool.releaseAll())
	}
	if c.blas != nil {
		if st := C.fp_blas_destroy(d, c.rt.blas, c.ctx, c.blas); st != 0 {
			if st >= ctxErr {
				errs = append(errs, driverError(d, "cuCtxSetCurrent", int(st)))
			} else {
				errs = append(errs, blasError(c.rt.blas, "cublasDestroy_v2", int(st)))
			}
		}
	}
	if c.blasWS != 0 {
		errs = append(errs, c.rawFree(c.blasWS))
		c.blasWS = 0
	}
	if c.stream != nil {
		errs = append(errs, c.check("cuStreamDestroy_v2", C.fp_stream_destroy(d, c.ctx, c.stream)))
	}
	errs = append(errs, c.check("cuDevicePrimaryCtxRelease_v2", C.fp_ctx_release(d, c.dev)))
	c.closed = true
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cuda: close context on device %d: %w", c.info.Ordinal, err)
	}
	return nil
}
