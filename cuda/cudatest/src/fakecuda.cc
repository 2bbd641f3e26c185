// A stand-in for the CUDA driver, cuBLAS and NVRTC, so that framepred's
// cuda package and the packages built on it can be tested end to end on
// machines without a GPU. framepred/cuda/cudatest builds it (g++ -shared)
// into one library that is opened under the three libraries' names.
//
// Device memory is host memory; work runs at once, on the calling thread.
// "Compiling" keeps the source, and a launch runs framepred's own kernel
// source (kernels.inc, written by cudatest from the Go constants) on the
// CPU, one emulated thread after another, with the CUDA built-ins
// (blockIdx, threadIdx, ...) as globals. kernel_table.inc, also written by
// cudatest, lists every kernel and whether it synchronises its block.
// Kernels that do run each thread of a block as a coroutine with its own
// stack: __syncthreads() switches to the next thread until every thread of
// the block has reached the barrier or finished, as on a GPU, and
// __shared__ variables are statics, which the block's threads share
// (blocks run one after another). cublasSgemm_v2 is a plain column-major
// loop that checks its arguments as cuBLAS documents.
//
// Checks that a real GPU would make, or fail on, are made here too: calls
// that need a current context fail without one (as from a thread where it
// was never set), device allocations carry guard bytes whose damage makes
// cuMemFree fail, memory is limited (FAKECUDA_MEM bytes), and a kernel
// that calls __syncthreads without having been listed as synchronising
// stops the process with a message.
//
// Environment: FAKECUDA_DEVICES (default 1), FAKECUDA_CC (default 90),
// FAKECUDA_MEM (default 256 MiB), FAKECUDA_INIT_ERR (cuInit's result).
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

enum {
	OK = 0, ERR_INVALID_VALUE = 1, ERR_OUT_OF_MEMORY = 2, ERR_NOT_INITIALIZED = 3,
	ERR_NO_DEVICE = 100, ERR_INVALID_DEVICE = 101, ERR_INVALID_IMAGE = 200,
	ERR_INVALID_CONTEXT = 201, ERR_INVALID_HANDLE = 400, ERR_NOT_FOUND = 500,
	ERR_ILLEGAL_STATE = 401, ERR_ILLEGAL_ADDRESS = 700, ERR_LAUNCH_OUT_OF_RESOURCES = 701,
	ERR_STREAM_CAPTURE_UNSUPPORTED = 900,
};

static long long env(const char *name, long long def) {
	const char *v = getenv(name);
	return (v && *v) ? atoll(v) : def;
}

// ---- emulated threads ----

struct fake_dim3 { unsigned x, y, z; };
static fake_dim3 blockIdx, threadIdx, blockDim, gridDim;

// The threads of a block that synchronises: each runs on its own stack.
// The scheduler resumes them in turn; a thread hands control back when it
// reaches __syncthreads() or returns.
enum { STACK = 128 << 10, MAX_THREADS = 1024 };
enum { T_RUN, T_BARRIER, T_DONE };
struct coro { void *sp; char *stack; int state; fake_dim3 idx; };
static coro coros[MAX_THREADS];
static void *sched_sp;
static int cur = -1; // the running coroutine, -1 outside one
static void (*coro_run)(void **);
static void **coro_params;

#if defined(__x86_64__)
// fake_switch saves the callee-saved registers on the current stack,
// stores the stack pointer in *save and continues on the stack at next,
// which fake_switch saved (or coro_start prepared) before.
extern "C" void fake_switch(void **save, void *next);
asm(R"(
	.text
	.globl fake_switch
	.hidden fake_switch
	.type fake_switch, @function
fake_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size fake_switch, .-fake_switch
)");
#else
#error "fakecuda: the coroutine switch is written for x86-64 only"
#endif

static void coro_body(void) {
	coro_run(coro_params);
	coros[cur].state = T_DONE;
	fake_switch(&coros[cur].sp, sched_sp);
	abort(); // a finished thread is never resumed
}

// coro_start prepares coroutine i to start in coro_body: below a 16-byte
// aligned top, a return address for fake_switch's ret and six zero
// registers for its pops; the ABI wants rsp ≡ 8 (mod 16) on entry.
static void coro_start(int i) {
	coro *c = &coros[i];
	if (c->stack == NULL) c->stack = (char *)malloc(STACK);
	uintptr_t *sp = (uintptr_t *)(((uintptr_t)(c->stack + STACK)) & ~(uintptr_t)15);
	*--sp = 0;                      // where coro_body's caller's frame would be
	*--sp = (uintptr_t)coro_body;   // fake_switch returns here
	for (int r = 0; r < 6; r++) *--sp = 0;
	c->sp = sp;
	c->state = T_RUN;
}

