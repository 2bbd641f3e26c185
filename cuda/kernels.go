package cuda

// elementwiseName labels elementwiseSource in compiler messages.
const elementwiseName = "framepred_elementwise.cu"

// elementwiseSource holds framepred's elementwise kernels, compiled at run
// time by NVRTC for the device at hand. Each walks its range with a
// grid-stride loop, so any grid covers any length, and indexes with 64-bit
// integers, so lengths past 2³¹ work. The activation kernels follow
// framepred/ops: LeakyReLU is x < 0 ? slope·x : x, and its gradient is
// taken from the output, dy where y > 0 and slope·dy elsewhere (at 0 too,
// as PyTorch does).
const elementwiseSource = `
#define FP_FOR(i, n) \
	for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
	     i += (long long)gridDim.x * blockDim.x)

// x[i] = v
extern "C" __global__ void fp_fill(float *x, float v, long long n) {
	FP_FOR(i, n) x[i] = v;
}

// y[i] += a * x[i]
extern "C" __global__ void fp_axpy(float a, const float *x, float *y, long long n) {
	FP_FOR(i, n) y[i] += a * x[i];
}

// y[i] = leaky(x[i]); y may be x
extern "C" __global__ void fp_leaky_relu(const float *x, float *y, float slope, long long n) {
	FP_FOR(i, n) {
		float v = x[i];
		y[i] = v < 0.0f ? v * slope : v;
	}
}

// dx[i] = dy[i] where y[i] > 0, else slope * dy[i]; dx may be dy
extern "C" __global__ void fp_leaky_relu_grad(const float *y, const float *dy, float *dx, float slope, long long n) {
	FP_FOR(i, n) dx[i] = y[i] > 0.0f ? dy[i] : dy[i] * slope;
}
`

// Kernel names in elementwiseSource.
const (
	kFill          = "fp_fill"
	kAxpy          = "fp_axpy"
	kLeakyReLU     = "fp_leaky_relu"
	kLeakyReLUGrad = "fp_leaky_relu_grad"
)

// kernelSources lists every source framepred compiles, for the tests that
// compile them all.
var kernelSources = map[string]string{
	elementwiseName: elementwiseSource,
	nnName:          nnSource,
}

// KernelSources returns every kernel source framepred compiles, by file
// name, for tools that build the sources elsewhere (framepred/cuda/cudatest
// runs them on the CPU).
func KernelSources() map[string]string {
	out := make(map[string]string, len(kernelSources))
	for k, v := range kernelSources {
		out[k] = v
	}
	return out
}
