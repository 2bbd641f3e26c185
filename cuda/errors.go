package cuda

/*
#include "bind.h"
*/
import "C"

import (
	"errors"
	"fmt"
)

// Sentinels for the ways a machine can lack what framepred's GPU path
// needs; errors from [Load] wrap one of them, for errors.Is.
var (
	ErrNoDriver = errors.New("cuda: no usable NVIDIA driver")
	ErrNoDevice = errors.New("cuda: no CUDA device")
	ErrNoBLAS   = errors.New("cuda: no usable cuBLAS")
	ErrNoNVRTC  = errors.New("cuda: no usable NVRTC")
	// ErrOutOfMemory matches an [*Error] that reports an allocation failure
	// in the driver, cuBLAS or NVRTC.
	ErrOutOfMemory = errors.New("cuda: out of memory")
)

// loadError is a load failure: a complete message for the user, the
// sentinel it belongs to and, when there is one, the underlying error.
type loadError struct {
	msg  string
	kind error
	err  error
}

func (e *loadError) Error() string { return e.msg }

func (e *loadError) Unwrap() []error {
	if e.err == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.err}
}

// Library names an API whose calls can fail with an [*Error].
type Library string

const (
	Driver Library = "driver"
	BLAS   Library = "cuBLAS"
	RTC    Library = "NVRTC"
)

// Error is a failed call into the CUDA driver, cuBLAS or NVRTC.
type Error struct {
	Lib  Library
	Call string // the library function, e.g. "cuMemAlloc_v2"
	Code int    // the library's status code
	Name string // the code's symbolic name, e.g. "CUDA_ERROR_OUT_OF_MEMORY"
	Desc string // the library's description, when it gives one
	Hint string // what framepred suggests, when it knows
}

func (e *Error) Error() string {
	s := fmt.Sprintf("cuda: %s: %s", e.Call, e.Name)
	if e.Desc != "" && e.Desc != e.Name {
		s += " (" + e.Desc + ")"
	}
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// Is makes errors.Is(err, ErrOutOfMemory) true for allocation failures.
func (e *Error) Is(target error) bool {
	if target != ErrOutOfMemory {
		return false
	}
	switch e.Lib {
	case Driver:
		return e.Code == cudaErrorOutOfMemory
	case BLAS:
		return e.Code == cublasStatusAllocFailed
	case RTC:
		return e.Code == nvrtcErrorOutOfMemory
	}
	return false
}

// Status codes framepred reacts to, from cuda.h, cublas_api.h and nvrtc.h.
const (
	cudaErrorOutOfMemory        = 2
	cudaErrorInsufficientDriver = 35
	cudaErrorNoDevice           = 100
	cudaErrorNoBinaryForGPU     = 209
	cudaErrorInvalidPTX         = 218
	cudaErrorUnsupportedPTX     = 222
	cublasStatusAllocFailed     = 3
	nvrtcErrorOutOfMemory       = 1
)

// cublasStatusNames are cublasStatus_t's names (cublas_api.h), for cuBLAS
// versions without cublasGetStatusString.
var cublasStatusNames = map[int]string{
	0: "CUBLAS_STATUS_SUCCESS", 1: "CUBLAS_STATUS_NOT_INITIALIZED", 3: "CUBLAS_STATUS_ALLOC_FAILED",
	7: "CUBLAS_STATUS_INVALID_VALUE", 8: "CUBLAS_STATUS_ARCH_MISMATCH", 11: "CUBLAS_STATUS_MAPPING_ERROR",
	13: "CUBLAS_STATUS_EXECUTION_FAILED", 14: "CUBLAS_STATUS_INTERNAL_ERROR", 15: "CUBLAS_STATUS_NOT_SUPPORTED",
	16: "CUBLAS_STATUS_LICENSE_ERROR",
}

// ctxErr marks a helper's result as the failure of cuCtxSetCurrent.
const ctxErr = C.FP_CTX_ERR

// driverError describes a failed driver call, asking the driver for the
// code's name and description.
func driverError(d *C.fp_driver, call string, code int) *Error {
	if code >= ctxErr {
		call, code = "cuCtxSetCurrent", code-ctxErr
	}
	e := &Error{Lib: Driver, Call: call, Code: code, Name: fmt.Sprintf("CUresult %d", code)}
	if d != nil {
		var s *C.char
		if d.cuGetErrorName != nil && C.fp_error_name(d, C.CUresult(code), &s) == 0 && s != nil {
			e.Name = C.GoString(s)
		}
		s = nil
		if d.cuGetErrorString != nil && C.fp_error_string(d, C.CUresult(code), &s) == 0 && s != nil {
			e.Desc = C.GoString(s)
		}
	}
	switch code {
	case cudaErrorUnsupportedPTX, cudaErrorInvalidPTX:
		e.Hint = "the NVRTC in use is newer than the driver: update the driver or point FRAMEPRED_CUDA_LIBS at an NVRTC no newer than it"
	case cudaErrorNoBinaryForGPU:
		e.Hint = "the kernel was compiled for another GPU architecture"
	case cudaErrorInsufficientDriver:
		e.Hint = "the NVIDIA driver is older than the CUDA libraries"
	}
	return e
}

// blasError describes a failed cuBLAS call.
func blasError(b *C.fp_blas, call string, code int) *Error {
	e := &Error{Lib: BLAS, Call: call, Code: code, Name: cublasStatusNames[code]}
	if e.Name == "" {
		e.Name = fmt.Sprintf("cublasStatus_t %d", code)
	}
	if b != nil && b.cublasGetStatusString != nil {
		if s := C.fp_blas_status_string(b, C.int(code)); s != nil {
			e.Desc = C.GoString(s)
		}
	}
	return e
}

// rtcError describes a failed NVRTC call.
func rtcError(n *C.fp_nvrtc, call string, code int) *Error {
	e := &Error{Lib: RTC, Call: call, Code: code, Name: fmt.Sprintf("nvrtcResult %d", code)}
	if n != nil && n.nvrtcGetErrorString != nil {
		if s := C.fp_nvrtc_error_string(n, C.int(code)); s != nil {
			e.Name = C.GoString(s)
		}
	}
	return e
}

// DeviceRangeError reports a device ordinal beyond the devices present.
type DeviceRangeError struct {
	Requested, Present int
}

func (e *DeviceRangeError) Error() string {
	if e.Requested < 0 {
		return fmt.Sprintf("cuda: device %d requested: ordinals start at 0", e.Requested)
	}
	return fmt.Sprintf("cuda: device %d requested but only %d present", e.Requested, e.Present)
}