static void fake_syncthreads(void) {
	if (cur < 0) {
		fprintf(stderr, "fakecuda: __syncthreads() in a kernel not listed as synchronising\n");
		abort();
	}
	coros[cur].state = T_BARRIER;
	fake_switch(&coros[cur].sp, sched_sp);
}

// run_block runs every thread of the current block; with sync, as
// coroutines that meet at each barrier.
static void run_block(void (*run)(void **), void **params, int sync) {
	unsigned bx = blockDim.x, by = blockDim.y, bz = blockDim.z;
	if (!sync) {
		for (unsigned tz = 0; tz < bz; tz++)
			for (unsigned ty = 0; ty < by; ty++)
				for (unsigned tx = 0; tx < bx; tx++) {
					threadIdx = fake_dim3{tx, ty, tz};
					run(params);
				}
		return;
	}
	int n = (int)(bx * by * bz);
	coro_run = run;
	coro_params = params;
	for (int i = 0; i < n; i++) {
		coro_start(i);
		coros[i].idx = fake_dim3{(unsigned)i % bx, (unsigned)i / bx % by, (unsigned)i / (bx * by)};
	}
	for (;;) {
		int live = 0;
		for (int i = 0; i < n; i++) {
			if (coros[i].state == T_DONE) continue;
			coros[i].state = T_RUN; // released from the barrier it waited at
			threadIdx = coros[i].idx;
			cur = i;
			fake_switch(&sched_sp, coros[i].sp);
			cur = -1;
			live += coros[i].state != T_DONE;
		}
		if (live == 0) break;
	}
}

// ---- kernels: framepred's sources, compiled for the CPU ----

#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__
#define __shared__ static
#define __syncthreads() fake_syncthreads()
// Round-to-nearest arithmetic that a GPU compiler may not contract into a
// fused multiply-add; plain arithmetic here, where nothing is fused.
static inline float __fadd_rn(float a, float b) { return a + b; }
static inline float __fmul_rn(float a, float b) { return a * b; }
static inline float __fdiv_rn(float a, float b) { return a / b; }
#include "kernels.inc"

// saved_params are a launch's parameters copied by value, for a graph to
// launch again: the bytes of each, and pointers to them as the launch had.
struct saved_params {
	std::vector<char> data;
	std::vector<void *> ptrs;
};

typedef void (*invoker)(void **p);
typedef saved_params (*saver)(void **p);
struct kernel { const char *name; invoker run; int sync; saver save; };

// invoke calls kernel f with the launch's parameters, each read as the
// type f declares for it.
template <typename... A, size_t... I>
static void invoke_at(void (*f)(A...), void **p, std::index_sequence<I...>) {
	f(*(typename std::remove_reference<A>::type *)p[I]...);
}
template <typename... A>
static void invoke(void (*f)(A...), void **p) { invoke_at(f, p, std::index_sequence_for<A...>{}); }

// save copies the parameters of kernel f, each of the size f declares.
template <typename... A>
static saved_params save(void (*)(A...), void **p) {
	const size_t sizes[] = {0, sizeof(typename std::remove_reference<A>::type)...};
	const size_t n = sizeof...(A);
	std::vector<size_t> offs(n);
	saved_params s;
	for (size_t i = 0; i < n; i++) {
		size_t off = (s.data.size() + 7) & ~(size_t)7;
		s.data.resize(off + sizes[i + 1]);
		memcpy(s.data.data() + off, p[i], sizes[i + 1]);
		offs[i] = off;
	}
	for (size_t i = 0; i < n; i++) s.ptrs.push_back(s.data.data() + offs[i]);
	return s;
}

#define FP_KERNEL(name, sync) {#name, [](void **p) { invoke(name, p); }, sync, [](void **p) { return save(name, p); }},
static const kernel kernels[] = {
#include "kernel_table.inc"
};

// ---- driver ----

struct fake_ctx { int dev; int refs; };
struct fake_module { char *image; };
struct fake_function { const kernel *k; fake_module *m; };
// A stream being captured records its work in ops instead of running it.
typedef std::vector<std::function<void()>> op_list;
struct fake_stream { int live; int capturing; op_list *ops; };
struct fake_graph { op_list ops; };

