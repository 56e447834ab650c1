// Elementwise primitives: unary ops and their derivatives, broadcast binary ops, where, casts,
// fills and strided copies. Op codes are assigned in org.trainer.cuda.OpCodes; the formulas are
// those of org.trainer.core.backend.UnaryOp / BinaryOp (the CPU backend's reference definitions).
#include "common.cuh"

template <typename T> __device__ __forceinline__ T sigmoid(T x) {
    // Split on the sign so that exp never overflows, as UnaryOp.SIGMOID.
    if (x >= 0) return T(1) / (T(1) + m_exp(-x));
    T e = m_exp(x);
    return e / (T(1) + e);
}

template <typename T> __device__ __forceinline__ T unary_apply(int op, T x, T p) {
    switch (op) {
        case 0: return -x;                                        // NEG
        case 1: return m_exp(x);                                  // EXP
        case 2: return m_log(x);                                  // LOG
        case 3: return m_sqrt(x);                                 // SQRT
        case 4: return m_abs(x);                                  // ABS
        case 5: return m_pow(x, p);                               // POW_SCALAR
        case 6: return T(1) / x;                                  // RECIPROCAL
        case 7: return x > 0 ? x : T(0);                          // RELU
        case 8: return x > 0 ? x : p * x;                         // LEAKY_RELU
        case 9: return sigmoid(x);                                // SIGMOID
        case 10: return m_tanh(x);                                // TANH
        case 11: return x * T(0.5) * (T(1) + m_erf(x * T(0.70710678118654752440))); // GELU (exact)
        case 12: return x > T(20) ? x : m_log1p(m_exp(x));        // SOFTPLUS, threshold 20
        case 13: return jmin(x, p);                               // CLAMP_MAX
        case 14: return jmax(x, p);                               // CLAMP_MIN
        case 15: return x * p;                                    // SCALE
        case 16: return x + p;                                    // SHIFT
        default: return T(0) / T(0);
    }
}

template <typename T> __device__ __forceinline__ T unary_derivative(int op, T x, T y, T p) {
    switch (op) {
        case 0: return T(-1);
        case 1: return y;
        case 2: return T(1) / x;
        case 3: return T(0.5) / y;
        case 4: return x > 0 ? T(1) : (x < 0 ? T(-1) : x);       // Math.signum: 0 and NaN map to themselves
        case 5: return p == 0 ? T(0) : p * m_pow(x, p - T(1));
        case 6: return -y * y;
        case 7: return x > 0 ? T(1) : T(0);
        case 8: return x > 0 ? T(1) : p;
        case 9: return y * (T(1) - y);
        case 10: return T(1) - y * y;
        case 11: {
            T cdf = T(0.5) * (T(1) + m_erf(x * T(0.70710678118654752440)));
            T pdf = m_exp(T(-0.5) * x * x) * T(0.39894228040143267794); // 1/sqrt(2 pi)
            return cdf + x * pdf;
        }
        case 12: return x > T(20) ? T(1) : sigmoid(x);
        case 13: return x <= p ? T(1) : T(0);
        case 14: return x >= p ? T(1) : T(0);
        case 15: return p;
        case 16: return T(1);
        default: return T(0) / T(0);
    }
}

template <typename T> __device__ __forceinline__ void unary_k(int op, T p, int n, const T* x, T* y) {
    GRID_STRIDE(i, n) { y[i] = unary_apply(op, x[i], p); }
}

template <typename T>
__device__ __forceinline__ void unary_backward_k(int op, T p, int n, const T* x, const T* y, const T* gy, T* gx) {
    GRID_STRIDE(i, n) {
        // RELU passes gy through or drops it (no 0 * inf = NaN), as the CPU's float loop.
        gx[i] = op == 7 ? (x[i] > 0 ? gy[i] : T(0)) : gy[i] * unary_derivative(op, x[i], y[i], p);
    }
}

extern "C" __global__ void unary_f32(int op, float p, int n, const float* x, float* y) { unary_k<float>(op, p, n, x, y); }
extern "C" __global__ void unary_f64(int op, double p, int n, const double* x, double* y) { unary_k<double>(op, p, n, x, y); }
extern "C" __global__ void unary_backward_f32(int op, float p, int n, const float* x, const float* y, const float* gy, float* gx) {
    unary_backward_k<float>(op, p, n, x, y, gy, gx);
}
extern "C" __global__ void unary_backward_f64(int op, double p, int n, const double* x, const double* y, const double* gy, double* gx) {
    unary_backward_k<double>(op, p, n, x, y, gy, gx);
}

template <typename T> __device__ __forceinline__ T binary_apply(int op, T a, T b) {
    switch (op) {
        case 0: return a + b;
        case 1: return a - b;
        case 2: return a * b;
        case 3: return a / b;
        case 4: return m_pow(a, b);
        case 5: return jmax(a, b);
        case 6: return jmin(a, b);
        case 7: return a == b ? T(1) : T(0);
        case 8: return a != b ? T(1) : T(0);
        case 9: return a < b ? T(1) : T(0);
        case 10: return a <= b ? T(1) : T(0);
        case 11: return a > b ? T(1) : T(0);
        case 12: return a >= b ? T(1) : T(0);
        default: return T(0) / T(0);
    }
}

