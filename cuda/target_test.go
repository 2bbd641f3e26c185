package cuda

import (
	"strings"
	"testing"
)

func TestChooseTarget(t *testing.T) {
	cuda13 := []int{75, 80, 86, 87, 89, 90, 100, 103, 110, 120, 121}
	cuda118 := []int{35, 37, 50, 52, 53, 60, 61, 62, 70, 72, 75, 80, 86, 87, 89, 90}
	tests := []struct {
		name      string
		cc        int
		supported []int
		want      string
		err       string
	}{
		{"H200 with NVRTC 13: its own cubin", 90, cuda13, "sm_90", ""},
		{"H200 with NVRTC 11.8: its own cubin", 90, cuda118, "sm_90", ""},
		{"a newer GPU than NVRTC knows: PTX for the newest below", 120, cuda118, "compute_90", ""},
		{"a minor revision NVRTC lacks", 92, cuda13, "compute_90", ""},
		{"unknown list: try the device's cubin", 86, nil, "sm_86", ""},
		{"a GPU older than NVRTC supports", 61, cuda13, "", "supports sm_75 to sm_121 but the device is sm_61"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ChooseTarget(tt.cc, tt.supported)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || got.String() != tt.want {
				t.Fatalf("ChooseTarget(%d) = %v, %v; want %s", tt.cc, got, err, tt.want)
			}
		})
	}
}