static int capturing(void *s) { return s != NULL && ((fake_stream *)s)->capturing; }
static void record(void *s, std::function<void()> op) { ((fake_stream *)s)->ops->push_back(std::move(op)); }
struct fake_event { struct timespec t; int recorded; };

static int initialized;
static fake_ctx contexts[16];
static __thread fake_ctx *current;
static long long mem_used;

static int devices(void) { return (int)env("FAKECUDA_DEVICES", 1); }

#define NEED_CTX() do { \
	if (!initialized) return ERR_NOT_INITIALIZED; \
	if (current == NULL || current->refs <= 0) return ERR_INVALID_CONTEXT; \
} while (0)

// Device blocks: [header 256 B][data][guard 64 B].
enum { HEAD = 256, GUARD = 64 };
static const unsigned char guard_byte = 0xA5;
struct block_head { size_t size; unsigned magic; };

static block_head *head_of(CUdeviceptr p) { return (block_head *)((char *)(uintptr_t)p - HEAD); }

extern "C" {

CUresult cuInit(unsigned int flags) {
	if (flags != 0) return ERR_INVALID_VALUE;
	long long e = env("FAKECUDA_INIT_ERR", 0);
	if (e) return (CUresult)e;
	initialized = 1;
	return OK;
}

CUresult cuDriverGetVersion(int *v) { *v = 13000; return OK; }

static const char *err_name(CUresult e) {
	switch (e) {
	case OK: return "CUDA_SUCCESS";
	case ERR_INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
	case ERR_OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
	case ERR_NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
	case ERR_NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
	case ERR_INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
	case ERR_INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
	case ERR_INVALID_CONTEXT: return "CUDA_ERROR_INVALID_CONTEXT";
	case ERR_INVALID_HANDLE: return "CUDA_ERROR_INVALID_HANDLE";
	case ERR_NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
	case ERR_ILLEGAL_STATE: return "CUDA_ERROR_ILLEGAL_STATE";
	case ERR_ILLEGAL_ADDRESS: return "CUDA_ERROR_ILLEGAL_ADDRESS";
	case ERR_STREAM_CAPTURE_UNSUPPORTED: return "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED";
	case ERR_LAUNCH_OUT_OF_RESOURCES: return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
	}
	return NULL;
}

CUresult cuGetErrorName(CUresult e, const char **s) {
	*s = err_name(e);
	return *s ? OK : ERR_INVALID_VALUE;
}

CUresult cuGetErrorString(CUresult e, const char **s) {
	switch (e) {
	case ERR_OUT_OF_MEMORY: *s = "out of memory"; return OK;
	case ERR_NO_DEVICE: *s = "no CUDA-capable device is detected"; return OK;
	case ERR_INVALID_CONTEXT: *s = "invalid device context"; return OK;
	case ERR_NOT_FOUND: *s = "named symbol not found"; return OK;
	case ERR_ILLEGAL_ADDRESS: *s = "an illegal memory access was encountered"; return OK;
	}
	*s = err_name(e);
	return *s ? OK : ERR_INVALID_VALUE;
}

CUresult cuDeviceGetCount(int *n) {
	if (!initialized) return ERR_NOT_INITIALIZED;
	*n = devices();
	return OK;
}

CUresult cuDeviceGet(CUdevice *d, int ordinal) {
	if (!initialized) return ERR_NOT_INITIALIZED;
	if (ordinal < 0 || ordinal >= devices()) return ERR_INVALID_DEVICE;
	*d = ordinal;
	return OK;
}

CUresult cuDeviceGetName(char *name, int len, CUdevice d) {
	if (d < 0 || d >= devices()) return ERR_INVALID_DEVICE;
	snprintf(name, (size_t)len, "Fake CUDA Device %d", d);
	return OK;
}

CUresult cuDeviceGetAttribute(int *v, int attr, CUdevice d) {
	if (d < 0 || d >= devices()) return ERR_INVALID_DEVICE;
	int cc = (int)env("FAKECUDA_CC", 90);
	switch (attr) {
	case 16: *v = 4; return OK;       // multiprocessors
	case 75: *v = cc / 10; return OK; // compute capability
	case 76: *v = cc % 10; return OK;
	}
	return ERR_INVALID_VALUE;
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice d) {
	if (d < 0 || d >= devices()) return ERR_INVALID_DEVICE;
	*bytes = (size_t)env("FAKECUDA_MEM", 256 << 20);
	return OK;
}

CUresult cuDevicePrimaryCtxRetain(void **ctx, CUdevice d) {
	if (!initialized) return ERR_NOT_INITIALIZED;
	if (d < 0 || d >= devices() || d >= 16) return ERR_INVALID_DEVICE;
	contexts[d].dev = d;
	contexts[d].refs++;
	*ctx = &contexts[d];
	return OK;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) {
	if (d < 0 || d >= 16 || contexts[d].refs <= 0) return ERR_INVALID_CONTEXT;
	contexts[d].refs--;
	return OK;
}

CUresult cuCtxSetCurrent(void *ctx) {
	if (!initialized) return ERR_NOT_INITIALIZED;
	current = (fake_ctx *)ctx;
	return OK;
}

CUresult cuMemGetInfo_v2(size_t *free_, size_t *total) {
	NEED_CTX();
	*total = (size_t)env("FAKECUDA_MEM", 256 << 20);
	*free_ = *total - (size_t)mem_used;
	return OK;
}

CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes) {
	NEED_CTX();
	if (bytes == 0) return ERR_INVALID_VALUE;
	if (mem_used + (long long)bytes > env("FAKECUDA_MEM", 256 << 20)) return ERR_OUT_OF_MEMORY;
	char *raw = NULL;
	if (posix_memalign((void **)&raw, HEAD, HEAD + bytes + GUARD) != 0) return ERR_OUT_OF_MEMORY;
	block_head *h = (block_head *)raw;
	h->size = bytes;
	h->magic = 0xFAC0DA;
	memset(raw + HEAD, 0xCD, bytes); // undefined contents, as on a GPU
	memset(raw + HEAD + bytes, guard_byte, GUARD);
	mem_used += (long long)bytes;
	*p = (CUdeviceptr)(uintptr_t)(raw + HEAD);
	return OK;
}

