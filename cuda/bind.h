// framepred's own declarations of the few CUDA driver, cuBLAS and NVRTC
// entry points it calls. They are written here, not taken from NVIDIA's
// headers, so the build needs no CUDA toolkit: the libraries are opened at
// run time and every function is reached through a pointer that dlsym
// filled in. The signatures follow cuda.h, cublas_api.h and nvrtc.h of
// CUDA 12 and 13 (64-bit Linux): the _v2 names are the ones those headers
// map the plain names to.
#ifndef FRAMEPRED_CUDA_BIND_H
#define FRAMEPRED_CUDA_BIND_H

#include <stddef.h>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef void *CUcontext;
typedef void *CUmodule;
typedef void *CUfunction;
typedef void *CUstream;
typedef void *CUevent;
typedef void *CUgraph;
typedef void *CUgraphExec;

typedef struct {
	CUresult (*cuInit)(unsigned int flags);
	CUresult (*cuDriverGetVersion)(int *version);
	CUresult (*cuGetErrorName)(CUresult err, const char **name);
	CUresult (*cuGetErrorString)(CUresult err, const char **str);
	CUresult (*cuDeviceGetCount)(int *count);
	CUresult (*cuDeviceGet)(CUdevice *dev, int ordinal);
	CUresult (*cuDeviceGetName)(char *name, int len, CUdevice dev);
	CUresult (*cuDeviceGetAttribute)(int *value, int attrib, CUdevice dev);
	CUresult (*cuDeviceTotalMem)(size_t *bytes, CUdevice dev);                 // _v2
	CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *ctx, CUdevice dev);
	CUresult (*cuDevicePrimaryCtxRelease)(CUdevice dev);                       // _v2
	CUresult (*cuCtxSetCurrent)(CUcontext ctx);
	CUresult (*cuMemGetInfo)(size_t *free, size_t *total);                     // _v2
	CUresult (*cuMemAlloc)(CUdeviceptr *ptr, size_t bytes);                    // _v2
	CUresult (*cuMemFree)(CUdeviceptr ptr);                                    // _v2
	CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr dst, const void *src, size_t bytes, CUstream s); // _v2
	CUresult (*cuMemcpyDtoHAsync)(void *dst, CUdeviceptr src, size_t bytes, CUstream s);       // _v2
	CUresult (*cuMemcpyDtoDAsync)(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream s); // _v2
	CUresult (*cuMemsetD32Async)(CUdeviceptr dst, unsigned int value, size_t n, CUstream s);
	CUresult (*cuModuleLoadData)(CUmodule *mod, const void *image);
	CUresult (*cuModuleUnload)(CUmodule mod);
	CUresult (*cuModuleGetFunction)(CUfunction *f, CUmodule mod, const char *name);
	CUresult (*cuLaunchKernel)(CUfunction f,
		unsigned int gridX, unsigned int gridY, unsigned int gridZ,
		unsigned int blockX, unsigned int blockY, unsigned int blockZ,
		unsigned int sharedBytes, CUstream s, void **params, void **extra);
	CUresult (*cuStreamCreate)(CUstream *s, unsigned int flags);
	CUresult (*cuStreamDestroy)(CUstream s);                                   // _v2
	CUresult (*cuStreamSynchronize)(CUstream s);
	CUresult (*cuEventCreate)(CUevent *e, unsigned int flags);
	CUresult (*cuEventDestroy)(CUevent e);                                     // _v2
	CUresult (*cuEventRecord)(CUevent e, CUstream s);
	CUresult (*cuEventSynchronize)(CUevent e);
	CUresult (*cuEventElapsedTime)(float *ms, CUevent start, CUevent end);     // _v2, else v1
	// CUDA graphs: optional; without them work is launched one call at a time.
	CUresult (*cuStreamBeginCapture)(CUstream s, int mode);                    // _v2
	CUresult (*cuStreamEndCapture)(CUstream s, CUgraph *g);
	CUresult (*cuGraphInstantiate)(CUgraphExec *e, CUgraph g, unsigned long long flags); // WithFlags
	CUresult (*cuGraphLaunch)(CUgraphExec e, CUstream s);
	CUresult (*cuGraphExecDestroy)(CUgraphExec e);
	CUresult (*cuGraphDestroy)(CUgraph g);
} fp_driver;

