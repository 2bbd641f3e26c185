package device

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"framepred/cuda"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Spec
		str  string
	}{
		{"cpu", Spec{Kind: CPU}, "cpu"},
		{"CPU", Spec{Kind: CPU}, "cpu"},
		{"auto", Spec{Auto: true}, "auto"},
		{" cuda ", Spec{Kind: CUDA}, "cuda:0"},
		{"cuda:0", Spec{Kind: CUDA}, "cuda:0"},
		{"cuda:3", Spec{Kind: CUDA, Ordinal: 3}, "cuda:3"},
		{"CUDA:12", Spec{Kind: CUDA, Ordinal: 12}, "cuda:12"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil || got != tt.want || got.String() != tt.str {
			t.Errorf("Parse(%q) = %+v (%q), %v; want %+v (%q)", tt.in, got, got, err, tt.want, tt.str)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{"", "gpu", "cuda:", "cuda:-1", "cuda:x", "cuda:1.5", "cuda:+1", "cuda:01", "cuda:99999999999999999999", "cuda0", "cpu:0", "auto:1"} {
		_, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) succeeded", in)
			continue
		}
		if !strings.HasPrefix(err.Error(), "device: ") || !strings.Contains(err.Error(), fmt.Sprintf("%q", in)) {
			t.Errorf("Parse(%q): %v, want a message quoting the value", in, err)
		}
	}
}

var (
	h200 = cuda.DeviceInfo{Ordinal: 0, Name: "NVIDIA H200", Major: 9, Memory: 150_000_000_000, SMs: 132}
	l4   = cuda.DeviceInfo{Ordinal: 1, Name: "NVIDIA L4", Major: 8, Minor: 9, Memory: 24_000_000_000, SMs: 58}
)

func devices(d ...cuda.DeviceInfo) Prober {
	return ProberFunc(func() ([]cuda.DeviceInfo, error) { return d, nil })
}

func failing(err error) Prober {
	return ProberFunc(func() ([]cuda.DeviceInfo, error) { return nil, err })
}

var errNoDriver = fmt.Errorf("cuda: driver library libcuda.so.1 not found (is the NVIDIA driver installed?): %w", cuda.ErrNoDriver)

func TestResolve(t *testing.T) {
	tests := []struct {
		name   string
		spec   string
		prober Prober
		want   string // the choice, or
		err    string // the error message
		reason string // a part of Reason
	}{
		{"cpu", "cpu", nil, "cpu", "", "--device cpu"},
		{"auto with a GPU", "auto", devices(h200, l4), "cuda:0", "", "using GPU 0 of 2, NVIDIA H200 (sm_90, 139.7 GiB, 132 SMs)"},
		{"auto without a driver", "auto", failing(errNoDriver), "cpu", "",
			"no usable GPU, using the CPU: cuda: driver library libcuda.so.1 not found (is the NVIDIA driver installed?)"},
		{"auto with no device listed", "auto", devices(), "cpu", "", "no CUDA device"},
		{"cuda", "cuda", devices(h200, l4), "cuda:0", "", "NVIDIA H200"},
		{"cuda:1", "cuda:1", devices(h200, l4), "cuda:1", "", "--device cuda:1: NVIDIA L4 (sm_89"},
		{"cuda:3 of 1", "cuda:3", devices(h200), "", "device: --device cuda:3: cuda: device 3 requested but only 1 present", ""},
		{"cuda without a driver", "cuda", failing(errNoDriver), "",
			"device: --device cuda:0: cuda: driver library libcuda.so.1 not found (is the NVIDIA driver installed?)", ""},
		{"cuda:0 with none listed", "cuda:0", devices(), "", "device: --device cuda:0: cuda: no CUDA device", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := Parse(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			p := tt.prober
			if p == nil { // cpu must not probe at all
				p = ProberFunc(func() ([]cuda.DeviceInfo, error) {
					t.Fatal("Resolve probed for --device cpu")
					return nil, nil
				})
			}
			got, err := Resolve(spec, p)
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("Resolve: %v, %v; want the error %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got.String() != tt.want || !strings.Contains(got.Reason, tt.reason) {
				t.Fatalf("Resolve = %v (%q), %v; want %s because of %q", got, got.Reason, err, tt.want, tt.reason)
			}
			if got.Kind == CUDA && got.GPU.Name == "" {
				t.Errorf("a CUDA choice without its device: %+v", got)
			}
		})
	}
}

func TestResolveKeepsTheCause(t *testing.T) {
	spec, _ := Parse("cuda")
	_, err := Resolve(spec, failing(errNoDriver))
	if !errors.Is(err, cuda.ErrNoDriver) {
		t.Errorf("Resolve's error %v does not wrap cuda.ErrNoDriver", err)
	}
	spec, _ = Parse("cuda:2")
	_, err = Resolve(spec, devices(h200))
	var re *cuda.DeviceRangeError
	if !errors.As(err, &re) || re.Requested != 2 || re.Present != 1 {
		t.Errorf("Resolve's error %v is not a DeviceRangeError{2, 1}", err)
	}
}

// TestCUDAProberOnThisMachine probes the real machine: auto must always
// resolve, to the CPU where there is no GPU.
func TestCUDAProberOnThisMachine(t *testing.T) {
	spec, _ := Parse("auto")
	got, err := Resolve(spec, CUDAProber(cuda.DefaultConfig()))
	if err != nil {
		t.Fatalf("auto failed: %v", err)
	}
	t.Logf("this machine: %v (%s)", got, got.Reason)
	if got.Kind == CPU && !strings.Contains(got.Reason, "cuda: ") {
		t.Errorf("auto chose the CPU without saying what is missing: %q", got.Reason)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"cpu", "auto", "cuda", "cuda:0", "cuda:17", "CUDA:1 ", "cuda:-1", "gpu", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(spec.String())
		if err != nil || again != spec {
			t.Fatalf("Parse(%q) = %+v, but its String %q parses to %+v, %v", s, spec, spec.String(), again, err)
		}
	})
}

func ExampleResolve() {
	spec, _ := Parse("auto")
	noDriver := ProberFunc(func() ([]cuda.DeviceInfo, error) {
		return nil, errors.New("cuda: driver library libcuda.so.1 not found (is the NVIDIA driver installed?)")
	})
	choice, _ := Resolve(spec, noDriver)
	fmt.Println(choice)
	fmt.Println(choice.Reason)
	// Output:
	// cpu
	// --device auto: no usable GPU, using the CPU: cuda: driver library libcuda.so.1 not found (is the NVIDIA driver installed?)
}
