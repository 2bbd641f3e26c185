package cuda

/*
#include <stdlib.h>
#include "bind.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"framepred/internal/dl"
)

// EnvLibDirs names the environment variable that [DefaultConfig] reads: a
// colon-separated list of folders searched for the CUDA libraries before
// the system's loader path (for cuBLAS and NVRTC installed from Python
// wheels or unpacked into a home folder).
const EnvLibDirs = "FRAMEPRED_CUDA_LIBS"

// Config says where the CUDA libraries are looked for. The zero Config
// searches the system's loader path, then the CUDA toolkit's usual folder.
type Config struct {
	// LibDirs are searched first, in order.
	LibDirs []string
	// Driver, BLAS and NVRTC replace the file names tried for each
	// library; a name with a slash is used as a path. Empty means the
	// defaults: libcuda.so.1; libcublas.so.13, .12, .11 and unversioned;
	// libnvrtc.so.13, .12, .11.2 and unversioned.
	Driver, BLAS, NVRTC []string
}

// DefaultConfig is the zero Config with LibDirs taken from $FRAMEPRED_CUDA_LIBS.
func DefaultConfig() Config {
	var c Config
	for _, d := range filepath.SplitList(os.Getenv(EnvLibDirs)) {
		if d != "" {
			c.LibDirs = append(c.LibDirs, d)
		}
	}
	return c
}

var (
	// Only the versioned driver name: an unversioned libcuda.so on the
	// search path is often the toolkit's link-time stub, which loads but
	// fails every call.
	defaultDriver = []string{"libcuda.so.1"}
	defaultBLAS   = []string{"libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"}
	defaultNVRTC  = []string{"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"}
	toolkitDirs   = []string{"/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib"}
)

// candidates lists where to look for a library: each of dirs with each
// name, then each bare name (the loader's own search), then extra.
func candidates(names, dirs, extra []string) []string {
	var out []string
	for _, d := range dirs {
		for _, n := range names {
			if !strings.Contains(n, "/") {
				out = append(out, filepath.Join(d, n))
			}
		}
	}
	out = append(out, names...)
	for _, d := range extra {
		for _, n := range names {
			if !strings.Contains(n, "/") {
				out = append(out, filepath.Join(d, n))
			}
		}
	}
	return out
}

// openLib opens the first loadable candidate of names, looked for in
// dirs, on the loader's path, then in extra. what names the library in
// messages; kind is the sentinel the error wraps. A library that is
// nowhere gets "not found" and the list of attempts (unless the caller
// gives its own notFound message); one that exists but fails to load
// gets the loader's reasons, which name a missing dependency.
func openLib(names, dirs, extra []string, what, notFound string, kind error) (*dl.Library, error) {
	lib, err := dl.Open(candidates(names, dirs, extra)...)
	if err == nil {
		return lib, nil
	}
	var oe *dl.OpenError
	if !errors.As(err, &oe) {
		return nil, &loadError{msg: fmt.Sprintf("cuda: %s: %v", what, err), kind: kind, err: err}
	}
	if oe.NotFound() {
		if notFound == "" {
			notFound = fmt.Sprintf("cuda: %s not found: tried %s; install it, or set %s to the folder that holds it",
				what, strings.Join(oe.Names(), ", "), EnvLibDirs)
		}
		return nil, &loadError{msg: notFound, kind: kind, err: err}
	}
	var why []string
	for _, a := range oe.Tried {
		if !a.NotFound() {
			why = append(why, a.Err)
		}
	}
	return nil, &loadError{msg: fmt.Sprintf("cuda: %s found but cannot be loaded: %s", what, strings.Join(why, "; ")), kind: kind, err: err}
}

// symbol is one function pointer to fill from a library: the names to try,
// best first, and whether the library may lack it.
type symbol struct {
	slot     **[0]byte
	names    []string
	optional bool
}

// bind fills every slot it can and reports the names used and the
// required functions missing.
func bind(lib *dl.Library, syms []symbol) (used, missing []string) {
	for _, s := range syms {
		found := false
		for _, n := range s.names {
			if p, err := lib.Symbol(n); err == nil {
				*s.slot = (*[0]byte)(p)
				used = append(used, n)
				found = true
				break
			}
		}
		if !found && !s.optional {
			missing = append(missing, s.names[0])
		}
	}
	return used, missing
}

func missingError(lib *dl.Library, what string, missing []string, kind error) error {
	return &loadError{
		msg:  fmt.Sprintf("cuda: %s %s lacks %s (too old for framepred?)", what, lib.Path(), strings.Join(missing, ", ")),
		kind: kind,
	}
}

// cAlloc returns zeroed C memory for one T; the tables of function
// pointers live there, outside Go's heap, for the life of the process.
func cAlloc[T any]() *T {
	var zero T
	return (*T)(C.calloc(1, C.size_t(unsafe.Sizeof(zero))))
}

func driverSymbols(d *C.fp_driver) []symbol {
	return []symbol{
		{&d.cuInit, []string{"cuInit"}, false},
		{&d.cuDriverGetVersion, []string{"cuDriverGetVersion"}, false},
		{&d.cuGetErrorName, []string{"cuGetErrorName"}, false},
		{&d.cuGetErrorString, []string{"cuGetErrorString"}, false},
		{&d.cuDeviceGetCount, []string{"cuDeviceGetCount"}, false},
		{&d.cuDeviceGet, []string{"cuDeviceGet"}, false},
		{&d.cuDeviceGetName, []string{"cuDeviceGetName"}, false},
		{&d.cuDeviceGetAttribute, []string{"cuDeviceGetAttribute"}, false},
		{&d.cuDeviceTotalMem, []string{"cuDeviceTotalMem_v2"}, false},
		{&d.cuDevicePrimaryCtxRetain, []string{"cuDevicePrimaryCtxRetain"}, false},
		{&d.cuDevicePrimaryCtxRelease, []string{"cuDevicePrimaryCtxRelease_v2"}, false},
		{&d.cuCtxSetCurrent, []string{"cuCtxSetCurrent"}, false},
		{&d.cuMemGetInfo, []string{"cuMemGetInfo_v2"}, false},
		{&d.cuMemAlloc, []string{"cuMemAlloc_v2"}, false},
		{&d.cuMemFree, []string{"cuMemFree_v2"}, false},
		{&d.cuMemcpyHtoDAsync, []string{"cuMemcpyHtoDAsync_v2"}, false},
		{&d.cuMemcpyDtoHAsync, []string{"cuMemcpyDtoHAsync_v2"}, false},
		{&d.cuMemcpyDtoDAsync, []string{"cuMemcpyDtoDAsync_v2"}, false},
		{&d.cuMemsetD32Async, []string{"cuMemsetD32Async"}, false},
		{&d.cuModuleLoadData, []string{"cuModuleLoadData"}, false},
		{&d.cuModuleUnload, []string{"cuModuleUnload"}, false},
		{&d.cuModuleGetFunction, []string{"cuModuleGetFunction"}, false},
		{&d.cuLaunchKernel, []string{"cuLaunchKernel"}, false},
		{&d.cuStreamCreate, []string{"cuStreamCreate"}, false},
		{&d.cuStreamDestroy, []string{"cuStreamDestroy_v2"}, false},
		{&d.cuStreamSynchronize, []string{"cuStreamSynchronize"}, false},
		{&d.cuEventCreate, []string{"cuEventCreate"}, false},
		{&d.cuEventDestroy, []string{"cuEventDestroy_v2"}, false},
		{&d.cuEventRecord, []string{"cuEventRecord"}, false},
		{&d.cuEventSynchronize, []string{"cuEventSynchronize"}, false},
		// CUDA 12.8 added the _v2 name, and CUDA 13's header maps the plain
		// name to it; drivers before 12.8 export only the first version.
		{&d.cuEventElapsedTime, []string{"cuEventElapsedTime_v2", "cuEventElapsedTime"}, false},
		{&d.cuStreamBeginCapture, []string{"cuStreamBeginCapture_v2"}, true},
		{&d.cuStreamEndCapture, []string{"cuStreamEndCapture"}, true},
		{&d.cuGraphInstantiate, []string{"cuGraphInstantiateWithFlags"}, true},
		{&d.cuGraphLaunch, []string{"cuGraphLaunch"}, true},
		{&d.cuGraphExecDestroy, []string{"cuGraphExecDestroy"}, true},
		{&d.cuGraphDestroy, []string{"cuGraphDestroy"}, true},
	}
}

func blasSymbols(b *C.fp_blas) []symbol {
	return []symbol{
		{&b.cublasCreate, []string{"cublasCreate_v2"}, false},
		{&b.cublasDestroy, []string{"cublasDestroy_v2"}, false},
		{&b.cublasSetStream, []string{"cublasSetStream_v2"}, false},
		{&b.cublasGetProperty, []string{"cublasGetProperty"}, false},
		{&b.cublasGetStatusString, []string{"cublasGetStatusString"}, true},
		{&b.cublasSgemm, []string{"cublasSgemm_v2"}, false},
		{&b.cublasSgemmStridedBatched, []string{"cublasSgemmStridedBatched"}, false},
		{&b.cublasSetWorkspace, []string{"cublasSetWorkspace_v2"}, true},
		{&b.cublasSetMathMode, []string{"cublasSetMathMode"}, true},
	}
}

func nvrtcSymbols(n *C.fp_nvrtc) []symbol {
	return []symbol{
		{&n.nvrtcVersion, []string{"nvrtcVersion"}, false},
		{&n.nvrtcGetErrorString, []string{"nvrtcGetErrorString"}, false},
		{&n.nvrtcGetNumSupportedArchs, []string{"nvrtcGetNumSupportedArchs"}, true},
		{&n.nvrtcGetSupportedArchs, []string{"nvrtcGetSupportedArchs"}, true},
		{&n.nvrtcCreateProgram, []string{"nvrtcCreateProgram"}, false},
		{&n.nvrtcDestroyProgram, []string{"nvrtcDestroyProgram"}, false},
		{&n.nvrtcCompileProgram, []string{"nvrtcCompileProgram"}, false},
		{&n.nvrtcGetPTXSize, []string{"nvrtcGetPTXSize"}, false},
		{&n.nvrtcGetPTX, []string{"nvrtcGetPTX"}, false},
		{&n.nvrtcGetCUBINSize, []string{"nvrtcGetCUBINSize"}, false},
		{&n.nvrtcGetCUBIN, []string{"nvrtcGetCUBIN"}, false},
		{&n.nvrtcGetProgramLogSize, []string{"nvrtcGetProgramLogSize"}, false},
		{&n.nvrtcGetProgramLog, []string{"nvrtcGetProgramLog"}, false},
	}
}

func orDefault(names, def []string) []string {
	if len(names) > 0 {
		return names
	}
	return def
}
