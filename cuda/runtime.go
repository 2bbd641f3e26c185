package cuda

/*
#include "bind.h"
*/
import "C"

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"framepred/internal/dl"
)

// Runtime is the loaded CUDA driver, cuBLAS and NVRTC, with the driver
// initialised and at least one device present. The libraries stay loaded
// for the life of the process, as if the program had been linked with them.
type Runtime struct {
	drv     *C.fp_driver
	blas    *C.fp_blas
	nvrtc   *NVRTC
	libs    []*dl.Library
	used    []string
	version int
	count   int

	mu     sync.Mutex
	images map[[32]byte]Image // compiled kernel sources, by target and source
}

// Load opens the CUDA libraries as [DefaultConfig] says.
func Load() (*Runtime, error) { return LoadWith(DefaultConfig()) }

// LoadWith opens the CUDA driver, cuBLAS and NVRTC, resolves the functions
// framepred calls, initialises the driver and counts the devices. Its
// errors name what is missing (wrapping [ErrNoDriver], [ErrNoDevice],
// [ErrNoBLAS] or [ErrNoNVRTC]) and never panic; the checks run in that
// order, so the most basic lack is the one reported.
func LoadWith(cfg Config) (*Runtime, error) {
	r := &Runtime{}
	drvNames := orDefault(cfg.Driver, defaultDriver)
	what := "driver library " + filepath.Base(drvNames[0])
	lib, err := openLib(drvNames, cfg.LibDirs, nil, what,
		"cuda: "+what+" not found (is the NVIDIA driver installed?)", ErrNoDriver)
	if err != nil {
		return nil, err
	}
	r.drv = cAlloc[C.fp_driver]()
	used, missing := bind(lib, driverSymbols(r.drv))
	if len(missing) > 0 {
		return nil, missingError(lib, "driver library", missing, ErrNoDriver)
	}
	r.libs, r.used = append(r.libs, lib), append(r.used, used...)

	if res := C.fp_init(r.drv); res != 0 {
		e := driverError(r.drv, "cuInit", int(res))
		if e.Code == cudaErrorNoDevice {
			return nil, &loadError{msg: fmt.Sprintf("cuda: no CUDA device (cuInit: %s)", e.Name), kind: ErrNoDevice, err: e}
		}
		return nil, &loadError{msg: e.Error(), kind: ErrNoDriver, err: e}
	}
	var v, n C.int
	if res := C.fp_driver_version(r.drv, &v); res != 0 {
		return nil, driverError(r.drv, "cuDriverGetVersion", int(res))
	}
	r.version = int(v)
	if res := C.fp_device_count(r.drv, &n); res != 0 {
		return nil, driverError(r.drv, "cuDeviceGetCount", int(res))
	}
	if n == 0 {
		return nil, &loadError{msg: "cuda: no CUDA device (cuDeviceGetCount = 0)", kind: ErrNoDevice}
	}
	r.count = int(n)

	names := orDefault(cfg.BLAS, defaultBLAS)
	if lib, err = openLib(names, cfg.LibDirs, toolkitDirs, "cuBLAS ("+pattern(names)+")", "", ErrNoBLAS); err != nil {
		return nil, err
	}
	r.blas = cAlloc[C.fp_blas]()
	if used, missing = bind(lib, blasSymbols(r.blas)); len(missing) > 0 {
		return nil, missingError(lib, "cuBLAS", missing, ErrNoBLAS)
	}
	r.libs, r.used = append(r.libs, lib), append(r.used, used...)

	if r.nvrtc, err = LoadNVRTC(cfg); err != nil {
		return nil, err
	}
	r.libs, r.used = append(r.libs, r.nvrtc.lib), append(r.used, r.nvrtc.used...)
	return r, nil
}

// pattern shows a list of versioned names as one glob, for messages.
func pattern(names []string) string {
	if len(names) == 0 {
		return ""
	}
	base := filepath.Base(names[0])
	if i := strings.Index(base, ".so"); i > 0 {
		return base[:i] + ".so.*"
	}
	return base
}

