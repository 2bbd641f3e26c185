package cuda

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadWithoutDriver(t *testing.T) {
	_, err := LoadWith(Config{Driver: []string{"/nonexistent/libcuda.so.1"}})
	if !errors.Is(err, ErrNoDriver) {
		t.Fatalf("err = %v, want ErrNoDriver", err)
	}
	const want = "cuda: driver library libcuda.so.1 not found (is the NVIDIA driver installed?)"
	if err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
}

// TestLoadOnThisMachine loads with the defaults: on a machine without the
// NVIDIA driver (CI) that must be a clear error, never a panic; on a GPU
// machine it must work.
func TestLoadOnThisMachine(t *testing.T) {
	rt, err := Load()
	if onGPU {
		if err != nil {
			t.Fatalf("FRAMEPRED_GPU=1 but Load: %v", err)
		}
		t.Logf("loaded %v, %d device(s)", rt.Libraries(), rt.DeviceCount())
		return
	}
	if err == nil {
		t.Logf("this machine has CUDA: %v", rt.Libraries())
		return
	}
	known := []error{ErrNoDriver, ErrNoDevice, ErrNoBLAS, ErrNoNVRTC}
	if !slices.ContainsFunc(known, func(k error) bool { return errors.Is(err, k) }) || !strings.HasPrefix(err.Error(), "cuda: ") {
		t.Fatalf("Load without CUDA: %v, want an error wrapping one of the package's sentinels", err)
	}
	t.Logf("as expected without a GPU: %v", err)
}

func TestLoadLibraryWithoutSymbols(t *testing.T) {
	// libm loads but has none of the driver's functions.
	_, err := LoadWith(Config{Driver: []string{"libm.so.6"}})
	if !errors.Is(err, ErrNoDriver) || !strings.Contains(err.Error(), "lacks cuInit, cuDriverGetVersion") {
		t.Fatalf("err = %v, want ErrNoDriver naming the missing functions", err)
	}
}

func TestLoadFailures(t *testing.T) {
	dir := fakeDir(t)
	absent := func(name string) []string { return []string{filepath.Join(dir, name)} }
	tests := []struct {
		name  string
		env   map[string]string
		cfg   func(*Config)
		kind  error
		exact string // the whole message, or
		parts []string
	}{
		{name: "cuInit finds no device", env: map[string]string{"FAKECUDA_INIT_ERR": "100"},
			kind: ErrNoDevice, exact: "cuda: no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE)"},
		{name: "no device counted", env: map[string]string{"FAKECUDA_DEVICES": "0"},
			kind: ErrNoDevice, exact: "cuda: no CUDA device (cuDeviceGetCount = 0)"},
		{name: "cuInit fails otherwise", env: map[string]string{"FAKECUDA_INIT_ERR": "3"},
			kind: ErrNoDriver, exact: "cuda: cuInit: CUDA_ERROR_NOT_INITIALIZED"},
		{name: "no cuBLAS", cfg: func(c *Config) { c.BLAS = absent("libcublas.so.99") },
			kind: ErrNoBLAS, parts: []string{"cuda: cuBLAS (libcublas.so.*) not found: tried ", "libcublas.so.99", EnvLibDirs}},
		{name: "no NVRTC", cfg: func(c *Config) { c.NVRTC = absent("libnvrtc.so.99") },
			kind: ErrNoNVRTC, parts: []string{"cuda: NVRTC (libnvrtc.so.*) not found: tried ", "libnvrtc.so.99", EnvLibDirs}},
		{name: "cuBLAS without its functions", cfg: func(c *Config) { c.BLAS = []string{"libm.so.6"} },
			kind: ErrNoBLAS, parts: []string{"cuda: cuBLAS ", "lacks cublasCreate_v2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			cfg := fakeConfig(t)
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			_, err := LoadWith(cfg)
			if !errors.Is(err, tt.kind) {
				t.Fatalf("err = %v, want one wrapping %v", err, tt.kind)
			}
			if tt.exact != "" && err.Error() != tt.exact {
				t.Errorf("message %q, want %q", err, tt.exact)
			}
			for _, p := range tt.parts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("message %q lacks %q", err, p)
				}
			}
		})
	}
}

func TestOpenDeviceOutOfRange(t *testing.T) {
	rt := testRuntime(t)
	n := rt.DeviceCount()
	for _, ord := range []int{n, n + 2, -1} {
		_, err := rt.Open(ord)
		var re *DeviceRangeError
		if !errors.As(err, &re) {
			t.Fatalf("Open(%d): %v, want a DeviceRangeError", ord, err)
		}
		if ord >= 0 {
			want := fmt.Sprintf("cuda: device %d requested but only %d present", ord, n)
			if err.Error() != want {
				t.Errorf("Open(%d): %q, want %q", ord, err, want)
			}
		}
	}
}

func TestCandidates(t *testing.T) {
	got := candidates([]string{"libx.so.2", "/opt/libx.so", "libx.so"}, []string{"/a", "/b"}, []string{"/usr/local/cuda/lib64"})
	want := []string{
		"/a/libx.so.2", "/a/libx.so", "/b/libx.so.2", "/b/libx.so", // the user's folders first
		"libx.so.2", "/opt/libx.so", "libx.so", // then the loader's search, paths as given
		"/usr/local/cuda/lib64/libx.so.2", "/usr/local/cuda/lib64/libx.so",
	}
	if !slices.Equal(got, want) {
		t.Errorf("candidates:\n got %q\nwant %q", got, want)
	}
}

func TestDefaultConfigReadsEnv(t *testing.T) {
	t.Setenv(EnvLibDirs, "/x/lib::/y/lib")
	if got := DefaultConfig().LibDirs; !slices.Equal(got, []string{"/x/lib", "/y/lib"}) {
		t.Errorf("LibDirs = %q", got)
	}
}

func TestRuntimeInfo(t *testing.T) {
	rt := testRuntime(t)
	if v := rt.DriverVersion(); v < 11000 {
		t.Errorf("DriverVersion = %d", v)
	}
	major, _, _, err := rt.BLASVersion()
	if err != nil || major < 11 {
		t.Errorf("BLASVersion: %d, %v", major, err)
	}
	if libs := rt.Libraries(); len(libs) != 3 {
		t.Errorf("Libraries = %q, want driver, cuBLAS and NVRTC", libs)
	}
	syms := rt.Symbols()
	for _, s := range []string{"cuMemAlloc_v2", "cuLaunchKernel", "cublasSgemm_v2", "nvrtcCompileProgram"} {
		if !slices.Contains(syms, s) {
			t.Errorf("Symbols lacks %s", s)
		}
	}
	devs, err := rt.Devices()
	if err != nil || len(devs) != rt.DeviceCount() {
		t.Fatalf("Devices: %v, %v", devs, err)
	}
	d := devs[0]
	if !onGPU {
		want := DeviceInfo{Ordinal: 0, Name: "Fake CUDA Device 0", Major: 9, Minor: 0, Memory: 256 << 20, SMs: 4}
		if d != want {
			t.Errorf("Device(0) = %+v, want %+v", d, want)
		}
		if s := d.String(); s != "Fake CUDA Device 0 (sm_90, 0.2 GiB, 4 SMs)" {
			t.Errorf("String() = %q", s)
		}
	} else if d.Name == "" || d.CC() < 50 || d.Memory == 0 || d.SMs == 0 {
		t.Errorf("Device(0) = %+v", d)
	}
	t.Logf("%v", d)
}