typedef struct {
	int (*cublasCreate)(void **handle);                                        // _v2
	int (*cublasDestroy)(void *handle);                                        // _v2
	int (*cublasSetStream)(void *handle, CUstream s);                          // _v2
	int (*cublasGetProperty)(int type, int *value);
	const char *(*cublasGetStatusString)(int status);                          // optional
	int (*cublasSgemm)(void *handle, int transa, int transb, int m, int n, int k,
		const float *alpha, const float *a, int lda, const float *b, int ldb,
		const float *beta, float *c, int ldc);                                 // _v2
	int (*cublasSgemmStridedBatched)(void *handle, int transa, int transb, int m, int n, int k,
		const float *alpha, const float *a, int lda, long long strideA,
		const float *b, int ldb, long long strideB,
		const float *beta, float *c, int ldc, long long strideC, int batch);
	int (*cublasSetWorkspace)(void *handle, void *ws, size_t bytes);          // _v2, optional
	int (*cublasSetMathMode)(void *handle, int mode);                         // optional
} fp_blas;

typedef struct {
	int (*nvrtcVersion)(int *major, int *minor);
	const char *(*nvrtcGetErrorString)(int result);
	int (*nvrtcGetNumSupportedArchs)(int *n);                                  // optional
	int (*nvrtcGetSupportedArchs)(int *archs);                                 // optional
	int (*nvrtcCreateProgram)(void **prog, const char *src, const char *name,
		int numHeaders, const char *const *headers, const char *const *includeNames);
	int (*nvrtcDestroyProgram)(void **prog);
	int (*nvrtcCompileProgram)(void *prog, int numOptions, const char *const *options);
	int (*nvrtcGetPTXSize)(void *prog, size_t *size);
	int (*nvrtcGetPTX)(void *prog, char *ptx);
	int (*nvrtcGetCUBINSize)(void *prog, size_t *size);
	int (*nvrtcGetCUBIN)(void *prog, char *cubin);
	int (*nvrtcGetProgramLogSize)(void *prog, size_t *size);
	int (*nvrtcGetProgramLog)(void *prog, char *log);
} fp_nvrtc;

// A helper that makes ctx current before its call returns the result of
// cuCtxSetCurrent plus FP_CTX_ERR when that step fails, so the caller can
// say which call went wrong.
#define FP_CTX_ERR (1 << 20)

// Helpers: each makes the context current on the calling thread, then calls
// the library, inside one C call. A goroutine may move between threads
// from one cgo call to the next, so the context cannot be set once.
CUresult fp_ctx_open(const fp_driver *d, CUdevice dev, CUcontext *ctx);
CUresult fp_mem_info(const fp_driver *d, CUcontext ctx, size_t *free, size_t *total);
CUresult fp_mem_alloc(const fp_driver *d, CUcontext ctx, CUdeviceptr *p, size_t bytes);
CUresult fp_mem_free(const fp_driver *d, CUcontext ctx, CUdeviceptr p);
CUresult fp_htod(const fp_driver *d, CUcontext ctx, CUdeviceptr dst, const void *src, size_t bytes, CUstream s);
CUresult fp_dtoh(const fp_driver *d, CUcontext ctx, void *dst, CUdeviceptr src, size_t bytes, CUstream s);
CUresult fp_dtod(const fp_driver *d, CUcontext ctx, CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream s);
CUresult fp_memset32(const fp_driver *d, CUcontext ctx, CUdeviceptr dst, unsigned int v, size_t n, CUstream s);
CUresult fp_stream_create(const fp_driver *d, CUcontext ctx, CUstream *s);
CUresult fp_stream_destroy(const fp_driver *d, CUcontext ctx, CUstream s);
CUresult fp_stream_sync(const fp_driver *d, CUcontext ctx, CUstream s);
CUresult fp_module_load(const fp_driver *d, CUcontext ctx, CUmodule *m, const void *image);
CUresult fp_module_unload(const fp_driver *d, CUcontext ctx, CUmodule m);
CUresult fp_module_function(const fp_driver *d, CUcontext ctx, CUfunction *f, CUmodule m, const char *name);
CUresult fp_launch(const fp_driver *d, CUcontext ctx, CUfunction f,
	unsigned int gx, unsigned int gy, unsigned int gz,
	unsigned int bx, unsigned int by, unsigned int bz,
	unsigned int shared, CUstream s, void **params);