CUresult cuMemFree_v2(CUdeviceptr p) {
	NEED_CTX();
	block_head *h = head_of(p);
	if (p == 0 || h->magic != 0xFAC0DA) return ERR_INVALID_VALUE;
	const unsigned char *g = (const unsigned char *)(uintptr_t)p + h->size;
	CUresult r = OK;
	for (int i = 0; i < GUARD; i++)
		if (g[i] != guard_byte) r = ERR_ILLEGAL_ADDRESS; // something wrote past the block
	mem_used -= (long long)h->size;
	h->magic = 0;
	free(h);
	return r;
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, void *s) {
	NEED_CTX();
	if (capturing(s)) return ERR_STREAM_CAPTURE_UNSUPPORTED; // host memory cannot be captured
	memcpy((void *)(uintptr_t)dst, src, n);
	return OK;
}

CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, void *s) {
	NEED_CTX();
	if (capturing(s)) return ERR_STREAM_CAPTURE_UNSUPPORTED;
	memcpy(dst, (const void *)(uintptr_t)src, n);
	return OK;
}

CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, void *s) {
	NEED_CTX();
	if (capturing(s)) {
		record(s, [=]() { memmove((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, n); });
		return OK;
	}
	memmove((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, n);
	return OK;
}

CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int v, size_t n, void *s) {
	NEED_CTX();
	auto op = [=]() {
		unsigned int *d = (unsigned int *)(uintptr_t)dst;
		for (size_t i = 0; i < n; i++) d[i] = v;
	};
	if (capturing(s)) record(s, op);
	else op();
	return OK;
}

static const char image_magic[] = "// fake image for ";

CUresult cuModuleLoadData(void **mod, const void *image) {
	NEED_CTX();
	if (strncmp((const char *)image, image_magic, sizeof image_magic - 1) != 0) return ERR_INVALID_IMAGE;
	fake_module *m = (fake_module *)calloc(1, sizeof *m);
	m->image = strdup((const char *)image);
	*mod = m;
	return OK;
}

CUresult cuModuleUnload(void *mod) {
	NEED_CTX();
	fake_module *m = (fake_module *)mod;
	free(m->image);
	free(m);
	return OK;
}

CUresult cuModuleGetFunction(void **f, void *mod, const char *name) {
	NEED_CTX();
	fake_module *m = (fake_module *)mod;
	// The kernel must be in the compiled source, declared as framepred does.
	char decl[256];
	snprintf(decl, sizeof decl, "extern \"C\" __global__ void %s(", name);
	if (strstr(m->image, decl) == NULL) return ERR_NOT_FOUND;
	for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
		if (strcmp(kernels[i].name, name) == 0) {
			fake_function *fn = (fake_function *)calloc(1, sizeof *fn);
			fn->k = &kernels[i];
			fn->m = m;
			*f = fn;
			return OK;
		}
	}
	return ERR_NOT_FOUND; // a kernel this stand-in cannot run
}

CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz,
	unsigned bx, unsigned by, unsigned bz, unsigned shared, void *s, void **params, void **extra) {
	NEED_CTX();
	(void)s;
	if (f == NULL || params == NULL || extra != NULL) return ERR_INVALID_VALUE;
	if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0) return ERR_INVALID_VALUE;
	if ((unsigned long long)bx * by * bz > 1024 || shared > 48 * 1024) return ERR_LAUNCH_OUT_OF_RESOURCES;
	fake_function *fn = (fake_function *)f;
	const kernel *k = fn->k;
	if (capturing(s)) {
		auto saved = std::make_shared<saved_params>(k->save(params));
		record(s, [=]() {
			// The pointers point into saved's own data, copied with it.
			gridDim = fake_dim3{gx, gy, gz};
			blockDim = fake_dim3{bx, by, bz};
			for (unsigned z = 0; z < gz; z++)
				for (unsigned y = 0; y < gy; y++)
					for (unsigned x = 0; x < gx; x++) {
						blockIdx = fake_dim3{x, y, z};
						run_block(k->run, saved->ptrs.data(), k->sync);
					}
		});
		return OK;
	}
	gridDim = fake_dim3{gx, gy, gz};
	blockDim = fake_dim3{bx, by, bz};
	for (unsigned z = 0; z < gz; z++)
		for (unsigned y = 0; y < gy; y++)
			for (unsigned x = 0; x < gx; x++) {
				blockIdx = fake_dim3{x, y, z};
				run_block(k->run, params, k->sync);
			}
	return OK;
}

CUresult cuStreamCreate(void **s, unsigned int flags) {
	NEED_CTX();
	(void)flags;
	fake_stream *st = new fake_stream{1, 0, NULL};
	*s = st;
	return OK;
}

CUresult cuStreamDestroy_v2(void *s) {
	NEED_CTX();
	fake_stream *st = (fake_stream *)s;
	if (st == NULL || !st->live) return ERR_INVALID_HANDLE;
	if (st->capturing) return ERR_STREAM_CAPTURE_UNSUPPORTED;
	st->live = 0;
	delete st;
	return OK;
}

CUresult cuStreamSynchronize(void *s) {
	NEED_CTX();
	fake_stream *st = (fake_stream *)s;
	if (st != NULL && st->capturing) return ERR_STREAM_CAPTURE_UNSUPPORTED;
	return (st == NULL || st->live) ? OK : ERR_INVALID_HANDLE;
}

// ---- graphs: a capture records the stream's work, a launch replays it ----

CUresult cuStreamBeginCapture_v2(void *s, int mode) {
	NEED_CTX();
	fake_stream *st = (fake_stream *)s;
	if (st == NULL || !st->live || mode < 0 || mode > 2) return ERR_INVALID_VALUE;
	if (st->capturing) return ERR_ILLEGAL_STATE;
	st->capturing = 1;
	st->ops = new op_list();
	return OK;
}

CUresult cuStreamEndCapture(void *s, void **g) {
	NEED_CTX();
	fake_stream *st = (fake_stream *)s;
	if (st == NULL || !st->capturing) return ERR_ILLEGAL_STATE;
	fake_graph *fg = new fake_graph{std::move(*st->ops)};
	delete st->ops;
	st->ops = NULL;
	st->capturing = 0;
	*g = fg;
	return OK;
}

CUresult cuGraphInstantiateWithFlags(void **e, void *g, unsigned long long flags) {
	NEED_CTX();
	if (g == NULL || flags != 0) return ERR_INVALID_VALUE;
	*e = new fake_graph{((fake_graph *)g)->ops};
	return OK;
}

CUresult cuGraphLaunch(void *e, void *s) {
	NEED_CTX();
	if (e == NULL) return ERR_INVALID_VALUE;
	if (capturing(s)) return ERR_STREAM_CAPTURE_UNSUPPORTED;
	for (auto &op : ((fake_graph *)e)->ops) op();
	return OK;
}

