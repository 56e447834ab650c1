// Convolution layout kernels, pooling and embedding gather/scatter over [N, C, H, W] storages.
// Columns are [C*KH*KW, N*OH*OW], as the CPU's ConvKernels. Every adjoint (col2im, pooling
// backward, index_add) gathers per output element instead of scattering with atomics, so results
// do not depend on thread timing: one seed, one backend, bitwise-identical weights.
#include "common.cuh"

template <typename T> __device__ __forceinline__ void im2col_k(Geom g, const T* x, T* col) {
    long long cols = (long long)g.n * g.oh * g.ow;
    long long total = (long long)g.c * g.kh * g.kw * cols;
    GRID_STRIDE(idx, total) {
        int r = (int)(idx / cols);
        long long q = idx % cols;
        int xo = (int)(q % g.ow);
        int yo = (int)((q / g.ow) % g.oh);
        int n = (int)(q / ((long long)g.ow * g.oh));
        int c = r / (g.kh * g.kw);
        int ki = (r % (g.kh * g.kw)) / g.kw;
        int kj = r % g.kw;
        int ih = yo * g.sh - g.ph + ki * g.dh;
        int iw = xo * g.sw - g.pw + kj * g.dw;
        bool inside = ih >= 0 && ih < g.h && iw >= 0 && iw < g.w;
        col[idx] = inside ? x[(((long long)n * g.c + c) * g.h + ih) * g.w + iw] : T(0);
    }
}

// One thread per input element sums the column entries that read it.
template <typename T> __device__ __forceinline__ void col2im_k(Geom g, const T* col, T* gx) {
    long long cols = (long long)g.n * g.oh * g.ow;
    long long total = (long long)g.n * g.c * g.h * g.w;
    GRID_STRIDE(idx, total) {
        int iw = (int)(idx % g.w);
        int ih = (int)((idx / g.w) % g.h);
        int c = (int)((idx / ((long long)g.w * g.h)) % g.c);
        int n = (int)(idx / ((long long)g.w * g.h * g.c));
        T acc = T(0);
        for (int ki = 0; ki < g.kh; ki++) {
            int ty = ih + g.ph - ki * g.dh;
            if (ty < 0 || ty % g.sh != 0) continue;
            int yo = ty / g.sh;
            if (yo >= g.oh) continue;
            for (int kj = 0; kj < g.kw; kj++) {
                int tx = iw + g.pw - kj * g.dw;
                if (tx < 0 || tx % g.sw != 0) continue;
                int xo = tx / g.sw;
                if (xo >= g.ow) continue;
                int r = (c * g.kh + ki) * g.kw + kj;
                acc += col[(long long)r * cols + ((long long)n * g.oh + yo) * g.ow + xo];
            }
        }
        gx[idx] = acc;
    }
}

// Max pooling; argmax holds the index inside the input plane (ih * W + iw), as on the CPU. The
// first maximum in window order wins, and a NaN wins over numbers.
template <typename T> __device__ __forceinline__ void max_pool_k(Geom g, const T* x, T* y, int* argmax) {
    long long total = (long long)g.n * g.c * g.oh * g.ow;
    GRID_STRIDE(q, total) {
        int j = (int)(q % g.ow);
        int i = (int)((q / g.ow) % g.oh);
        long long p = q / ((long long)g.ow * g.oh);
        const T* in = x + p * g.h * g.w;
        T best = -INFINITY;
        int arg = -1;
        for (int a = 0; a < g.kh; a++) {
            int ih = i * g.sh - g.ph + a * g.dh;
            if (ih < 0 || ih >= g.h) continue;
            for (int b = 0; b < g.kw; b++) {
                int iw = j * g.sw - g.pw + b * g.dw;
                if (iw < 0 || iw >= g.w) continue;
                T v = in[ih * g.w + iw];
                if (arg < 0 || v > best || v != v) {
                    best = v;
                    arg = ih * g.w + iw;
                    if (v != v) {
                        a = g.kh;  // the first NaN wins: leave both loops
                        break;
                    }
                }
            }
        }
        y[q] = best;
        argmax[q] = arg;
    }
}

// One thread per input element sums gy over the windows whose recorded maximum it is.
template <typename T> __device__ __forceinline__ void max_pool_backward_k(Geom g, const T* gy, const int* argmax, T* gx) {
    long long total = (long long)g.n * g.c * g.h * g.w;
    GRID_STRIDE(idx, total) {
        int iw = (int)(idx % g.w);
        int ih = (int)((idx / g.w) % g.h);
        long long p = idx / ((long long)g.w * g.h);
        int self = ih * g.w + iw;
        T acc = T(0);
        for (int a = 0; a < g.kh; a++) {
            int ty = ih + g.ph - a * g.dh;
            if (ty < 0 || ty % g.sh != 0) continue;
            int i = ty / g.sh;
            if (i >= g.oh) continue;
            for (int b = 0; b < g.kw; b++) {
                int tx = iw + g.pw - b * g.dw;
                if (tx < 0 || tx % g.sw != 0) continue;
                int j = tx / g.sw;
                if (j >= g.ow) continue;
                long long q = (p * g.oh + i) * g.ow + j;
                if (argmax[q] == self) acc += gy[q];
            }
        }
        gx[idx] = acc;
    }
}

