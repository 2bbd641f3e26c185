package cudatest

import (
	"reflect"
	"testing"
)

// TestKernels finds the kernels of a source and which of them synchronise,
// directly or through device functions.
func TestKernels(t *testing.T) {
	src := `
__device__ float helper(float v) { return v * 2.0f; }

__device__ double block_sum(double v) {
	__shared__ double s[256];
	s[threadIdx.x] = v;
	__syncthreads();
	return s[0];
}

__device__ double outer(double v) { return block_sum(v) + 1.0; }

extern "C" __global__ void plain(float *x, int n) {
	if (threadIdx.x < n) x[threadIdx.x] = helper(x[threadIdx.x]);
}

extern "C" __global__ void direct(float *x) {
	__syncthreads();
}

extern "C" __global__ void nested(double *x) {
	x[0] = outer(x[0]);
}
`
	want := []Kernel{{"plain", false}, {"direct", true}, {"nested", true}}
	if got := Kernels(src); !reflect.DeepEqual(got, want) {
		t.Errorf("Kernels = %+v, want %+v", got, want)
	}
}