// DriverVersion is the CUDA version the driver supports, as 1000·major +
// 10·minor (13000 for CUDA 13.0).
func (r *Runtime) DriverVersion() int { return r.version }

// DeviceCount is the number of CUDA devices.
func (r *Runtime) DeviceCount() int { return r.count }

// NVRTC is the runtime compiler.
func (r *Runtime) NVRTC() *NVRTC { return r.nvrtc }

// BLASVersion reports cuBLAS's version.
func (r *Runtime) BLASVersion() (major, minor, patch int, err error) {
	var v [3]C.int
	for i := range v {
		if st := C.fp_blas_property(r.blas, C.int(i), &v[i]); st != 0 {
			return 0, 0, 0, blasError(r.blas, "cublasGetProperty", int(st))
		}
	}
	return int(v[0]), int(v[1]), int(v[2]), nil
}

// Libraries lists the files loaded: driver, cuBLAS, NVRTC.
func (r *Runtime) Libraries() []string {
	out := make([]string, len(r.libs))
	for i, l := range r.libs {
		out[i] = l.Path()
	}
	return out
}

// Symbols lists the library functions resolved, by the names found.
func (r *Runtime) Symbols() []string { return append([]string(nil), r.used...) }

// Device attributes (cuda.h's CUdevice_attribute).
const (
	attrMultiprocessorCount = 16
	attrComputeMajor        = 75
	attrComputeMinor        = 76
)

// DeviceInfo describes one CUDA device.
type DeviceInfo struct {
	Ordinal      int
	Name         string
	Major, Minor int    // compute capability
	Memory       uint64 // bytes
	SMs          int    // streaming multiprocessors
}

// CC is the compute capability as one number, 10·major + minor (90 for 9.0).
func (d DeviceInfo) CC() int { return 10*d.Major + d.Minor }

func (d DeviceInfo) String() string {
	return fmt.Sprintf("%s (sm_%d, %.1f GiB, %d SMs)", d.Name, d.CC(), float64(d.Memory)/(1<<30), d.SMs)
}

// Device describes the device with the given ordinal.
func (r *Runtime) Device(ordinal int) (DeviceInfo, error) {
	if ordinal < 0 || ordinal >= r.count {
		return DeviceInfo{}, &DeviceRangeError{Requested: ordinal, Present: r.count}
	}
	dev, err := r.cuDevice(ordinal)
	if err != nil {
		return DeviceInfo{}, err
	}
	info := DeviceInfo{Ordinal: ordinal}
	var name [256]C.char
	if res := C.fp_device_name(r.drv, &name[0], C.int(len(name)), dev); res != 0 {
		return info, driverError(r.drv, "cuDeviceGetName", int(res))
	}
	info.Name = C.GoString(&name[0])
	for _, a := range []struct {
		attr int
		dst  *int
	}{{attrComputeMajor, &info.Major}, {attrComputeMinor, &info.Minor}, {attrMultiprocessorCount, &info.SMs}} {
		var v C.int
		if res := C.fp_device_attr(r.drv, &v, C.int(a.attr), dev); res != 0 {
			return info, driverError(r.drv, "cuDeviceGetAttribute", int(res))
		}
		*a.dst = int(v)
	}
	var mem C.size_t
	if res := C.fp_device_total_mem(r.drv, &mem, dev); res != 0 {
		return info, driverError(r.drv, "cuDeviceTotalMem_v2", int(res))
	}
	info.Memory = uint64(mem)
	return info, nil
}

// Devices describes every device.
func (r *Runtime) Devices() ([]DeviceInfo, error) {
	out := make([]DeviceInfo, 0, r.count)
	for i := range r.count {
		d, err := r.Device(i)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func (r *Runtime) cuDevice(ordinal int) (C.CUdevice, error) {
	var dev C.CUdevice
	if res := C.fp_device_get(r.drv, &dev, C.int(ordinal)); res != 0 {
		return 0, driverError(r.drv, "cuDeviceGet", int(res))
	}
	return dev, nil
}
