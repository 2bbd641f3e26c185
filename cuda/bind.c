// Trampolines from Go to the CUDA libraries' function pointers; see bind.h.
#include <stdlib.h>
#include <string.h>
#include "bind.h"

#define SET_CTX(d, ctx) do { \
	CUresult r_ = (d)->cuCtxSetCurrent(ctx); \
	if (r_ != 0) return r_ + FP_CTX_ERR; \
} while (0)

CUresult fp_ctx_open(const fp_driver *d, CUdevice dev, CUcontext *ctx) {
	CUresult r = d->cuDevicePrimaryCtxRetain(ctx, dev);
	if (r != 0) return r;
	SET_CTX(d, *ctx);
	return 0;
}

CUresult fp_mem_info(const fp_driver *d, CUcontext ctx, size_t *free, size_t *total) {
	SET_CTX(d, ctx);
	return d->cuMemGetInfo(free, total);
}

CUresult fp_mem_alloc(const fp_driver *d, CUcontext ctx, CUdeviceptr *p, size_t bytes) {
	SET_CTX(d, ctx);
	return d->cuMemAlloc(p, bytes);
}

CUresult fp_mem_free(const fp_driver *d, CUcontext ctx, CUdeviceptr p) {
	SET_CTX(d, ctx);
	return d->cuMemFree(p);
}

CUresult fp_htod(const fp_driver *d, CUcontext ctx, CUdeviceptr dst, const void *src, size_t bytes, CUstream s) {
	SET_CTX(d, ctx);
	return d->cuMemcpyHtoDAsync(dst, src, bytes, s);
}

CUresult fp_dtoh(const fp_driver *d, CUcontext ctx, void *dst, CUdeviceptr src, size_t bytes, CUstream s) {
	SET_CTX(d, ctx);
	CUresult r = d->cuMemcpyDtoHAsync(dst, src, bytes, s);
	if (r != 0) return r;
	// The destination may be Go memory: it must be complete before the
	// call returns, whatever the driver does for pageable memory.
	return d->cuStreamSynchronize(s);
}

CUresult fp_dtod(const fp_driver *d, CUcontext ctx, CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream s) {
	SET_CTX(d, ctx);
	return d->cuMemcpyDtoDAsync(dst, src, bytes, s);
}

CUresult fp_memset32(const fp_driver *d, CUcontext ctx, CUdeviceptr dst, unsigned int v, size_t n, CUstream s) {
	SET_CTX(d, ctx);
	return d->cuMemsetD32Async(dst, v, n, s);
}

CUresult fp_stream_create(const fp_driver *d, CUcontext ctx, CUstream *s) {
	SET_CTX(d, ctx);
	return d->cuStreamCreate(s, 0);
}

CUresult fp_stream_destroy(const fp_driver *d, CUcontext ctx, CUstream s) {
	SET_CTX(d, ctx);
	return d->cuStreamDestroy(s);
}

CUresult fp_stream_sync(const fp_driver *d, CUcontext ctx, CUstream s) {
	SET_CTX(d, ctx);
	return d->cuStreamSynchronize(s);
}

CUresult fp_module_load(const fp_driver *d, CUcontext ctx, CUmodule *m, const void *image) {
	SET_CTX(d, ctx);
	return d->cuModuleLoadData(m, image);
}

CUresult fp_module_unload(const fp_driver *d, CUcontext ctx, CUmodule m) {
	SET_CTX(d, ctx);
	return d->cuModuleUnload(m);
}

CUresult fp_module_function(const fp_driver *d, CUcontext ctx, CUfunction *f, CUmodule m, const char *name) {
	SET_CTX(d, ctx);
	return d->cuModuleGetFunction(f, m, name);
}

CUresult fp_launch(const fp_driver *d, CUcontext ctx, CUfunction f,
	unsigned int gx, unsigned int gy, unsigned int gz,
	unsigned int bx, unsigned int by, unsigned int bz,
	unsigned int shared, CUstream s, void **params) {
	SET_CTX(d, ctx);
	return d->cuLaunchKernel(f, gx, gy, gz, bx, by, bz, shared, s, params, NULL);
}

CUresult fp_event_create(const fp_driver *d, CUcontext ctx, CUevent *e) {
	SET_CTX(d, ctx);
	return d->cuEventCreate(e, 0);
}