CUresult cuGraphExecDestroy(void *e) {
	NEED_CTX();
	if (e == NULL) return ERR_INVALID_VALUE;
	delete (fake_graph *)e;
	return OK;
}

CUresult cuGraphDestroy(void *g) {
	NEED_CTX();
	if (g == NULL) return ERR_INVALID_VALUE;
	delete (fake_graph *)g;
	return OK;
}

CUresult cuEventCreate(void **e, unsigned int flags) {
	NEED_CTX();
	(void)flags;
	*e = calloc(1, sizeof(fake_event));
	return OK;
}

CUresult cuEventDestroy_v2(void *e) {
	NEED_CTX();
	free(e);
	return OK;
}

CUresult cuEventRecord(void *e, void *s) {
	NEED_CTX();
	if (capturing(s)) return ERR_STREAM_CAPTURE_UNSUPPORTED;
	fake_event *ev = (fake_event *)e;
	clock_gettime(CLOCK_MONOTONIC, &ev->t);
	ev->recorded = 1;
	return OK;
}

CUresult cuEventSynchronize(void *e) {
	NEED_CTX();
	(void)e;
	return OK;
}

CUresult cuEventElapsedTime_v2(float *ms, void *a, void *b) {
	NEED_CTX();
	fake_event *s = (fake_event *)a, *e = (fake_event *)b;
	if (!s->recorded || !e->recorded) return ERR_INVALID_HANDLE;
	*ms = (float)((e->t.tv_sec - s->t.tv_sec) * 1e3 + (e->t.tv_nsec - s->t.tv_nsec) / 1e6);
	return OK;
}

// ---- cuBLAS ----

enum { BLAS_OK = 0, BLAS_NOT_INITIALIZED = 1, BLAS_INVALID_VALUE = 7, BLAS_NOT_SUPPORTED = 15 };
struct fake_blas { void *stream; int live; void *ws; size_t wsBytes; };

int cublasCreate_v2(void **h) {
	if (current == NULL || current->refs <= 0) return BLAS_NOT_INITIALIZED;
	fake_blas *b = (fake_blas *)calloc(1, sizeof *b);
	b->live = 1;
	*h = b;
	return BLAS_OK;
}

int cublasDestroy_v2(void *h) {
	fake_blas *b = (fake_blas *)h;
	if (b == NULL || !b->live) return BLAS_NOT_INITIALIZED;
	b->live = 0;
	free(b);
	return BLAS_OK;
}

int cublasSetStream_v2(void *h, void *s) {
	fake_blas *b = (fake_blas *)h;
	if (b == NULL || !b->live) return BLAS_NOT_INITIALIZED;
	b->stream = s;
	b->ws = NULL; // as cuBLAS: a new stream, the default workspace
	b->wsBytes = 0;
	return BLAS_OK;
}

// The stand-in's products are exact in any mode; the mode is checked.
int cublasSetMathMode(void *h, int mode) {
	fake_blas *b = (fake_blas *)h;
	if (b == NULL || !b->live) return BLAS_NOT_INITIALIZED;
	return (mode == 0 || mode == 1 || mode == 2 || mode == 3) ? BLAS_OK : BLAS_INVALID_VALUE;
}

int cublasSetWorkspace_v2(void *h, void *ws, size_t bytes) {
	fake_blas *b = (fake_blas *)h;
	if (b == NULL || !b->live) return BLAS_NOT_INITIALIZED;
	if ((ws == NULL) != (bytes == 0) || ((uintptr_t)ws % 256) != 0) return BLAS_INVALID_VALUE;
	b->ws = ws;
	b->wsBytes = bytes;
	return BLAS_OK;
}

int cublasGetProperty(int type, int *v) {
	static const int version[] = {13, 0, 0};
	if (type < 0 || type > 2) return BLAS_INVALID_VALUE;
	*v = version[type];
	return BLAS_OK;
}

const char *cublasGetStatusString(int st) {
	switch (st) {
	case BLAS_OK: return "success";
	case BLAS_NOT_INITIALIZED: return "the library was not initialized";
	case BLAS_INVALID_VALUE: return "an invalid numeric value was used as an argument";
	}
	return "unknown error";
}

