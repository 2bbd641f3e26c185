// Package cudatest builds a stand-in for the CUDA driver, cuBLAS and NVRTC
// (src/fakecuda.cc) that runs framepred's own kernel sources on the CPU, so
// that framepred/cuda and the packages built on it can be tested end to
// end on machines without a GPU. Tests call [Build] once, or keep a
// [Shared] that does, and point cuda.LoadWith at the files it returns.
//
// The stand-in keeps device memory in host memory, runs each launch one
// emulated thread after another (a block that synchronises, one coroutine
// per thread meeting at every __syncthreads), does matrix products as
// plain loops and checks arguments as the real libraries do. It is built
// with the C++ compiler ($CXX, else g++) and runs on x86-64 Linux; where
// either is missing, Build says so and tests skip.
package cudatest

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
)

//go:embed src/fakecuda.cc
var source string

// Libs are the paths of the stand-in under the three libraries' names.
type Libs struct {
	Driver, BLAS, NVRTC string
}

// ErrUnavailable is wrapped by Build's errors when the stand-in cannot be
// built on this machine (no C++ compiler, not x86-64 Linux): a reason to
// skip, not a failure.
var ErrUnavailable = errors.New("cudatest: the stand-in CUDA libraries cannot be built here")

// Build compiles the stand-in into dir, with kernels (file name → CUDA C++
// source, every kernel declared extern "C" __global__) as the code it runs,
// and returns its paths.
func Build(dir string, kernels map[string]string) (Libs, error) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		return Libs{}, fmt.Errorf("%w: it runs on linux/amd64 only, this is %s/%s", ErrUnavailable, runtime.GOOS, runtime.GOARCH)
	}
	cxx := os.Getenv("CXX")
	if cxx == "" {
		cxx = "g++"
	}
	if _, err := exec.LookPath(cxx); err != nil {
		return Libs{}, fmt.Errorf("%w: no C++ compiler (%s)", ErrUnavailable, cxx)
	}
	names := make([]string, 0, len(kernels))
	for n := range kernels {
		names = append(names, n)
	}
	sort.Strings(names)
	var inc, table strings.Builder
	for _, n := range names {
		fmt.Fprintf(&inc, "// %s\n%s\n", n, kernels[n])
		for _, k := range Kernels(kernels[n]) {
			sync := 0
			if k.Sync {
				sync = 1
			}
			fmt.Fprintf(&table, "FP_KERNEL(%s, %d)\n", k.Name, sync)
		}
	}
	files := map[string]string{"kernels.inc": inc.String(), "kernel_table.inc": table.String(), "fakecuda.cc": source}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return Libs{}, fmt.Errorf("cudatest: %w", err)
		}
	}
	lib := filepath.Join(dir, "libfakecuda.so")
	cmd := exec.Command(cxx, "-std=c++17", "-Wall", "-Werror", "-Wno-unused-function", "-shared", "-fPIC", "-O2",
		"-I", dir, "-o", lib, filepath.Join(dir, "fakecuda.cc"))
	if out, err := cmd.CombinedOutput(); err != nil {
		return Libs{}, fmt.Errorf("cudatest: build the stand-in CUDA libraries: %v\n%s", err, out)
	}
	l := Libs{
		Driver: filepath.Join(dir, "libcuda.so.1"),
		BLAS:   filepath.Join(dir, "libcublas.so.13"),
		NVRTC:  filepath.Join(dir, "libnvrtc.so.13"),
	}
	for _, p := range []string{l.Driver, l.BLAS, l.NVRTC} {
		if err := os.Symlink(lib, p); err != nil {
			return Libs{}, fmt.Errorf("cudatest: %w", err)
		}
	}
	return l, nil
}

// Kernel is one kernel a source declares.
type Kernel struct {
	Name string
	// Sync is whether it calls __syncthreads, itself or through a
	// __device__ function of the same source.
	Sync bool
}

var funcDecl = regexp.MustCompile(`(?m)^(extern "C" )?(?:static )?(?:__global__|__device__)[^;{()]*?\b(\w+)\(`)

// Kernels lists the kernels of a CUDA source in order, each with whether
// it synchronises its block.
func Kernels(src string) []Kernel {
	type fn struct {
		name   string
		global bool
		body   string
	}
	var fns []fn
	for _, m := range funcDecl.FindAllStringSubmatchIndex(src, -1) {
		name := src[m[4]:m[5]]
		open := strings.IndexByte(src[m[1]:], '{')
		if open < 0 {
			continue
		}
		start := m[1] + open
		depth, end := 0, len(src)
		for i := start; i < len(src); i++ {
			if src[i] == '{' {
				depth++
			} else if src[i] == '}' {
				if depth--; depth == 0 {
					end = i + 1
					break
				}
			}
		}
		fns = append(fns, fn{name: name, global: m[2] >= 0, body: src[start:end]})
	}
	syncs := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, f := range fns {
			if syncs[f.name] {
				continue
			}
			s := strings.Contains(f.body, "__syncthreads")
			for callee := range syncs {
				s = s || regexp.MustCompile(`\b`+regexp.QuoteMeta(callee)+`\s*\(`).MatchString(f.body)
			}
			if s {
				syncs[f.name], changed = true, true
			}
		}
	}
	var out []Kernel
	for _, f := range fns {
		if f.global {
			out = append(out, Kernel{Name: f.name, Sync: syncs[f.name]})
		}
	}
	return out
}
