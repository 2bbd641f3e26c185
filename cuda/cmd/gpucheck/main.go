// Command gpucheck checks framepred's GPU backend on a real device: it
// loads the CUDA driver, cuBLAS and NVRTC, describes them and the devices,
// runs framepred's kernels and cuBLAS products against CPU references,
// checks that device memory stays flat over repeated training-like steps,
// and reports GPU time beside the host's launch and copy overhead.
//
//	go build ./cuda/cmd/gpucheck && ./gpucheck [-device cuda:0] [-steps 100] [-small] [-v]
//
// It needs no CUDA toolkit to build. It exits 1 if any check fails or the
// device cannot be used, saying why.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"framepred/cuda"
	"framepred/device"
)

func main() {
	devFlag := flag.String("device", "cuda", "device to check: "+device.Forms)
	steps := flag.Int("steps", 100, "training-like steps for the flat-memory check")
	verbose := flag.Bool("v", false, "list the library functions bound")
	small := flag.Bool("small", false, "small problem sizes, for a quick run")
	flag.Parse()
	sz := fullSizes
	if *small {
		sz = smallSizes
	}
	if err := run(*devFlag, *steps, sz, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "gpucheck:", err)
		os.Exit(1)
	}
}

func run(devFlag string, steps int, sz sizes, verbose bool) error {
	spec, err := device.Parse(devFlag)
	if err != nil {
		return err
	}
	cfg := cuda.DefaultConfig()
	choice, err := device.Resolve(spec, device.CUDAProber(cfg))
	if err != nil {
		return err
	}
	fmt.Println("device:", choice, "-", choice.Reason)
	if choice.Kind != device.CUDA {
		fmt.Println("no GPU to check")
		return nil
	}
	rt, err := cuda.LoadWith(cfg)
	if err != nil {
		return err
	}
	describe(rt, verbose)

	c, err := rt.Open(choice.GPU.Ordinal)
	if err != nil {
		return err
	}
	defer c.Close()
	free, total, err := c.MemInfo()
	if err != nil {
		return err
	}
	fmt.Printf("context: device %d, kernels compiled for %v, %s free of %s\n",
		c.Device().Ordinal, c.Target(), gib(free), gib(total))

	var failed []string
	for _, check := range []struct {
		name string
		run  func(*cuda.Context) error
	}{
		{"elementwise kernels", func(c *cuda.Context) error { return checkElementwise(c, sz) }},
		{"sgemm", func(c *cuda.Context) error { return checkSgemm(c, sz) }},
		{"transfers", func(c *cuda.Context) error { return checkTransfers(c, sz) }},
		{"flat memory", func(c *cuda.Context) error { return checkFlatMemory(c, steps) }},
	} {
		fmt.Printf("\n== %s\n", check.name)
		if err := check.run(c); err != nil {
			fmt.Printf("FAIL %s: %v\n", check.name, err)
			failed = append(failed, check.name)
		}
	}
	if err := c.Close(); err != nil {
		failed = append(failed, "close")
		fmt.Println("FAIL close:", err)
	}
	if len(failed) > 0 {
		return fmt.Errorf("failed: %s", strings.Join(failed, ", "))
	}
	fmt.Println("\ngpucheck: all checks passed")
	return nil
}

func describe(rt *cuda.Runtime, verbose bool) {
	v := rt.DriverVersion()
	fmt.Printf("driver: CUDA %d.%d\n", v/1000, v%1000/10)
	if major, minor, patch, err := rt.BLASVersion(); err == nil {
		fmt.Printf("cuBLAS: %d.%d.%d\n", major, minor, patch)
	} else {
		fmt.Println("cuBLAS version:", err)
	}
	major, minor := rt.NVRTC().Version()
	fmt.Printf("NVRTC: %d.%d, architectures %v\n", major, minor, rt.NVRTC().Archs())
	fmt.Println("libraries:", strings.Join(rt.Libraries(), ", "))
	if verbose {
		fmt.Println("functions:", strings.Join(rt.Symbols(), " "))
	}
	devs, err := rt.Devices()
	if err != nil {
		fmt.Println("devices:", err)
		return
	}
	for _, d := range devs {
		fmt.Printf("device %d: %v\n", d.Ordinal, d)
	}
}

func gib(b uint64) string { return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30)) }