// Column-major C = alpha*op(A)*op(B) + beta*C, with cuBLAS's argument
// checks; C is not read when beta is 0.
static int gemm_check(fake_blas *hb, int ta, int tb, int m, int n, int k, int lda, int ldb, int ldc) {
	if (hb == NULL || !hb->live) return BLAS_NOT_INITIALIZED;
	if ((ta != 0 && ta != 1) || (tb != 0 && tb != 1)) return BLAS_INVALID_VALUE;
	if (m < 0 || n < 0 || k < 0) return BLAS_INVALID_VALUE;
	if (lda < (ta ? (k > 1 ? k : 1) : (m > 1 ? m : 1))) return BLAS_INVALID_VALUE;
	if (ldb < (tb ? (n > 1 ? n : 1) : (k > 1 ? k : 1))) return BLAS_INVALID_VALUE;
	if (ldc < (m > 1 ? m : 1)) return BLAS_INVALID_VALUE;
	return BLAS_OK;
}

static int gemm(void *h, int ta, int tb, int m, int n, int k, const float *alpha,
	const float *a, int lda, const float *b, int ldb, const float *beta, float *c, int ldc) {
	fake_blas *hb = (fake_blas *)h;
	int st = gemm_check(hb, ta, tb, m, n, k, lda, ldb, ldc);
	if (st != BLAS_OK) return st;
	for (int j = 0; j < n; j++)
		for (int i = 0; i < m; i++) {
			double s = 0;
			for (int p = 0; p < k; p++) {
				float av = ta ? a[p + (size_t)i * lda] : a[i + (size_t)p * lda];
				float bv = tb ? b[j + (size_t)p * ldb] : b[p + (size_t)j * ldb];
				s += (double)av * bv;
			}
			float *cij = &c[i + (size_t)j * ldc];
			*cij = *beta == 0 ? (float)(*alpha * s) : (float)(*alpha * s + *beta * *cij);
		}
	return BLAS_OK;
}

// A product on a stream being captured: the scalars are read now, as in
// cuBLAS's host pointer mode, and the product runs at each launch.
// cuBLAS must not allocate its default workspace while capturing, so a
// workspace of the caller's is required.
static int capture_gemm(fake_blas *hb, int ta, int tb, int m, int n, int k, float alpha,
	const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc, long long sa, long long sb, long long sc, int batch) {
	if (hb->ws == NULL) return BLAS_NOT_SUPPORTED;
	record(hb->stream, [=]() {
		for (int i = 0; i < batch; i++)
			gemm(hb, ta, tb, m, n, k, &alpha, a + i * sa, lda, b + i * sb, ldb, &beta, c + i * sc, ldc);
	});
	return BLAS_OK;
}

