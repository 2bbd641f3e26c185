package main

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"framepred/cuda"
	"framepred/device"
)

// TestChooseDevice: --device values against a machine with and without a
// GPU, the machine replaced by a fake.
func TestChooseDevice(t *testing.T) {
	gpu := device.ProberFunc(func() ([]cuda.DeviceInfo, error) {
		return []cuda.DeviceInfo{{Ordinal: 0, Name: "Fake GPU"}}, nil
	})
	probed := false
	noGPU := device.ProberFunc(func() ([]cuda.DeviceInfo, error) {
		probed = true
		return nil, errors.New("cuda: libcuda.so.1 not found")
	})
	tests := []struct {
		value  string
		p      device.Prober
		want   string // the choice, or "" for an error
		usage  bool   // the error is a usage error
		errHas string
	}{
		{"auto", gpu, "cuda:0", false, ""},
		{"auto", noGPU, "cpu", false, ""},
		{"cpu", gpu, "cpu", false, ""},
		{" CUDA ", gpu, "cuda:0", false, ""},
		{"cuda:0", gpu, "cuda:0", false, ""},
		{"cuda", noGPU, "", false, "libcuda.so.1 not found"},
		{"cuda:1", gpu, "", false, "cuda:1"},
		{"gpu", gpu, "", true, `"gpu" is not a device`},
		{"cuda:x", gpu, "", true, "device number"},
	}
	for _, tc := range tests {
		var logs bytes.Buffer
		lv := new(slog.LevelVar)
		ch, err := chooseDevice(tc.value, tc.p, newLogger(&console{w: &logs}, lv))
		var ue usageError
		switch {
		case tc.want != "" && (err != nil || ch.String() != tc.want):
			t.Errorf("--device %q: %v, %v; want %s", tc.value, ch, err, tc.want)
		case tc.want != "" && !strings.Contains(logs.String(), "use="+tc.want):
			t.Errorf("--device %q: log %q does not say the choice", tc.value, logs.String())
		case tc.want == "" && (err == nil || !strings.Contains(err.Error(), tc.errHas) || errors.As(err, &ue) != tc.usage):
			t.Errorf("--device %q: error %v (usage error: %v); want one saying %q, usage error %v", tc.value, err, errors.As(err, &ue), tc.errHas, tc.usage)
		}
	}
	probed = false
	if _, err := chooseDevice("cpu", noGPU, slog.New(slog.DiscardHandler)); err != nil || probed {
		t.Errorf("--device cpu: error %v, probed the GPU %v; want neither", err, probed)
	}
}

// TestDeviceFlag: the flag defaults to auto and is read from
// FRAMEPRED_DEVICE, like every flag.
func TestDeviceFlag(t *testing.T) {
	f := deviceFlag()
	if f.Names()[0] != "device" || f.(interface{ GetValue() string }).GetValue() != "auto" ||
		f.(interface{ GetEnvVars() []string }).GetEnvVars()[0] != "FRAMEPRED_DEVICE" {
		t.Errorf("--device flag: %v", f)
	}
	if machineDevices() == nil {
		t.Error("no prober for this machine")
	}
}