CUresult fp_event_destroy(const fp_driver *d, CUcontext ctx, CUevent e) {
	SET_CTX(d, ctx);
	return d->cuEventDestroy(e);
}

CUresult fp_event_record(const fp_driver *d, CUcontext ctx, CUevent e, CUstream s) {
	SET_CTX(d, ctx);
	return d->cuEventRecord(e, s);
}

CUresult fp_event_elapsed(const fp_driver *d, CUcontext ctx, float *ms, CUevent start, CUevent end) {
	SET_CTX(d, ctx);
	CUresult r = d->cuEventSynchronize(end);
	if (r != 0) return r;
	return d->cuEventElapsedTime(ms, start, end);
}

// Relaxed capture: calls that are unsafe during a capture are not refused
// on other threads; framepred makes none while capturing.
enum { CAPTURE_MODE_RELAXED = 2 };

CUresult fp_capture_begin(const fp_driver *d, CUcontext ctx, CUstream s) {
	SET_CTX(d, ctx);
	return d->cuStreamBeginCapture(s, CAPTURE_MODE_RELAXED);
}

CUresult fp_capture_end(const fp_driver *d, CUcontext ctx, CUstream s, CUgraph *g) {
	SET_CTX(d, ctx);
	*g = NULL;
	return d->cuStreamEndCapture(s, g);
}

CUresult fp_graph_instantiate(const fp_driver *d, CUcontext ctx, CUgraphExec *e, CUgraph g) {
	SET_CTX(d, ctx);
	return d->cuGraphInstantiate(e, g, 0);
}

CUresult fp_graph_launch(const fp_driver *d, CUcontext ctx, CUgraphExec e, CUstream s) {
	SET_CTX(d, ctx);
	return d->cuGraphLaunch(e, s);
}

CUresult fp_graph_destroy(const fp_driver *d, CUcontext ctx, CUgraphExec e, CUgraph g) {
	SET_CTX(d, ctx);
	CUresult r = 0;
	if (e != NULL) r = d->cuGraphExecDestroy(e);
	if (g != NULL) {
		CUresult r2 = d->cuGraphDestroy(g);
		if (r == 0) r = r2;
	}
	return r;
}

int fp_blas_set_workspace(const fp_driver *d, const fp_blas *b, CUcontext ctx, void *h, CUdeviceptr ws, size_t bytes) {
	SET_CTX(d, ctx);
	return b->cublasSetWorkspace(h, (void *)(size_t)ws, bytes);
}

int fp_blas_set_math_mode(const fp_driver *d, const fp_blas *b, CUcontext ctx, void *h, int mode) {
	SET_CTX(d, ctx);
	return b->cublasSetMathMode(h, mode);
}

int fp_blas_create(const fp_driver *d, const fp_blas *b, CUcontext ctx, CUstream s, void **h, int *stage) {
	*stage = 0;
	CUresult r = d->cuCtxSetCurrent(ctx);
	if (r != 0) return r;
	*stage = 1;
	int st = b->cublasCreate(h);
	if (st != 0) return st;
	*stage = 2;
	st = b->cublasSetStream(*h, s);
	if (st != 0) {
		b->cublasDestroy(*h);
		*h = NULL;
	}
	return st;
}

int fp_blas_destroy(const fp_driver *d, const fp_blas *b, CUcontext ctx, void *h) {
	SET_CTX(d, ctx);
	return b->cublasDestroy(h);
}

// alpha and beta arrive by value and are passed on as pointers to these
// C locals: cuBLAS's default pointer mode reads them from host memory
// during the call.
int fp_sgemm(const fp_driver *d, const fp_blas *b, CUcontext ctx, void *h,
	int transa, int transb, int m, int n, int k,
	float alpha, CUdeviceptr a, int lda, CUdeviceptr bm, int ldb,
	float beta, CUdeviceptr c, int ldc) {
	SET_CTX(d, ctx);
	return b->cublasSgemm(h, transa, transb, m, n, k, &alpha,
		(const float *)(size_t)a, lda, (const float *)(size_t)bm, ldb,
		&beta, (float *)(size_t)c, ldc);
}

