package cuda

import (
	"bytes"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// realNVRTC loads the NVRTC installed on this machine, or skips: CI has
// none, and then the kernel sources are only compiled on a GPU machine.
// On Debian 12, `apt-get install libnvrtc11.2` (non-free) provides one
// that works without a GPU.
func realNVRTC(t *testing.T) *NVRTC {
	t.Helper()
	n, err := LoadNVRTC(DefaultConfig())
	if errors.Is(err, ErrNoNVRTC) && !onGPU {
		t.Skipf("skipped, kernel sources not compiled: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	major, minor := n.Version()
	t.Logf("NVRTC %d.%d from %s, architectures %v", major, minor, n.Path(), n.Archs())
	return n
}

var kernelDecl = regexp.MustCompile(`extern "C" __global__ void (\w+)\(`)

// TestKernelSourcesCompile compiles every kernel source with the real
// NVRTC: to a cubin for an H200 (sm_90) and to PTX for the oldest
// architecture CUDA 13 supports (compute_75), and checks that each kernel
// is there under its own, unmangled name.
func TestKernelSourcesCompile(t *testing.T) {
	n := realNVRTC(t)
	var all []string
	for name, src := range kernelSources {
		kernels := kernelDecl.FindAllStringSubmatch(src, -1)
		if len(kernels) == 0 {
			t.Errorf("%s declares no kernel", name)
		}
		for _, target := range []int{90, 75} {
			tg, err := n.TargetFor(target)
			if err != nil {
				t.Fatal(err)
			}
			if target == 75 {
				tg = Target{CC: 75}
			}
			img, err := n.Compile(name, src, tg)
			if err != nil {
				t.Fatalf("%s for %v: %v", name, tg, err)
			}
			if img.Log != "" {
				t.Errorf("%s for %v: compiler messages:\n%s", name, tg, img.Log)
			}
			if tg.Cubin {
				if !bytes.HasPrefix(img.Data, []byte("\x7fELF")) {
					t.Errorf("%s for %v: the cubin is not an ELF file", name, tg)
				}
				for _, k := range kernels {
					if !bytes.Contains(img.Data, []byte(k[1]+"\x00")) {
						t.Errorf("%s for %v: the cubin has no symbol %s", name, tg, k[1])
					}
				}
				continue
			}
			ptx := string(img.Data)
			if !strings.HasSuffix(ptx, "\x00") || !strings.Contains(ptx, ".target sm_75") {
				t.Errorf("%s for %v: not NUL-terminated PTX for sm_75", name, tg)
			}
			for _, k := range kernels {
				if !strings.Contains(ptx, ".entry "+k[1]+"(") {
					t.Errorf("%s: PTX has no entry %s", name, k[1])
				}
			}
		}
		for _, k := range kernels {
			all = append(all, k[1])
		}
	}
	for _, k := range []string{kFill, kAxpy, kLeakyReLU, kLeakyReLUGrad} {
		if !slices.Contains(all, k) {
			t.Errorf("kernel %s is used but no source declares it", k)
		}
	}
}

func TestNVRTCCompileError(t *testing.T) {
	n := realNVRTC(t)
	_, err := n.Compile("broken.cu", "extern \"C\" __global__ void k(float *x) { x[0] = undefined_name; }\n", Target{CC: 75})
	var ce *CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a CompileError", err)
	}
	if ce.Err.Name != "NVRTC_ERROR_COMPILATION" || !strings.Contains(ce.Log, "undefined_name") || !strings.Contains(ce.Log, "broken.cu") {
		t.Errorf("CompileError %q with log %q", ce.Err.Name, ce.Log)
	}
	t.Logf("%v", err)
}
