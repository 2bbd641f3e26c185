package cuda

/*
#include <stdlib.h>
#include "bind.h"
*/
import "C"

import (
	"fmt"
	"slices"
	"strings"
	"unsafe"

	"framepred/internal/dl"
)

// NVRTC is NVIDIA's runtime compiler of CUDA C++. It needs no GPU: it
// only turns source into PTX or a cubin for a given architecture.
type NVRTC struct {
	fn           *C.fp_nvrtc
	lib          *dl.Library
	used         []string
	major, minor int
	archs        []int
}

// LoadNVRTC opens NVRTC alone, as cfg says; [LoadWith] does it too. Its
// error wraps [ErrNoNVRTC].
func LoadNVRTC(cfg Config) (*NVRTC, error) {
	names := orDefault(cfg.NVRTC, defaultNVRTC)
	lib, err := openLib(names, cfg.LibDirs, toolkitDirs, "NVRTC ("+pattern(names)+")", "", ErrNoNVRTC)
	if err != nil {
		return nil, err
	}
	n := &NVRTC{fn: cAlloc[C.fp_nvrtc](), lib: lib}
	var missing []string
	if n.used, missing = bind(lib, nvrtcSymbols(n.fn)); len(missing) > 0 {
		return nil, missingError(lib, "NVRTC", missing, ErrNoNVRTC)
	}
	var major, minor C.int
	if r := C.fp_nvrtc_version(n.fn, &major, &minor); r != 0 {
		return nil, &loadError{msg: rtcError(n.fn, "nvrtcVersion", int(r)).Error(), kind: ErrNoNVRTC}
	}
	n.major, n.minor = int(major), int(minor)
	var archs [128]C.int
	var count C.int
	if r := C.fp_nvrtc_archs(n.fn, &archs[0], C.int(len(archs)), &count); r != 0 {
		return nil, &loadError{msg: rtcError(n.fn, "nvrtcGetSupportedArchs", int(r)).Error(), kind: ErrNoNVRTC}
	}
	for _, a := range archs[:count] {
		n.archs = append(n.archs, int(a))
	}
	slices.Sort(n.archs)
	return n, nil
}

// Version is NVRTC's CUDA version.
func (n *NVRTC) Version() (major, minor int) { return n.major, n.minor }

// Path is the library file loaded.
func (n *NVRTC) Path() string { return n.lib.Path() }

// Archs lists the real architectures NVRTC can build cubins for, as
// compute capabilities (75 for sm_75), ascending; empty when this NVRTC
// cannot say (before CUDA 11.2).
func (n *NVRTC) Archs() []int { return slices.Clone(n.archs) }

// Target is what a kernel is compiled to: a cubin for one real
// architecture (sm_XY), or PTX for a virtual one (compute_XY) that the
// driver compiles further when it loads the module.
type Target struct {
	CC    int  // compute capability, 10·major + minor
	Cubin bool // sm_XY machine code rather than compute_XY PTX
}

func (t Target) String() string {
	if t.Cubin {
		return fmt.Sprintf("sm_%d", t.CC)
	}
	return fmt.Sprintf("compute_%d", t.CC)
}

// TargetFor picks the target for a device of compute capability cc from
// the architectures this NVRTC supports (see [ChooseTarget]).
func (n *NVRTC) TargetFor(cc int) (Target, error) {
	t, err := ChooseTarget(cc, n.archs)
	if err != nil {
		return t, fmt.Errorf("%w (NVRTC %d.%d)", err, n.major, n.minor)
	}
	return t, nil
}

// ChooseTarget picks the target for a device of compute capability cc,
// given the real architectures a compiler supports (ascending; empty when
// unknown). A cubin for the device's own architecture is preferred: it
// loads without a JIT step, and cubins from a newer CUDA minor release
// still load on an older driver of the same major release, which PTX does
// not. Failing that, PTX for the newest supported architecture not above
// the device's, which the driver compiles on load. With no list, the
// device's own cubin is tried.
func ChooseTarget(cc int, supported []int) (Target, error) {
	if len(supported) == 0 || slices.Contains(supported, cc) {
		return Target{CC: cc, Cubin: true}, nil
	}
	best := 0
	for _, a := range supported {
		if a <= cc {
			best = max(best, a)
		}
	}
	if best == 0 {
		return Target{}, fmt.Errorf("cuda: the compiler supports sm_%d to sm_%d but the device is sm_%d", supported[0], supported[len(supported)-1], cc)
	}
	return Target{CC: best}, nil
}

// Image is compiled code for [Context.Compile]'s module loader.
type Image struct {
	Target Target
	Data   []byte // PTX text ending in NUL, or a cubin
	Log    string // the compiler's messages (warnings), if any
}

// CompileError is a compilation that NVRTC refused; Log says why.
type CompileError struct {
	Name   string
	Target Target
	Err    *Error
	Log    string
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("cuda: compile %s for %s: %s:\n%s", e.Name, e.Target, e.Err.Name, strings.TrimSpace(e.Log))
}

func (e *CompileError) Unwrap() error { return e.Err }

// Compile compiles CUDA C++ source for target t. name labels the source in
// messages. Kernels meant to be found by name must be declared extern "C".
func (n *NVRTC) Compile(name, src string, t Target) (Image, error) {
	opts := []string{"--gpu-architecture=" + t.String()}
	csrc, cname := C.CString(src), C.CString(name)
	defer C.free(unsafe.Pointer(csrc))
	defer C.free(unsafe.Pointer(cname))
	// The option strings and the array of pointers to them go in C memory:
	// cgo forbids passing C a Go array that holds Go pointers.
	copts := (**C.char)(C.calloc(C.size_t(len(opts)), C.size_t(unsafe.Sizeof((*C.char)(nil)))))
	defer C.free(unsafe.Pointer(copts))
	optv := unsafe.Slice(copts, len(opts))
	for i, o := range opts {
		optv[i] = C.CString(o)
		defer C.free(unsafe.Pointer(optv[i]))
	}
	var image, log *C.char
	var imageLen C.size_t
	var stage C.int
	cubin := C.int(0)
	if t.Cubin {
		cubin = 1
	}
	r := C.fp_nvrtc_compile(n.fn, csrc, cname, C.int(len(opts)), copts, cubin, &image, &imageLen, &log, &stage)
	defer C.free(unsafe.Pointer(image))
	defer C.free(unsafe.Pointer(log))
	out := Image{Target: t}
	if log != nil {
		out.Log = strings.TrimRight(C.GoString(log), "\x00\n ")
	}
	if r != 0 {
		calls := []string{"", "nvrtcCreateProgram", "nvrtcCompileProgram", "nvrtcGetProgramLogSize", "nvrtcGetProgramLog", "nvrtcGetPTXSize", "nvrtcGetPTX"}
		call := calls[min(int(stage), len(calls)-1)]
		if t.Cubin && stage >= 5 {
			call = strings.Replace(call, "PTX", "CUBIN", 1)
		}
		e := rtcError(n.fn, call, int(r))
		if stage == 2 {
			return out, &CompileError{Name: name, Target: t, Err: e, Log: out.Log}
		}
		return out, e
	}
	out.Data = C.GoBytes(unsafe.Pointer(image), C.int(imageLen))
	return out, nil
}