// Average pooling, padded cells counted in the divisor (count_include_pad=True); no dilation.
template <typename T> __device__ __forceinline__ void avg_pool_k(Geom g, const T* x, T* y) {
    long long total = (long long)g.n * g.c * g.oh * g.ow;
    double inv = 1.0 / (g.kh * g.kw);
    GRID_STRIDE(q, total) {
        int j = (int)(q % g.ow);
        int i = (int)((q / g.ow) % g.oh);
        long long p = q / ((long long)g.ow * g.oh);
        const T* in = x + p * g.h * g.w;
        double s = 0;
        for (int a = 0; a < g.kh; a++) {
            int ih = i * g.sh - g.ph + a;
            if (ih < 0 || ih >= g.h) continue;
            for (int b = 0; b < g.kw; b++) {
                int iw = j * g.sw - g.pw + b;
                if (iw < 0 || iw >= g.w) continue;
                s += (double)in[ih * g.w + iw];
            }
        }
        y[q] = (T)(s * inv);
    }
}

template <typename T> __device__ __forceinline__ void avg_pool_backward_k(Geom g, const T* gy, T* gx) {
    long long total = (long long)g.n * g.c * g.h * g.w;
    double inv = 1.0 / (g.kh * g.kw);
    GRID_STRIDE(idx, total) {
        int iw = (int)(idx % g.w);
        int ih = (int)((idx / g.w) % g.h);
        long long p = idx / ((long long)g.w * g.h);
        T acc = T(0);
        for (int a = 0; a < g.kh; a++) {
            int ty = ih + g.ph - a;
            if (ty < 0 || ty % g.sh != 0) continue;
            int i = ty / g.sh;
            if (i >= g.oh) continue;
            for (int b = 0; b < g.kw; b++) {
                int tx = iw + g.pw - b;
                if (tx < 0 || tx % g.sw != 0) continue;
                int j = tx / g.sw;
                if (j >= g.ow) continue;
                acc += (T)((double)gy[(p * g.oh + i) * g.ow + j] * inv);
            }
        }
        gx[idx] = acc;
    }
}

#define CONV(N, T)                                                                                                \
    extern "C" __global__ void im2col_##N(Geom g, const T* x, T* col) { im2col_k<T>(g, x, col); }               \
    extern "C" __global__ void col2im_##N(Geom g, const T* col, T* gx) { col2im_k<T>(g, col, gx); }             \
    extern "C" __global__ void max_pool_##N(Geom g, const T* x, T* y, int* argmax) { max_pool_k<T>(g, x, y, argmax); } \
    extern "C" __global__ void max_pool_backward_##N(Geom g, const T* gy, const int* argmax, T* gx) {          \
        max_pool_backward_k<T>(g, gy, argmax, gx);                                                                \
    }                                                                                                             \
    extern "C" __global__ void avg_pool_##N(Geom g, const T* x, T* y) { avg_pool_k<T>(g, x, y); }               \
    extern "C" __global__ void avg_pool_backward_##N(Geom g, const T* gy, T* gx) { avg_pool_backward_k<T>(g, gy, gx); }
CONV(f32, float)
CONV(f64, double)

// out[o, j, i] = x[o, index[j], i]; by element width (float32 and int32 share the 4-byte kernel).
template <typename T>
__device__ __forceinline__ void index_select_k(int outer, int n, int inner, const T* x, const int* index, int m, T* out) {
    long long total = (long long)outer * m * inner;
    GRID_STRIDE(idx, total) {
        long long i = idx % inner;
        long long r = idx / inner;
        long long o = r / m;
        int j = (int)(r % m);
        out[idx] = x[(o * n + index[j]) * inner + i];
    }
}
extern "C" __global__ void index_select_4(int outer, int n, int inner, const unsigned int* x, const int* index, int m,
                                          unsigned int* out) {
    index_select_k<unsigned int>(outer, n, inner, x, index, m, out);
}
extern "C" __global__ void index_select_8(int outer, int n, int inner, const unsigned long long* x, const int* index,
                                          int m, unsigned long long* out) {
    index_select_k<unsigned long long>(outer, n, inner, x, index, m, out);
}

// Adjoint of index_select. The host groups the positions j by target row (rows[u] receives the
// positions js[start[u] .. start[u+1]) in increasing j), so each thread owns one output element and
// adds in the CPU's order; rows no index names stay as zeroed by the host.
template <typename T>
__device__ __forceinline__ void index_add_k(int outer, int n, int inner, const T* gy, int m, const int* rows,
                                            const int* start, const int* js, int unique, T* gx) {
    long long total = (long long)outer * unique * inner;
    GRID_STRIDE(idx, total) {
        long long i = idx % inner;
        long long r = idx / inner;
        long long o = r / unique;
        int u = (int)(r % unique);
        T acc = T(0);
        for (int t = start[u]; t < start[u + 1]; t++) acc += gy[(o * m + js[t]) * inner + i];
        gx[(o * n + rows[u]) * inner + i] = acc;
    }
}
#define INDEX_ADD(N, T)                                                                                           \
    extern "C" __global__ void index_add_##N(int outer, int n, int inner, const T* gy, int m, const int* rows,    \
                                             const int* start, const int* js, int unique, T* gx) {               \
        index_add_k<T>(outer, n, inner, gy, m, rows, start, js, unique, gx);                                      \
    }
INDEX_ADD(f32, float)
INDEX_ADD(f64, double)
