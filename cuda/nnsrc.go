package cuda

// nnName labels nnSource in compiler messages.
const nnName = "framepred_nn.cu"

// nnSource holds the kernels of framepred's networks: convolution helpers
// (im2col and its adjoint), bias and activation, pooling and upsampling,
// elementwise ops, the fused losses and Adam. Tensors are CNHW, as in
// framepred/ops, and each kernel computes what the ops kernel of the same
// name does; where ops sums in float64, these do too.
//
// Reductions are deterministic: a fixed number of partial sums, each over
// a fixed part of the input, added in a fixed tree order in shared memory,
// then the partials added the same way by a second kernel; nothing depends
// on the device's size or on scheduling, and no atomics are used. Where
// framepred/ops rounds each step in float32 (Adam, the affine map), the
// __f*_rn intrinsics keep the compiler from fusing a multiply and an add,
// so the results are the CPU's to the bit.
const nnSource = `
// FP_FOR32 walks [0, n) with a grid-stride loop in 32-bit unsigned
// indices: every tensor here holds fewer than 2³¹ values (the Go side
// checks), and 32-bit division costs a fraction of 64-bit's.
#define FP_FOR32(i, n) \
	for (unsigned i = blockIdx.x * blockDim.x + threadIdx.x; i < (unsigned)(n); i += gridDim.x * blockDim.x)

// FP_ROWS walks the rows [0, rows) of a 2-D grid (blockIdx.y), FP_COLS
// the columns [0, n) of a row (blockIdx.x), so that a kernel over channels
// finds its channel without a division.
#define FP_ROWS(r, rows) for (unsigned r = blockIdx.y; r < (unsigned)(rows); r += gridDim.y)
#define FP_COLS(q, n) FP_FOR32(q, n)

// FP_RED is the block size of every reduction.
#define FP_RED 256

// fp_block_sum returns the sum of v over the block's FP_RED threads to
// thread 0 (other threads get a partial sum), adding in a fixed tree order.
__device__ double fp_block_sum(double v) {
	__shared__ double s[FP_RED];
	int t = threadIdx.x;
	s[t] = v;
	__syncthreads();
	for (int k = FP_RED / 2; k > 0; k >>= 1) {
		if (t < k) s[t] += s[t + k];
		__syncthreads();
	}
	double r = s[0];
	__syncthreads(); // s is free again for the next call
	return r;
}

// ---- convolution ----

// col (rows In·KH·KW, columns nc·OH·OW) = im2col of images [n0, n0+nc) of
// x (In×N×h×w). With up = 1 the convolution reads x upsampled 2× (nearest),
// so its input is H×W = 2h×2w; with up = 0, h = H and w = W. A 2-D grid:
// rows of col, then columns.
extern "C" __global__ void fp_im2col(const float *x, float *col, int C, int N, int H, int W,
	int KH, int KW, int S, int PH, int PW, int OH, int OW, int n0, int nc, int up) {
	unsigned ohw = (unsigned)OH * OW, cols = (unsigned)nc * ohw;
	int h = H >> up, w = W >> up;
	FP_ROWS(row, C * KH * KW) {
		int j = row % KW, i = row / KW % KH, c = row / (KW * KH);
		const float *xc = x + ((size_t)c * N + n0) * h * w;
		float *dst = col + (size_t)row * cols;
		FP_COLS(q, cols) {
			unsigned n = q / ohw, r = q - n * ohw, oy = r / OW, ox = r - oy * OW;
			int iy = (int)oy * S - PH + i, ix = (int)ox * S - PW + j;
			float v = 0.0f;
			if (iy >= 0 && iy < H && ix >= 0 && ix < W)
				v = xc[((size_t)n * h + (iy >> up)) * w + (ix >> up)];
			dst[q] = v;
		}
	}
}

// The adjoint of fp_im2col: images [n0, n0+nc) of dx (In×N×h×w) get the
// sum of every column entry that read them; each thread gathers one pixel,
// so nothing is added concurrently.
extern "C" __global__ void fp_col2im(const float *col, float *dx, int C, int N, int H, int W,
	int KH, int KW, int S, int PH, int PW, int OH, int OW, int n0, int nc, int up) {
	unsigned cols = (unsigned)nc * OH * OW;
	int h = H >> up, w = W >> up, f = 1 << up;
	unsigned plane = (unsigned)h * w;
	FP_FOR32(idx, (unsigned)C * nc * plane) {
		unsigned cn = idx / plane, p = idx - cn * plane, c = cn / nc, n = cn - c * nc;
		int yy = p / w, xx = p - yy * w;
		float s = 0.0f;
		for (int a = 0; a < f; a++) {
			int iy = yy * f + a;
			for (int i = 0; i < KH; i++) {
				int ty = iy + PH - i;
				if (ty < 0 || ty % S != 0 || ty / S >= OH) continue;
				int oy = ty / S;
				for (int b = 0; b < f; b++) {
					int ix = xx * f + b;
					for (int j = 0; j < KW; j++) {
						int tx = ix + PW - j;
						if (tx < 0 || tx % S != 0 || tx / S >= OW) continue;
						s += col[(size_t)((c * KH + i) * KW + j) * cols + ((size_t)n * OH + oy) * OW + tx / S];
					}
				}
			}
		}
		dx[((size_t)c * N + n0 + n) * plane + p] = s;
	}
}

// ---- bias, activation, channel sums ----

// y = leaky(x + b[c]) for channel c (a row of plane values): z below 0
// times slope, else z. A 2-D grid: channels, then values.
extern "C" __global__ void fp_bias_act(const float *x, const float *b, float *y, float slope, int C, int plane) {
	FP_ROWS(c, C) {
		float bc = b[c];
		const float *xc = x + (size_t)c * plane;
		float *yc = y + (size_t)c * plane;
		FP_COLS(q, plane) {
			float z = xc[q] + bc;
			yc[q] = z < 0.0f ? z * slope : z;
		}
	}
}

// part[c·chunks + k] = the sum of chunk k of channel c's plane values,
// chunk k being [plane·k/chunks, plane·(k+1)/chunks). Grid (chunks, C).
extern "C" __global__ void fp_channel_partial(const float *x, double *part, long long plane, int chunks) {
	int k = blockIdx.x, c = blockIdx.y;
	long long lo = plane * k / chunks, hi = plane * (k + 1) / chunks;
	const float *p = x + (long long)c * plane;
	double s = 0.0;
	for (long long i = lo + threadIdx.x; i < hi; i += FP_RED) s += p[i];
	s = fp_block_sum(s);
	if (threadIdx.x == 0) part[(long long)c * chunks + k] = s;
}

// out[c] = (the sum of part[c·chunks ...]) / div; grid C.
extern "C" __global__ void fp_partial_final(const double *part, int chunks, double div, float *out) {
	int c = blockIdx.x;
	double s = 0.0;
	for (int k = threadIdx.x; k < chunks; k += FP_RED) s += part[(long long)c * chunks + k];
	s = fp_block_sum(s);
	if (threadIdx.x == 0) out[c] = (float)(s / div);
}

// ---- pooling and upsampling, over planes of h×w outputs ----

// y (planes×2h×2w) = x (planes×h×w) upsampled 2×, nearest.
extern "C" __global__ void fp_upsample2x(const float *x, float *y, int h, int w, int n) {
	FP_FOR32(i, n) {
		unsigned row = i / (2 * w), ox = i - row * (2 * w), q = row / (2 * h), oy = row - q * (2 * h);
		y[i] = x[((size_t)q * h + oy / 2) * w + ox / 2];
	}
}

// dx (planes×h×w) = the sums of dy's 2×2 blocks (dy planes×2h×2w).
extern "C" __global__ void fp_upsample2x_grad(const float *dy, float *dx, int h, int w, int n) {
	FP_FOR32(i, n) {
		unsigned row = i / w, xx = i - row * w, q = row / h, yy = row - q * h;
		const float *a = dy + ((size_t)q * 2 * h + 2 * yy) * 2 * w + 2 * xx;
		const float *b = a + 2 * w;
		dx[i] = a[0] + a[1] + b[0] + b[1];
	}
}

// y (planes×h×w) = the maximum (avg = 0) or mean (avg = 1) of each 2×2
// block of x (planes×sh×sw; an odd last row or column is dropped).
extern "C" __global__ void fp_pool2(const float *x, float *y, int h, int w, int sh, int sw, int avg, int n) {
	FP_FOR32(i, n) {
		unsigned row = i / w, xx = i - row * w, q = row / h, yy = row - q * h;
		const float *a = x + ((size_t)q * sh + 2 * yy) * sw + 2 * xx;
		const float *b = a + sw;
		float v0 = a[0], v1 = a[1], v2 = b[0], v3 = b[1];
		if (avg) {
			y[i] = (v0 + v1 + v2 + v3) / 4.0f;
		} else {
			float m01 = v0 > v1 ? v0 : v1, m23 = v2 > v3 ? v2 : v3;
			y[i] = m01 > m23 ? m01 : m23;
		}
	}
}

// dx (planes×h×w, the pooled input's size) from dy (planes×sh×sw): every
// pixel of a 2×2 block gets dy/4 (avg = 1) or, for max, dy if it is the
// block's first maximum in row-major order and 0 otherwise; pixels of a
// dropped odd row or column get 0. x is the pooled input (max only).
extern "C" __global__ void fp_pool2_grad(const float *x, const float *dy, float *dx, int h, int w, int sh, int sw, int avg, int n) {
	FP_FOR32(i, n) {
		unsigned row = i / w, q = row / h;
		int xx = i - row * w, yy = row - q * h;
		int nw = (sw < w / 2 ? sw : w / 2) * 2;
		float r = 0.0f;
		if (yy / 2 < sh && xx < nw) {
			float g = dy[((size_t)q * sh + yy / 2) * sw + xx / 2];
			if (avg) {
				r = g / 4.0f;
			} else {
				const float *top = x + ((size_t)q * h + (yy & ~1)) * w + (xx & ~1);
				const float *bot = top + w;
				float m = top[0];
				int arg = 0;
				if (top[1] > m) { arg = 1; m = top[1]; }
				if (bot[0] > m) { arg = 2; m = bot[0]; }
				if (bot[1] > m) { arg = 3; }
				if (arg == (yy & 1) * 2 + (xx & 1)) r = g;
			}
		}
		dx[i] = r;
	}
}

// ---- elementwise ----

// z = x + y
extern "C" __global__ void fp_add(const float *x, const float *y, float *z, int n) {
	FP_FOR32(i, n) z[i] = x[i] + y[i];
}

// z = x · y
extern "C" __global__ void fp_mul(const float *x, const float *y, float *z, int n) {
	FP_FOR32(i, n) z[i] = x[i] * y[i];
}

// y = a · x
extern "C" __global__ void fp_scale(const float *x, float *y, float a, int n) {
	FP_FOR32(i, n) y[i] = a * x[i];
}

// y = x·ss[c] + ss[C + c] for channel c (a row of plane values; ss holds
// C scales, C shifts), rounded after the product as framepred/ops does.
extern "C" __global__ void fp_channel_affine(const float *x, const float *ss, float *y, int C, int plane) {
	FP_ROWS(c, C) {
		float a = ss[c], b = ss[C + c];
		const float *xc = x + (size_t)c * plane;
		float *yc = y + (size_t)c * plane;
		FP_COLS(q, plane) yc[q] = __fadd_rn(__fmul_rn(xc[q], a), b);
	}
}

// y = x clamped to [0, 1] (NaN stays NaN)
extern "C" __global__ void fp_clamp01(const float *x, float *y, int n) {
	FP_FOR32(i, n) {
		float v = x[i];
		y[i] = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
	}
}

// dx = dy where 0 ≤ x ≤ 1, else 0
extern "C" __global__ void fp_clamp01_grad(const float *x, const float *dy, float *dx, int n) {
	FP_FOR32(i, n) dx[i] = (x[i] >= 0.0f && x[i] <= 1.0f) ? dy[i] : 0.0f;
}

// ---- losses ----

// Loss kinds, as framepred/ops numbers them.
#define FP_MSE 0
#define FP_MAE 1
#define FP_MSE_TO 2
#define FP_BCE 3

__device__ double fp_loss_term(int kind, double x, double y, double p) {
	switch (kind) {
	case FP_MSE: { double d = x - y; return d * d; }
	case FP_MAE: return fabs(x - y);
	case FP_MSE_TO: { double d = x - p; return d * d; }
	}
	return (x > 0.0 ? x : 0.0) - x * p + log1p(exp(-fabs(x)));
}

// part[k] = the sum of the loss terms of chunk k of [0, n), chunks = grid.
// b is unused by the kinds with a constant target p.
extern "C" __global__ void fp_loss_partial(int kind, const float *a, const float *b, double p, int n, double *part) {
	int chunks = gridDim.x, k = blockIdx.x;
	unsigned lo = (long long)n * k / chunks, hi = (long long)n * (k + 1) / chunks;
	double s = 0.0;
	for (unsigned i = lo + threadIdx.x; i < hi; i += FP_RED)
		s += fp_loss_term(kind, (double)a[i], kind == FP_MSE || kind == FP_MAE ? (double)b[i] : 0.0, p);
	s = fp_block_sum(s);
	if (threadIdx.x == 0) part[k] = s;
}

__device__ double fp_sign(double x) { return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0); }

__device__ double fp_sigmoid(double x) {
	if (x >= 0.0) return 1.0 / (1.0 + exp(-x));
	double e = exp(x);
	return e / (1.0 + e);
}

// out = g[0]/n · ∂loss/∂(input wrt), elementwise; wrt 1 (the second
// input of a pair loss) negates it.
extern "C" __global__ void fp_loss_grad(int kind, const float *a, const float *b, double p, const float *g,
	double count, int wrt, float *out, int n) {
	double scale = (double)g[0] / count;
	if (wrt == 1) scale = -scale;
	FP_FOR32(i, n) {
		double x = a[i], d;
		switch (kind) {
		case FP_MSE: d = 2.0 * (x - (double)b[i]); break;
		case FP_MAE: d = fp_sign(x - (double)b[i]); break;
		case FP_MSE_TO: d = 2.0 * (x - p); break;
		default: d = fp_sigmoid(x) - p; break;
		}
		out[i] = (float)(scale * d);
	}
}

// The gradient difference term ||db| - |da||^alpha of the differences da of
// a and db of b, and (dda, ddb) its derivatives, as framepred/ops's gdlTerm.
__device__ double fp_gdl_term(double da, double db, double alpha, double *dda, double *ddb) {
	double u = fabs(db) - fabs(da), au = fabs(u), t, k = 0.0;
	if (alpha == 1.0) {
		t = au;
		k = fp_sign(u);
	} else {
		t = pow(au, alpha);
		if (au > 0.0) k = alpha * pow(au, alpha - 1.0) * fp_sign(u);
	}
	*dda = -k * fp_sign(da);
	*ddb = k * fp_sign(db);
	return t;
}

// part[2k], part[2k+1] = the sums over chunk k of [0, n) of the
// horizontal and the vertical GDL terms, the differences being taken inside
// h×w planes; chunks = grid.
extern "C" __global__ void fp_gdl_partial(const float *a, const float *b, int h, int w, double alpha, int n, double *part) {
	int chunks = gridDim.x, k = blockIdx.x;
	unsigned lo = (long long)n * k / chunks, hi = (long long)n * (k + 1) / chunks;
	double sx = 0.0, sy = 0.0, u, v;
	for (unsigned i = lo + threadIdx.x; i < hi; i += FP_RED) {
		unsigned row = i / w;
		int c = i - row * w, r = row % h;
		if (c + 1 < w) sx += fp_gdl_term((double)(a[i + 1] - a[i]), (double)(b[i + 1] - b[i]), alpha, &u, &v);
		if (r + 1 < h) sy += fp_gdl_term((double)(a[i + w] - a[i]), (double)(b[i + w] - b[i]), alpha, &u, &v);
	}
	sx = fp_block_sum(sx);
	sy = fp_block_sum(sy);
	if (threadIdx.x == 0) {
		part[2 * k] = sx;
		part[2 * k + 1] = sy;
	}
}

// out = sx/cx + sy/cy for the horizontal and vertical sums sx and sy of
// fp_gdl_partial's chunks partials; one block.
extern "C" __global__ void fp_gdl_final(const double *part, int chunks, double cx, double cy, float *out) {
	double sx = 0.0, sy = 0.0;
	for (int k = threadIdx.x; k < chunks; k += FP_RED) {
		sx += part[2 * k];
		sy += part[2 * k + 1];
	}
	sx = fp_block_sum(sx);
	sy = fp_block_sum(sy);
	if (threadIdx.x == 0) out[0] = (float)(sx / cx + sy / cy);
}

// fp_gdl_edge is the gradient g·c·∂term/∂(input wrt) of the term of the
// difference between pixels i and i+step, in float32 as framepred/ops adds it.
__device__ float fp_gdl_edge(const float *a, const float *b, unsigned i, int step, double alpha, int wrt, double c) {
	double dda, ddb;
	fp_gdl_term((double)(a[i + step] - a[i]), (double)(b[i + step] - b[i]), alpha, &dda, &ddb);
	return (float)(c * (wrt == 0 ? dda : ddb));
}

// out = g[0]·∂GDL/∂(input wrt): each pixel gathers the terms of the up to
// four differences it is part of, in the order framepred/ops scatters them.
extern "C" __global__ void fp_gdl_grad(const float *a, const float *b, int h, int w, double alpha, int wrt,
	const float *g, double cx, double cy, float *out, int n) {
	double gx = (double)g[0] / cx, gy = (double)g[0] / cy;
	FP_FOR32(i, n) {
		unsigned row = i / w;
		int c = i - row * w, r = row % h;
		float s = 0.0f;
		if (r > 0) s += fp_gdl_edge(a, b, i - w, w, alpha, wrt, gy);
		if (c > 0) s += fp_gdl_edge(a, b, i - 1, 1, alpha, wrt, gx);
		if (c + 1 < w) s -= fp_gdl_edge(a, b, i, 1, alpha, wrt, gx);
		if (r + 1 < h) s -= fp_gdl_edge(a, b, i, w, alpha, wrt, gy);
		out[i] = s;
	}
}

// ---- Adam ----

// One Adam step over flat parameters p with gradients g and moments m, v,
// as torch.optim.Adam and framepred/optim do it, each operation rounded in
// float32; g is zeroed. bad[0] becomes 1 if a new value is not finite.
extern "C" __global__ void fp_adam(float *p, float *g, float *m, float *v, float b1, float b2, float c1, float c2,
	float step, float bc2sqrt, float eps, float wd, float *bad, int n) {
	FP_FOR32(i, n) {
		float gi = g[i], pi = p[i];
		if (wd != 0.0f) gi = __fadd_rn(gi, __fmul_rn(wd, pi));
		float mi = __fadd_rn(__fmul_rn(m[i], b1), __fmul_rn(c1, gi));
		float vi = __fadd_rn(__fmul_rn(v[i], b2), __fmul_rn(__fmul_rn(c2, gi), gi));
		float denom = __fadd_rn(__fdiv_rn(sqrtf(vi), bc2sqrt), eps);
		pi = __fadd_rn(pi, __fdiv_rn(__fmul_rn(-step, mi), denom));
		m[i] = mi;
		v[i] = vi;
		p[i] = pi;
		g[i] = 0.0f;
		if (!isfinite(pi)) bad[0] = 1.0f;
	}
}
`
