package device

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"framepred/cuda"
)

// Kind is a kind of compute device.
type Kind int

const (
	CPU Kind = iota
	CUDA
)

func (k Kind) String() string {
	if k == CUDA {
		return "cuda"
	}
	return "cpu"
}

// Spec is a parsed --device value.
type Spec struct {
	Auto    bool // let Resolve choose
	Kind    Kind // when not Auto
	Ordinal int  // the CUDA device, when Kind is CUDA
}

// String gives the value back in the flag's syntax; Parse reads it.
func (s Spec) String() string {
	switch {
	case s.Auto:
		return "auto"
	case s.Kind == CUDA:
		return fmt.Sprintf("cuda:%d", s.Ordinal)
	}
	return "cpu"
}

// Forms lists the accepted --device values, for help texts.
const Forms = "cpu, cuda, cuda:N (N = 0, 1, ...) or auto"

// Parse reads a --device value: cpu, cuda (which is cuda:0), cuda:N or
// auto, ignoring case and surrounding spaces.
func Parse(s string) (Spec, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	switch v {
	case "cpu":
		return Spec{Kind: CPU}, nil
	case "auto":
		return Spec{Auto: true}, nil
	case "cuda":
		return Spec{Kind: CUDA}, nil
	}
	if n, ok := strings.CutPrefix(v, "cuda:"); ok {
		i, err := strconv.Atoi(n)
		if err != nil || i < 0 || n != strconv.Itoa(i) {
			return Spec{}, fmt.Errorf("device: %q: after cuda: comes the device number, 0 or more", s)
		}
		return Spec{Kind: CUDA, Ordinal: i}, nil
	}
	return Spec{}, fmt.Errorf("device: %q is not a device; want %s", s, Forms)
}

// Prober finds the usable CUDA devices.
type Prober interface {
	// Probe lists the CUDA devices framepred can use, or says why there
	// are none.
	Probe() ([]cuda.DeviceInfo, error)
}

// ProberFunc makes a function a Prober.
type ProberFunc func() ([]cuda.DeviceInfo, error)

// Probe calls f.
func (f ProberFunc) Probe() ([]cuda.DeviceInfo, error) { return f() }

// CUDAProber is the Prober that loads the CUDA libraries as cfg says (see
// cuda.DefaultConfig) and lists the devices.
func CUDAProber(cfg cuda.Config) Prober {
	return ProberFunc(func() ([]cuda.DeviceInfo, error) {
		rt, err := cuda.LoadWith(cfg)
		if err != nil {
			return nil, err
		}
		return rt.Devices()
	})
}

// Choice is where to compute.
type Choice struct {
	Kind   Kind
	GPU    cuda.DeviceInfo // the device, when Kind is CUDA
	Reason string          // why, in one line for the log
}

// String names the choice in the flag's syntax: cpu or cuda:N.
func (c Choice) String() string {
	if c.Kind == CUDA {
		return fmt.Sprintf("cuda:%d", c.GPU.Ordinal)
	}
	return "cpu"
}

// Resolve turns a Spec into a Choice. For cpu it probes nothing. For cuda
// and cuda:N it fails, naming what is missing, unless that device is there.
// For auto it takes device 0 when there is one and the CPU otherwise,
// never failing; Reason says which and why.
func Resolve(spec Spec, p Prober) (Choice, error) {
	if !spec.Auto && spec.Kind == CPU {
		return Choice{Kind: CPU, Reason: "--device cpu"}, nil
	}
	devs, err := p.Probe()
	if err == nil && len(devs) == 0 {
		err = errors.New("cuda: no CUDA device")
	}
	if spec.Auto {
		if err != nil {
			return Choice{Kind: CPU, Reason: "--device auto: no usable GPU, using the CPU: " + err.Error()}, nil
		}
		return Choice{Kind: CUDA, GPU: devs[0],
			Reason: fmt.Sprintf("--device auto: using GPU 0 of %d, %v", len(devs), devs[0])}, nil
	}
	if err != nil {
		return Choice{}, fmt.Errorf("device: --device %v: %w", spec, err)
	}
	if spec.Ordinal >= len(devs) {
		return Choice{}, fmt.Errorf("device: --device %v: %w", spec, &cuda.DeviceRangeError{Requested: spec.Ordinal, Present: len(devs)})
	}
	d := devs[spec.Ordinal]
	return Choice{Kind: CUDA, GPU: d, Reason: fmt.Sprintf("--device %v: %v", spec, d)}, nil
}