// Offsets of output element i in operands walking `shape` with the given strides (0 = broadcast).
__device__ __forceinline__ void offsets2(long long i, int rank, const Dims& shape, const Dims& s0, const Dims& s1,
                                         long long& o0, long long& o1) {
    o0 = 0;
    o1 = 0;
#pragma unroll
    for (int ax = MAX_RANK - 1; ax >= 0; ax--) {
        if (ax < rank) {
            int idx = (int)(i % shape.v[ax]);
            i /= shape.v[ax];
            o0 += (long long)idx * s0.v[ax];
            o1 += (long long)idx * s1.v[ax];
        }
    }
}

template <typename T>
__device__ __forceinline__ void binary_k(int op, int rank, int total, Dims shape, const T* a, Dims sa, const T* b,
                                         Dims sb, T* out) {
    GRID_STRIDE(i, total) {
        long long oa, ob;
        offsets2(i, rank, shape, sa, sb, oa, ob);
        out[i] = binary_apply(op, a[oa], b[ob]);
    }
}

extern "C" __global__ void binary_f32(int op, int rank, int total, Dims shape, const float* a, Dims sa, const float* b,
                                      Dims sb, float* out) {
    binary_k<float>(op, rank, total, shape, a, sa, b, sb, out);
}
extern "C" __global__ void binary_f64(int op, int rank, int total, Dims shape, const double* a, Dims sa, const double* b,
                                      Dims sb, double* out) {
    binary_k<double>(op, rank, total, shape, a, sa, b, sb, out);
}

template <typename C, typename T>
__device__ __forceinline__ void where_k(int rank, int total, Dims shape, const C* cond, Dims sc, const T* a, Dims sa,
                                        const T* b, Dims sb, T* out) {
    GRID_STRIDE(i, total) {
        long long oc = 0, oa = 0, ob = 0;
        long long r = i;
#pragma unroll
        for (int ax = MAX_RANK - 1; ax >= 0; ax--) {
            if (ax < rank) {
                int idx = (int)(r % shape.v[ax]);
                r /= shape.v[ax];
                oc += (long long)idx * sc.v[ax];
                oa += (long long)idx * sa.v[ax];
                ob += (long long)idx * sb.v[ax];
            }
        }
        out[i] = cond[oc] != C(0) ? a[oa] : b[ob];
    }
}

#define WHERE(CN, CT, TN, TT)                                                                                     \
    extern "C" __global__ void where_##CN##_##TN(int rank, int total, Dims shape, const CT* cond, Dims sc,         \
                                                 const TT* a, Dims sa, const TT* b, Dims sb, TT* out) {           \
        where_k<CT, TT>(rank, total, shape, cond, sc, a, sa, b, sb, out);                                        \
    }
WHERE(f32, float, f32, float)
WHERE(f32, float, f64, double)
WHERE(f32, float, i32, int)
WHERE(f64, double, f32, float)
WHERE(f64, double, f64, double)
WHERE(f64, double, i32, int)
WHERE(i32, int, f32, float)
WHERE(i32, int, f64, double)
WHERE(i32, int, i32, int)

// Java's narrowing: float -> int truncates toward zero and saturates, NaN -> 0 (PTX cvt.rzi does the same).
#define CAST(SN, ST, DN, DT)                                                                                      \
    extern "C" __global__ void cast_##SN##_##DN(int n, const ST* x, DT* y) {                                      \
        GRID_STRIDE(i, n) { y[i] = (DT)x[i]; }                                                                    \
    }
CAST(f32, float, f64, double)
CAST(f32, float, i32, int)
CAST(f64, double, f32, float)
CAST(f64, double, i32, int)
CAST(i32, int, f32, float)
CAST(i32, int, f64, double)

extern "C" __global__ void fill_f64(int n, double v, double* y) {
    GRID_STRIDE(i, n) { y[i] = v; }
}

// Strided copy by element width: float32 and int32 share the 4-byte kernel.
template <typename T>
__device__ __forceinline__ void copy_k(int rank, int total, Dims shape, const T* src, int srcOffset, Dims ss, T* dst,
                                       int dstOffset, Dims ds) {
    GRID_STRIDE(i, total) {
        long long os, od;
        offsets2(i, rank, shape, ss, ds, os, od);
        dst[dstOffset + od] = src[srcOffset + os];
    }
}
extern "C" __global__ void copy_4(int rank, int total, Dims shape, const unsigned int* src, int srcOffset, Dims ss,
                                  unsigned int* dst, int dstOffset, Dims ds) {
    copy_k<unsigned int>(rank, total, shape, src, srcOffset, ss, dst, dstOffset, ds);
}
extern "C" __global__ void copy_8(int rank, int total, Dims shape, const unsigned long long* src, int srcOffset, Dims ss,
                                  unsigned long long* dst, int dstOffset, Dims ds) {
    copy_k<unsigned long long>(rank, total, shape, src, srcOffset, ss, dst, dstOffset, ds);
}

// Keeps the stream busy for `nanos` nanoseconds of the device's global timer (one thread). The
// device timer queues it before the operations of a measurement: they are then queued while the
// device still runs this, and each operation's pair of events brackets its own run instead of the
// host's time to launch it.
// An iteration takes more than a nanosecond, so the loop also ends after `nanos` iterations: a
// timer that did not advance could not hang the stream.
extern "C" __global__ void hold(long long nanos) {
    unsigned long long t0, t;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
    long long spins = 0;
    do {
        asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    } while ((long long)(t - t0) < nanos && ++spins < nanos);
}