int fp_sgemm_strided(const fp_driver *d, const fp_blas *b, CUcontext ctx, void *h,
	int transa, int transb, int m, int n, int k,
	float alpha, CUdeviceptr a, int lda, long long sa,
	CUdeviceptr bm, int ldb, long long sb,
	float beta, CUdeviceptr c, int ldc, long long sc, int batch) {
	SET_CTX(d, ctx);
	return b->cublasSgemmStridedBatched(h, transa, transb, m, n, k, &alpha,
		(const float *)(size_t)a, lda, sa, (const float *)(size_t)bm, ldb, sb,
		&beta, (float *)(size_t)c, ldc, sc, batch);
}

int fp_nvrtc_compile(const fp_nvrtc *n, const char *src, const char *name,
	int nopt, const char *const *opts, int cubin,
	char **image, size_t *imageLen, char **log, int *stage) {
	void *prog = NULL;
	size_t size = 0;
	*image = NULL;
	*imageLen = 0;
	*log = NULL;
	*stage = 1;
	int r = n->nvrtcCreateProgram(&prog, src, name, 0, NULL, NULL);
	if (r != 0) return r;
	*stage = 2;
	int rc = n->nvrtcCompileProgram(prog, nopt, opts);
	// The log is wanted whether or not the compile worked: it holds the
	// errors, or warnings.
	*stage = 3;
	r = n->nvrtcGetProgramLogSize(prog, &size);
	if (r == 0 && size > 1) {
		*log = malloc(size);
		*stage = 4;
		if (*log == NULL) r = 1; // NVRTC_ERROR_OUT_OF_MEMORY
		else r = n->nvrtcGetProgramLog(prog, *log);
	}
	if (rc != 0) {
		*stage = 2;
		r = rc;
	}
	if (r == 0) {
		*stage = 5;
		r = cubin ? n->nvrtcGetCUBINSize(prog, &size) : n->nvrtcGetPTXSize(prog, &size);
	}
	if (r == 0) {
		*stage = 6;
		*image = malloc(size ? size : 1);
		if (*image == NULL) r = 1;
		else r = cubin ? n->nvrtcGetCUBIN(prog, *image) : n->nvrtcGetPTX(prog, *image);
		if (r == 0) *imageLen = size;
	}
	n->nvrtcDestroyProgram(&prog);
	return r;
}

int fp_nvrtc_archs(const fp_nvrtc *n, int *archs, int cap, int *count) {
	*count = 0;
	if (n->nvrtcGetNumSupportedArchs == NULL || n->nvrtcGetSupportedArchs == NULL) return 0;
	int num = 0;
	int r = n->nvrtcGetNumSupportedArchs(&num);
	if (r != 0) return r;
	if (num > cap) return 3; // NVRTC_ERROR_INVALID_INPUT: more than framepred expects
	r = n->nvrtcGetSupportedArchs(archs);
	if (r == 0) *count = num;
	return r;
}

CUresult fp_error_name(const fp_driver *d, CUresult err, const char **s) { return d->cuGetErrorName(err, s); }
CUresult fp_error_string(const fp_driver *d, CUresult err, const char **s) { return d->cuGetErrorString(err, s); }
const char *fp_blas_status_string(const fp_blas *b, int status) { return b->cublasGetStatusString(status); }
const char *fp_nvrtc_error_string(const fp_nvrtc *n, int result) { return n->nvrtcGetErrorString(result); }
CUresult fp_init(const fp_driver *d) { return d->cuInit(0); }
CUresult fp_driver_version(const fp_driver *d, int *v) { return d->cuDriverGetVersion(v); }
CUresult fp_device_count(const fp_driver *d, int *n) { return d->cuDeviceGetCount(n); }
CUresult fp_device_get(const fp_driver *d, CUdevice *dev, int ordinal) { return d->cuDeviceGet(dev, ordinal); }
CUresult fp_device_name(const fp_driver *d, char *name, int len, CUdevice dev) { return d->cuDeviceGetName(name, len, dev); }
CUresult fp_device_attr(const fp_driver *d, int *v, int attr, CUdevice dev) { return d->cuDeviceGetAttribute(v, attr, dev); }
CUresult fp_device_total_mem(const fp_driver *d, size_t *bytes, CUdevice dev) { return d->cuDeviceTotalMem(bytes, dev); }
CUresult fp_ctx_release(const fp_driver *d, CUdevice dev) { return d->cuDevicePrimaryCtxRelease(dev); }
int fp_blas_property(const fp_blas *b, int type, int *v) { return b->cublasGetProperty(type, v); }
int fp_nvrtc_version(const fp_nvrtc *n, int *major, int *minor) { return n->nvrtcVersion(major, minor); }
