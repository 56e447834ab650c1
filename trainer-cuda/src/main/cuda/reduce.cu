// Reductions along the middle axis of x viewed as [outer, n, inner], and the fused (log-)softmax.
// Sums accumulate in double, as the CPU backend does. Rows (inner == 1) get one block each and a
// shared-memory tree; other shapes get one thread per (outer, inner) column, whose reads coalesce
// across neighbouring threads.
#include "common.cuh"

#define BLOCK 256

// op: 0 SUM, 1 MAX, 2 MIN (org.trainer.core.backend.ReduceOp order, mapped in OpCodes).
__device__ __forceinline__ double combine(int op, double acc, double v) {
    switch (op) {
        case 0: return acc + v;
        case 1: return (v > acc || v != v) ? v : acc;
        default: return (v < acc || v != v) ? v : acc;
    }
}

// Tree reduction of one value per thread; every thread gets the result.
__device__ __forceinline__ double block_combine(int op, double v, double* shared) {
    shared[threadIdx.x] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) {
            shared[threadIdx.x] = combine(op, shared[threadIdx.x], shared[threadIdx.x + s]);
        }
        __syncthreads();
    }
    double r = shared[0];
    __syncthreads();
    return r;
}

template <typename T> __device__ __forceinline__ void reduce_rows_k(int op, int n, const T* x, T* out) {
    __shared__ double shared[BLOCK];
    const T* row = x + (long long)blockIdx.x * n;
    double acc = (double)row[0];
    bool have = threadIdx.x == 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        if (j == 0) continue;
        double v = (double)row[j];
        acc = have ? combine(op, acc, v) : v;
        have = true;
    }
    // Threads that saw nothing contribute the first element, which MAX/MIN ignore; SUM needs 0.
    if (!have) acc = op == 0 ? 0.0 : (double)row[0];
    double r = block_combine(op, acc, shared);
    if (threadIdx.x == 0) out[blockIdx.x] = (T)r;
}

template <typename T>
__device__ __forceinline__ void reduce_cols_k(int op, int outer, int n, int inner, const T* x, T* out) {
    long long total = (long long)outer * inner;
    GRID_STRIDE(idx, total) {
        long long o = idx / inner;
        long long i = idx % inner;
        const T* base = x + o * n * inner + i;
        double acc = (double)base[0];
        for (int j = 1; j < n; j++) acc = combine(op, acc, (double)base[(long long)j * inner]);
        out[idx] = (T)acc;
    }
}

#define REDUCE(N, T)                                                                                              \
    extern "C" __global__ void reduce_rows_##N(int op, int n, const T* x, T* out) { reduce_rows_k<T>(op, n, x, out); } \
    extern "C" __global__ void reduce_cols_##N(int op, int outer, int n, int inner, const T* x, T* out) {        \
        reduce_cols_k<T>(op, outer, n, inner, x, out);                                                            \
    }
REDUCE(f32, float)
REDUCE(f64, double)
REDUCE(i32, int)

// Index of the first max (min) along the middle axis; a NaN wins and ends the scan, as on the CPU.
template <typename T>
__device__ __forceinline__ void arg_reduce_k(int max, int outer, int n, int inner, const T* x, int* out) {
    long long total = (long long)outer * inner;
    GRID_STRIDE(idx, total) {
        long long o = idx / inner;
        long long i = idx % inner;
        const T* base = x + o * n * inner + i;
        int best = 0;
        T bv = base[0];
        for (int j = 1; j < n && !(bv != bv); j++) {
            T v = base[(long long)j * inner];
            if (max ? (v > bv || v != v) : (v < bv || v != v)) {
                best = j;
                bv = v;
            }
        }
        out[idx] = best;
    }
}
#define ARG_REDUCE(N, T)                                                                                          \
    extern "C" __global__ void arg_reduce_##N(int max, int outer, int n, int inner, const T* x, int* out) {      \
        arg_reduce_k<T>(max, outer, n, inner, x, out);                                                            \
    }
ARG_REDUCE(f32, float)
ARG_REDUCE(f64, double)
ARG_REDUCE(i32, int)

// Softmax computes in double, as the CPU backend, and rounds once on store.
template <typename T> __device__ __forceinline__ void softmax_rows_k(int log, int n, const T* x, T* y) {
    __shared__ double shared[BLOCK];
    long long base = (long long)blockIdx.x * n;
    double m = -INFINITY;
    for (int j = threadIdx.x; j < n; j += blockDim.x) m = jmax(m, (double)x[base + j]);
    // MAX with NaN propagation through the same tree as reduce (op 1).
    m = block_combine(1, m, shared);
    double s = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) s += exp((double)x[base + j] - m);
    s = block_combine(0, s, shared);
    double logSum = ::log(s);
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        double z = (double)x[base + j] - m;
        y[base + j] = (T)(log ? z - logSum : exp(z) / s);
    }
}

