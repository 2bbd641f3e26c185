package cuda

/*
#include <stdlib.h>
#include "bind.h"
*/
import "C"

import (
	"crypto/sha256"
	"fmt"
	"unsafe"
)

// Module is compiled CUDA code loaded into a context.
type Module struct {
	c     *Context
	mod   C.CUmodule
	name  string
	image Image
	funcs map[string]*Function
}

// Function is a kernel in a loaded module.
type Function struct {
	m    *Module
	f    C.CUfunction
	name string
}

// Name is the kernel's name.
func (f *Function) Name() string { return f.name }

// Image is the code the module was loaded from.
func (m *Module) Image() Image { return m.image }

// Compile compiles CUDA C++ source with NVRTC for the context's device and
// loads it. Compiled modules are cached per source text: compiling the same
// source again returns the loaded module, and the runtime keeps the
// compiled code, so other contexts for the same architecture only load it. name labels the source in
// messages; kernels must be declared extern "C" to be found by name.
func (c *Context) Compile(name, src string) (*Module, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	key := sha256.Sum256([]byte(c.target.String() + "\x00" + src))
	if m, ok := c.modules[key]; ok {
		return m, nil
	}
	img, err := c.rt.compile(key, name, src, c.target)
	if err != nil {
		return nil, err
	}
	m, err := c.load(name, img)
	if err != nil {
		return nil, err
	}
	c.modules[key] = m
	return m, nil
}

// load loads a compiled image into the context.
func (c *Context) load(name string, img Image) (*Module, error) {
	if len(img.Data) == 0 {
		return nil, fmt.Errorf("cuda: load %s: empty image", name)
	}
	data := C.CBytes(img.Data) // C memory: the driver reads it during the call
	defer C.free(data)
	m := &Module{c: c, name: name, image: img, funcs: map[string]*Function{}}
	if res := C.fp_module_load(c.rt.drv, c.ctx, &m.mod, data); res != 0 {
		return nil, fmt.Errorf("cuda: load %s (%s): %w", name, img.Target, driverError(c.rt.drv, "cuModuleLoadData", int(res)))
	}
	return m, nil
}

// Function finds a kernel by its (extern "C") name.
func (m *Module) Function(name string) (*Function, error) {
	if f, ok := m.funcs[name]; ok {
		return f, nil
	}
	if err := m.c.usable(); err != nil {
		return nil, err
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	f := &Function{m: m, name: name}
	if res := C.fp_module_function(m.c.rt.drv, m.c.ctx, &f.f, m.mod, cname); res != 0 {
		return nil, fmt.Errorf("cuda: kernel %s in %s: %w", name, m.name, driverError(m.c.rt.drv, "cuModuleGetFunction", int(res)))
	}
	m.funcs[name] = f
	return f, nil
}

// Dim3 is a grid or block shape. Zero Y or Z count as 1.
type Dim3 struct{ X, Y, Z uint32 }

func (d Dim3) norm() Dim3 {
	return Dim3{d.X, max(d.Y, 1), max(d.Z, 1)}
}

// Launch queues kernel f on the context's stream with the given grid and
// block shapes, bytes of dynamic shared memory and arguments (see
// layoutArgs for the types accepted).
func (c *Context) Launch(f *Function, grid, block Dim3, sharedBytes uint32, args ...any) error {
	if err := c.usable(); err != nil {
		return err
	}
	if f.m.c != c {
		return fmt.Errorf("cuda: kernel %s belongs to another context", f.name)
	}
	grid, block = grid.norm(), block.norm()
	if grid.X == 0 || block.X == 0 {
		return fmt.Errorf("cuda: launch %s with grid %v and block %v: every dimension must be at least 1", f.name, grid, block)
	}
	params, err := packArgs(args)
	if err != nil {
		return fmt.Errorf("cuda: launch %s: %w", f.name, err)
	}
	defer freeArgs(params)
	res := C.fp_launch(c.rt.drv, c.ctx, f.f,
		C.uint(grid.X), C.uint(grid.Y), C.uint(grid.Z),
		C.uint(block.X), C.uint(block.Y), C.uint(block.Z),
		C.uint(sharedBytes), c.stream, (*unsafe.Pointer)(params))
	if res != 0 {
		return fmt.Errorf("cuda: launch %s: %w", f.name, driverError(c.rt.drv, "cuLaunchKernel", int(res)))
	}
	return nil
}

// compile returns the image of src for target t, compiling it on first
// request; key identifies (t, src).
func (r *Runtime) compile(key [32]byte, name, src string, t Target) (Image, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if img, ok := r.images[key]; ok {
		return img, nil
	}
	img, err := r.nvrtc.Compile(name, src, t)
	if err != nil {
		return img, err
	}
	if r.images == nil {
		r.images = map[[32]byte]Image{}
	}
	r.images[key] = img
	return img, nil
}
