// Layer normalisation of rows (org.trainer.core.backend.Fused.LayerNorm): one block per row for
// the statistics and x's gradient, the row's sums in double as the CPU backend's CpuLayerNorm, and
// one thread per column for the weight and bias gradients, whose sums run over the rows in order.
// float32 rounds where CpuLayerNorm rounds: the mean and rstd are stored as float and y and gx are
// computed from the rounded values.
//
// The block size is any multiple of 32 up to MAX_THREADS (the host picks it from the row length,
// LayerNormLaunch.threads); a block reduces through warp shuffles and one shared slot per warp.
#include "common.cuh"

#define MAX_THREADS 256
#define WARPS (MAX_THREADS / 32)

__device__ __forceinline__ double warp_sum(double v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    return v;
}

// The sum of v over the block, returned to every thread. shared holds WARPS doubles; the trailing
// barrier lets the caller reduce again with the same slots.
__device__ __forceinline__ double block_sum(double v, double* shared) {
    int lane = threadIdx.x & 31;
    int warp = threadIdx.x >> 5;
    int warps = blockDim.x >> 5;
    v = warp_sum(v);
    if (lane == 0) shared[warp] = v;
    __syncthreads();
    double s = 0;
    // Every thread adds the per-warp sums in the same order, so all see the same value.
    for (int w = 0; w < warps; w++) s += shared[w];
    __syncthreads();
    return s;
}

template <typename T>
__device__ __forceinline__ void layer_norm_k(int n, double eps, const T* x, const T* w, const T* b, T* y, T* mean,
                                             T* rstd) {
    __shared__ double shared[WARPS];
    long long o = (long long)blockIdx.x * n;
    double s = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) s += (double)x[o + j];
    double mu = block_sum(s, shared) / n;
    double v = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        double d = (double)x[o + j] - mu;
        v += d * d;
    }
    double var = block_sum(v, shared) / n;
    T muT = (T)mu;
    T rs = (T)(1.0 / sqrt(var + eps));
    for (int j = threadIdx.x; j < n; j += blockDim.x) y[o + j] = (x[o + j] - muT) * rs * w[j] + b[j];
    if (threadIdx.x == 0) {
        mean[blockIdx.x] = muT;
        rstd[blockIdx.x] = rs;
    }
}

// gx = rstd (gh - mean(gh) - xhat mean(gh xhat)) with gh = gy w and xhat = (x - mean) rstd.
template <typename T>
__device__ __forceinline__ void layer_norm_backward_k(int n, const T* x, const T* w, const T* mean, const T* rstd,
                                                      const T* gy, T* gx) {
    __shared__ double shared[WARPS];
    long long o = (long long)blockIdx.x * n;
    T mu = mean[blockIdx.x];
    T rs = rstd[blockIdx.x];
    double a = 0;
    double c = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        T gh = gy[o + j] * w[j];
        a += (double)gh;
        c += (double)(gh * ((x[o + j] - mu) * rs));
    }
    T ma = (T)(block_sum(a, shared) / n);
    T mc = (T)(block_sum(c, shared) / n);
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        T gh = gy[o + j] * w[j];
        gx[o + j] = rs * (gh - ma - (x[o + j] - mu) * rs * mc);
    }
}

// gw[j] = sum_r gy[r, j] xhat[r, j] and gb[j] = sum_r gy[r, j], in double over the rows in order.
template <typename T>
__device__ __forceinline__ void layer_norm_columns_k(int rows, int n, const T* x, const T* mean, const T* rstd,
                                                     const T* gy, T* gw, T* gb) {
    GRID_STRIDE(j, n) {
        double sw = 0;
        double sb = 0;
        for (int r = 0; r < rows; r++) {
            long long k = (long long)r * n + j;
            T g = gy[k];
            sw += (double)(g * ((x[k] - mean[r]) * rstd[r]));
            sb += (double)g;
        }
        gw[j] = (T)sw;
        gb[j] = (T)sb;
    }
}

#define NORM(N, T)                                                                                                 \
    extern "C" __global__ void layer_norm_##N(int n, double eps, const T* x, const T* w, const T* b, T* y,         \
                                              T* mean, T* rstd) {                                                  \
        layer_norm_k<T>(n, eps, x, w, b, y, mean, rstd);                                                           \
    }                                                                                                              \
    extern "C" __global__ void layer_norm_backward_##N(int n, const T* x, const T* w, const T* mean,              \
                                                       const T* rstd, const T* gy, T* gx) {                        \
        layer_norm_backward_k<T>(n, x, w, mean, rstd, gy, gx);                                                     \
    }                                                                                                              \
    extern "C" __global__ void layer_norm_columns_##N(int rows, int n, const T* x, const T* mean, const T* rstd,  \
                                                      const T* gy, T* gw, T* gb) {                                 \
        layer_norm_columns_k<T>(rows, n, x, mean, rstd, gy, gw, gb);                                               \
    }
NORM(f32, float)
NORM(f64, double)