template <typename T>
__device__ __forceinline__ void softmax_cols_k(int log, int outer, int n, int inner, const T* x, T* y) {
    long long total = (long long)outer * inner;
    GRID_STRIDE(idx, total) {
        long long base = (idx / inner) * n * inner + idx % inner;
        double m = -INFINITY;
        for (int j = 0; j < n; j++) m = jmax(m, (double)x[base + (long long)j * inner]);
        double s = 0;
        for (int j = 0; j < n; j++) s += exp((double)x[base + (long long)j * inner] - m);
        double logSum = ::log(s);
        for (int j = 0; j < n; j++) {
            double z = (double)x[base + (long long)j * inner] - m;
            y[base + (long long)j * inner] = (T)(log ? z - logSum : exp(z) / s);
        }
    }
}

// Gradient: log-softmax gx = gy - exp(y) * sum(gy); softmax gx = y * (gy - sum(gy * y)).
template <typename T>
__device__ __forceinline__ void softmax_backward_rows_k(int log, int n, const T* y, const T* gy, T* gx) {
    __shared__ double shared[BLOCK];
    long long base = (long long)blockIdx.x * n;
    double dot = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        double g = (double)gy[base + j];
        dot += log ? g : g * (double)y[base + j];
    }
    dot = block_combine(0, dot, shared);
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        double g = (double)gy[base + j];
        double v = (double)y[base + j];
        gx[base + j] = (T)(log ? g - exp(v) * dot : v * (g - dot));
    }
}

template <typename T>
__device__ __forceinline__ void softmax_backward_cols_k(int log, int outer, int n, int inner, const T* y, const T* gy,
                                                        T* gx) {
    long long total = (long long)outer * inner;
    GRID_STRIDE(idx, total) {
        long long base = (idx / inner) * n * inner + idx % inner;
        double dot = 0;
        for (int j = 0; j < n; j++) {
            long long q = base + (long long)j * inner;
            dot += log ? (double)gy[q] : (double)gy[q] * (double)y[q];
        }
        for (int j = 0; j < n; j++) {
            long long q = base + (long long)j * inner;
            double g = (double)gy[q];
            double v = (double)y[q];
            gx[q] = (T)(log ? g - exp(v) * dot : v * (g - dot));
        }
    }
}

#define SOFTMAX(N, T)                                                                                             \
    extern "C" __global__ void softmax_rows_##N(int log, int n, const T* x, T* y) { softmax_rows_k<T>(log, n, x, y); } \
    extern "C" __global__ void softmax_cols_##N(int log, int outer, int n, int inner, const T* x, T* y) {         \
        softmax_cols_k<T>(log, outer, n, inner, x, y);                                                            \
    }                                                                                                             \
    extern "C" __global__ void softmax_backward_rows_##N(int log, int n, const T* y, const T* gy, T* gx) {       \
        softmax_backward_rows_k<T>(log, n, y, gy, gx);                                                            \
    }                                                                                                             \
    extern "C" __global__ void softmax_backward_cols_##N(int log, int outer, int n, int inner, const T* y,       \
                                                         const T* gy, T* gx) {                                    \
        softmax_backward_cols_k<T>(log, outer, n, inner, y, gy, gx);                                              \
    }
SOFTMAX(f32, float)
SOFTMAX(f64, double)

// The fused softmax cross-entropy with hard labels (org.trainer.core.backend.Backend#nllLoss and
// #crossEntropyBackward), on the log-softmax the softmax kernels above produce. A kernel cannot
// raise an error, so a label outside [0, c) gives a NaN loss. The gradient is formed in double,
// as the CPU backend does: gx = g * exp(logP) - g [j == label], with g the sample's loss gradient
// (or the one gradient of a scaled sum) times the scale, rounded in T.
template <typename T> __device__ __forceinline__ void nll_loss_k(int n, int c, const T* logP, const int* labels, T* loss) {
    GRID_STRIDE(r, n) {
        int y = labels[r];
        loss[r] = (y >= 0 && y < c) ? -logP[r * (long long)c + y] : (T)nan("");
    }
}

template <typename T>
__device__ __forceinline__ void ce_backward_k(int n, int c, const T* logP, const int* labels, const T* gLoss,
                                             int single, T scale, T* gx) {
    long long total = (long long)n * c;
    GRID_STRIDE(k, total) {
        long long r = k / c;
        int j = (int)(k - r * c);
        double g = (double)mul(gLoss[single ? 0 : r], scale);
        double e = exp((double)logP[k]) * g;
        gx[k] = (T)(j == labels[r] ? e - g : e);
    }
}

extern "C" __global__ void nll_loss_f32(int n, int c, const float* logP, const int* labels, float* loss) {
    nll_loss_k<float>(n, c, logP, labels, loss);
}
extern "C" __global__ void nll_loss_f64(int n, int c, const double* logP, const int* labels, double* loss) {
    nll_loss_k<double>(n, c, logP, labels, loss);
}
extern "C" __global__ void ce_backward_f32(int n, int c, const float* logP, const int* labels, const float* gLoss,
                                           int single, float scale, float* gx) {
    ce_backward_k<float>(n, c, logP, labels, gLoss, single, scale, gx);
}
extern "C" __global__ void ce_backward_f64(int n, int c, const double* logP, const int* labels, const double* gLoss,
                                           int single, double scale, double* gx) {
    ce_backward_k<double>(n, c, logP, labels, gLoss, single, scale, gx);
}
