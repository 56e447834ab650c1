// Counter-based random fills, the same numbers as the CPU's CounterRandom: element i is a function
// of (seed, i) only. The arithmetic is IEEE double with explicit round-to-nearest intrinsics, so
// the compiler cannot fuse a + b * u into an FMA and round differently from Java.
#include "common.cuh"

__device__ __forceinline__ unsigned long long mix64(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// bits(seed, counter) = mix64(mix64(seed) + counter * golden gamma); mixedSeed = mix64(seed).
__device__ __forceinline__ unsigned long long bits(unsigned long long mixedSeed, unsigned long long counter) {
    return mix64(mixedSeed + counter * 0x9E3779B97F4A7C15ULL);
}

__device__ __forceinline__ double to_unit(unsigned long long b) {
    return (double)(b >> 11) * 0x1.0p-53;
}

__device__ __forceinline__ double uniform01(unsigned long long seed, long long i) {
    return to_unit(bits(mix64(seed), (unsigned long long)i));
}

__device__ __forceinline__ double normal01(unsigned long long seed, long long i) {
    unsigned long long s = mix64(mix64(seed ^ 0x5851F42D4C957F2DULL));
    unsigned long long c = 2ULL * (unsigned long long)i;
    double u1 = (double)((bits(s, c) >> 11) + 1) * 0x1.0p-53; // (0, 1]: log is finite
    double u2 = to_unit(bits(s, c + 1));
    double r = sqrt(__dmul_rn(-2.0, log(u1)));
    return __dmul_rn(r, cos(__dmul_rn(6.283185307179586, u2))); // 2 * Math.PI, as Java folds it
}

// Element i of the uniform [a, b) fill, before its rounding to the storage's type.
__device__ __forceinline__ double uniform_ab(double a, double b, unsigned long long seed, long long i) {
    return __dadd_rn(a, __dmul_rn(__dsub_rn(b, a), uniform01(seed, i)));
}

template <typename T>
__device__ __forceinline__ void random_k(int n, int normal, double a, double b, unsigned long long seed, T* y) {
    GRID_STRIDE(i, n) {
        double v = normal ? __dadd_rn(a, __dmul_rn(b, normal01(seed, i))) : uniform_ab(a, b, seed, i);
        y[i] = (T)v;
    }
}

extern "C" __global__ void random_f32(int n, int normal, double a, double b, unsigned long long seed, float* y) {
    random_k<float>(n, normal, a, b, seed, y);
}
extern "C" __global__ void random_f64(int n, int normal, double a, double b, unsigned long long seed, double* y) {
    random_k<double>(n, normal, a, b, seed, y);
}
extern "C" __global__ void random_i32(int n, int normal, double a, double b, unsigned long long seed, int* y) {
    random_k<int>(n, normal, a, b, seed, y);
}

// The inverted-dropout mask (org.trainer.core.backend.Fused.DropoutMask) in one pass: bit for bit
// the composed fallback's random_f32 fill of [0, 1), its comparison u >= p in float32 (binary GE
// against a float32 p) and its scaling of the 0/1 result by a float32 keep = 1 / (1 - p) (unary
// SCALE, where 1 * keep is keep and 0 * keep is +0). The host rounds p and keep to float as those
// primitives' launches do.
extern "C" __global__ void dropout_mask_f32(int n, float p, float keep, unsigned long long seed, float* mask) {
    GRID_STRIDE(i, n) {
        float u = (float)uniform_ab(0.0, 1.0, seed, i);
        mask[i] = u >= p ? keep : 0.0f;
    }
}