int cublasSgemm_v2(void *h, int ta, int tb, int m, int n, int k, const float *alpha,
	const float *a, int lda, const float *b, int ldb, const float *beta, float *c, int ldc) {
	fake_blas *hb = (fake_blas *)h;
	if (hb != NULL && hb->live && capturing(hb->stream)) {
		int st = gemm_check(hb, ta, tb, m, n, k, lda, ldb, ldc);
		return st != BLAS_OK ? st : capture_gemm(hb, ta, tb, m, n, k, *alpha, a, lda, b, ldb, *beta, c, ldc, 0, 0, 0, 1);
	}
	return gemm(h, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

int cublasSgemmStridedBatched(void *h, int ta, int tb, int m, int n, int k, const float *alpha,
	const float *a, int lda, long long sa, const float *b, int ldb, long long sb,
	const float *beta, float *c, int ldc, long long sc, int batch) {
	if (batch < 0) return BLAS_INVALID_VALUE;
	fake_blas *hb = (fake_blas *)h;
	if (hb != NULL && hb->live && capturing(hb->stream)) {
		int st = gemm_check(hb, ta, tb, m, n, k, lda, ldb, ldc);
		return st != BLAS_OK ? st : capture_gemm(hb, ta, tb, m, n, k, *alpha, a, lda, b, ldb, *beta, c, ldc, sa, sb, sc, batch);
	}
	for (int i = 0; i < batch; i++) {
		int st = gemm(h, ta, tb, m, n, k, alpha, a + i * sa, lda, b + i * sb, ldb, beta, c + i * sc, ldc);
		if (st != BLAS_OK) return st;
	}
	return BLAS_OK;
}

// ---- NVRTC ----

enum { RTC_OK = 0, RTC_INVALID_INPUT = 3, RTC_INVALID_PROGRAM = 4, RTC_INVALID_OPTION = 5, RTC_COMPILATION = 6 };
struct fake_program { char *src; char *arch; char *log; char *image; int cubin; };
static const int archs[] = {75, 80, 86, 87, 89, 90, 100, 120};

int nvrtcVersion(int *major, int *minor) { *major = 13; *minor = 0; return RTC_OK; }

const char *nvrtcGetErrorString(int r) {
	switch (r) {
	case RTC_OK: return "NVRTC_SUCCESS";
	case RTC_INVALID_INPUT: return "NVRTC_ERROR_INVALID_INPUT";
	case RTC_INVALID_PROGRAM: return "NVRTC_ERROR_INVALID_PROGRAM";
	case RTC_INVALID_OPTION: return "NVRTC_ERROR_INVALID_OPTION";
	case RTC_COMPILATION: return "NVRTC_ERROR_COMPILATION";
	}
	return "NVRTC_ERROR unknown";
}

int nvrtcGetNumSupportedArchs(int *n) { *n = sizeof archs / sizeof archs[0]; return RTC_OK; }
int nvrtcGetSupportedArchs(int *a) { memcpy(a, archs, sizeof archs); return RTC_OK; }

int nvrtcCreateProgram(void **prog, const char *src, const char *name, int nh, const char *const *h, const char *const *in) {
	(void)name; (void)h; (void)in;
	if (src == NULL || nh != 0) return RTC_INVALID_INPUT;
	fake_program *p = (fake_program *)calloc(1, sizeof *p);
	p->src = strdup(src);
	*prog = p;
	return RTC_OK;
}

int nvrtcDestroyProgram(void **prog) {
	fake_program *p = (fake_program *)*prog;
	if (p == NULL) return RTC_INVALID_PROGRAM;
	free(p->src); free(p->arch); free(p->log); free(p->image); free(p);
	*prog = NULL;
	return RTC_OK;
}

int nvrtcCompileProgram(void *prog, int nopt, const char *const *opts) {
	fake_program *p = (fake_program *)prog;
	static const char flag[] = "--gpu-architecture=";
	for (int i = 0; i < nopt; i++) {
		if (strncmp(opts[i], flag, sizeof flag - 1) == 0) {
			free(p->arch);
			p->arch = strdup(opts[i] + sizeof flag - 1);
		} else {
			return RTC_INVALID_OPTION;
		}
	}
	if (p->arch == NULL) return RTC_INVALID_OPTION;
	if (strstr(p->src, "#error") != NULL) {
		p->log = strdup("fake.cu(1): error: #error directive in the source\n");
		return RTC_COMPILATION;
	}
	p->cubin = strncmp(p->arch, "sm_", 3) == 0;
	size_t n = strlen(image_magic) + strlen(p->arch) + 1 + strlen(p->src) + 1;
	p->image = (char *)malloc(n);
	snprintf(p->image, n, "%s%s\n%s", image_magic, p->arch, p->src);
	return RTC_OK;
}

int nvrtcGetProgramLogSize(void *prog, size_t *n) {
	fake_program *p = (fake_program *)prog;
	*n = p->log ? strlen(p->log) + 1 : 1;
	return RTC_OK;
}

int nvrtcGetProgramLog(void *prog, char *log) {
	fake_program *p = (fake_program *)prog;
	strcpy(log, p->log ? p->log : "");
	return RTC_OK;
}

int nvrtcGetPTXSize(void *prog, size_t *n) {
	fake_program *p = (fake_program *)prog;
	if (p->image == NULL) return RTC_INVALID_PROGRAM;
	*n = strlen(p->image) + 1;
	return RTC_OK;
}

int nvrtcGetPTX(void *prog, char *out) {
	fake_program *p = (fake_program *)prog;
	if (p->image == NULL) return RTC_INVALID_PROGRAM;
	strcpy(out, p->image);
	return RTC_OK;
}

// A cubin exists only for a real architecture (sm_XY), as with NVRTC.
int nvrtcGetCUBINSize(void *prog, size_t *n) {
	fake_program *p = (fake_program *)prog;
	if (p->image == NULL) return RTC_INVALID_PROGRAM;
	*n = p->cubin ? strlen(p->image) + 1 : 0;
	return RTC_OK;
}

int nvrtcGetCUBIN(void *prog, char *out) {
	fake_program *p = (fake_program *)prog;
	if (p->image == NULL || !p->cubin) return RTC_INVALID_PROGRAM;
	strcpy(out, p->image);
	return RTC_OK;
}

} // extern "C"