CUresult fp_event_create(const fp_driver *d, CUcontext ctx, CUevent *e);
CUresult fp_event_destroy(const fp_driver *d, CUcontext ctx, CUevent e);
CUresult fp_event_record(const fp_driver *d, CUcontext ctx, CUevent e, CUstream s);
CUresult fp_event_elapsed(const fp_driver *d, CUcontext ctx, float *ms, CUevent start, CUevent end);

// Graph capture of the stream's work, and replay. fp_capture_end ends a
// capture whatever happened, and destroys a graph it got when *ok is 0.
CUresult fp_capture_begin(const fp_driver *d, CUcontext ctx, CUstream s);
CUresult fp_capture_end(const fp_driver *d, CUcontext ctx, CUstream s, CUgraph *g);
CUresult fp_graph_instantiate(const fp_driver *d, CUcontext ctx, CUgraphExec *e, CUgraph g);
CUresult fp_graph_launch(const fp_driver *d, CUcontext ctx, CUgraphExec e, CUstream s);
CUresult fp_graph_destroy(const fp_driver *d, CUcontext ctx, CUgraphExec e, CUgraph g);
int fp_blas_set_math_mode(const fp_driver *d, const fp_blas *b, CUcontext ctx, void *h, int mode);
int fp_blas_set_workspace(const fp_driver *d, const fp_blas *b, CUcontext ctx, void *h, CUdeviceptr ws, size_t bytes);

// fp_blas_create creates a cuBLAS handle bound to stream s. On failure
// *stage says which call failed: 0 cuCtxSetCurrent, 1 cublasCreate,
// 2 cublasSetStream.
int fp_blas_create(const fp_driver *d, const fp_blas *b, CUcontext ctx, CUstream s, void **h, int *stage);
int fp_blas_destroy(const fp_driver *d, const fp_blas *b, CUcontext ctx, void *h);
int fp_sgemm(const fp_driver *d, const fp_blas *b, CUcontext ctx, void *h,
	int transa, int transb, int m, int n, int k,
	float alpha, CUdeviceptr a, int lda, CUdeviceptr bm, int ldb,
	float beta, CUdeviceptr c, int ldc);
int fp_sgemm_strided(const fp_driver *d, const fp_blas *b, CUcontext ctx, void *h,
	int transa, int transb, int m, int n, int k,
	float alpha, CUdeviceptr a, int lda, long long sa,
	CUdeviceptr bm, int ldb, long long sb,
	float beta, CUdeviceptr c, int ldc, long long sc, int batch);

// fp_nvrtc_compile compiles src and hands back the image (PTX text with its
// NUL, or a cubin) and the compiler's log in malloc'd buffers the caller
// frees. *stage names the failing call: 1 create, 2 compile, 3 log size,
// 4 log, 5 image size, 6 image.
int fp_nvrtc_compile(const fp_nvrtc *n, const char *src, const char *name,
	int nopt, const char *const *opts, int cubin,
	char **image, size_t *imageLen, char **log, int *stage);
int fp_nvrtc_archs(const fp_nvrtc *n, int *archs, int cap, int *count);

// Calls without a context: error strings and library properties.
CUresult fp_error_name(const fp_driver *d, CUresult err, const char **s);
CUresult fp_error_string(const fp_driver *d, CUresult err, const char **s);
const char *fp_blas_status_string(const fp_blas *b, int status);
const char *fp_nvrtc_error_string(const fp_nvrtc *n, int result);
CUresult fp_init(const fp_driver *d);
CUresult fp_driver_version(const fp_driver *d, int *v);
CUresult fp_device_count(const fp_driver *d, int *n);
CUresult fp_device_get(const fp_driver *d, CUdevice *dev, int ordinal);
CUresult fp_device_name(const fp_driver *d, char *name, int len, CUdevice dev);
CUresult fp_device_attr(const fp_driver *d, int *v, int attr, CUdevice dev);
CUresult fp_device_total_mem(const fp_driver *d, size_t *bytes, CUdevice dev);
CUresult fp_ctx_release(const fp_driver *d, CUdevice dev);
int fp_blas_property(const fp_blas *b, int type, int *v);
int fp_nvrtc_version(const fp_nvrtc *n, int *major, int *minor);

#endif
