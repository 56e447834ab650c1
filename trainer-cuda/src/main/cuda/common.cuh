// Shared by every kernel file. Kernels take storages as base pointers and element counts as int:
// the Java Storage API sizes are int, and the index arithmetic that can exceed int is done in long.
#pragma once

#define MAX_RANK 8

// Small int arrays passed by value, so that a launch needs no device-side scratch buffer.
struct Dims {
    int v[MAX_RANK];
};

// Convolution / pooling geometry, as org.trainer.core.backend.ConvGeometry plus its output size.
struct Geom {
    int n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow;
};

#define GRID_STRIDE(i, total) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (total); \
         i += (long long)blockDim.x * gridDim.x)

// java.lang.Math.max / min: NaN wins, and -0.0 < +0.0.
template <typename T> __device__ __forceinline__ T jmax(T a, T b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a > b) return a;
    if (a < b) return b;
    return signbit((double)a) ? b : a;
}
template <typename T> __device__ __forceinline__ T jmin(T a, T b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a < b) return a;
    if (a > b) return b;
    return signbit((double)a) ? a : b;
}

// Math functions picked by argument type, so one template serves float and double.
__device__ __forceinline__ float m_exp(float x) { return expf(x); }
__device__ __forceinline__ double m_exp(double x) { return exp(x); }
__device__ __forceinline__ float m_log(float x) { return logf(x); }
__device__ __forceinline__ double m_log(double x) { return log(x); }
__device__ __forceinline__ float m_log1p(float x) { return log1pf(x); }
__device__ __forceinline__ double m_log1p(double x) { return log1p(x); }
__device__ __forceinline__ float m_sqrt(float x) { return sqrtf(x); }
__device__ __forceinline__ double m_sqrt(double x) { return sqrt(x); }
__device__ __forceinline__ float m_pow(float x, float p) { return powf(x, p); }
__device__ __forceinline__ double m_pow(double x, double p) { return pow(x, p); }
__device__ __forceinline__ float m_tanh(float x) { return tanhf(x); }
__device__ __forceinline__ double m_tanh(double x) { return tanh(x); }
__device__ __forceinline__ float m_erf(float x) { return erff(x); }
__device__ __forceinline__ double m_erf(double x) { return erf(x); }
__device__ __forceinline__ float m_abs(float x) { return fabsf(x); }
__device__ __forceinline__ double m_abs(double x) { return fabs(x); }

// A product rounded once, as Java's: __fmul_rn / __dmul_rn are never contracted into a fused
// multiply-add with a neighbouring addition.
__device__ __forceinline__ float mul(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double mul(double a, double b) { return __dmul_rn(a, b); }
