// Fused optimizer updates: one pass over a parameter's memory per step.
#include "common.cuh"

// Products go through mul() (common.cuh), which the compiler never contracts into a fused
// multiply-add, so each update rounds as Java's does (see the note above the Adam update).

// torch.optim.SGD, as org.trainer.core.backend.Backend#sgdStep and the CPU's FloatKernels.sgd:
// d = g + wd * w; with momentum, buf = first ? d : momentum * buf + (1 - dampening) * d and the
// direction is d + momentum * buf (Nesterov) or buf; w -= lr * direction. One element k; keep is
// 1 - dampening. The single-tensor and the multi-tensor kernels share it, so that both compute
// each element with the same operations.
template <typename T>
__device__ __forceinline__ void sgd_at(long long k, T* w, const T* g, T* buf, int hasBuf, T lr, T momentum, T keep,
                                       T weightDecay, int nesterov, int first) {
    T wk = w[k];
    T d = g[k] + mul(weightDecay, wk);
    if (hasBuf) {
        T b = first ? d : mul(momentum, buf[k]) + mul(keep, d);
        buf[k] = b;
        d = nesterov ? d + mul(momentum, b) : b;
    }
    w[k] = wk - mul(lr, d);
}

template <typename T>
__device__ __forceinline__ void sgd_k(int n, T* w, const T* g, T* buf, int hasBuf, T lr, T momentum, T dampening,
                                      T weightDecay, int nesterov, int first) {
    T keep = T(1) - dampening;
    GRID_STRIDE(k, n) {
        sgd_at<T>(k, w, g, buf, hasBuf, lr, momentum, keep, weightDecay, nesterov, first);
    }
}

extern "C" __global__ void sgd_f32(int n, float* w, const float* g, float* buf, int hasBuf, float lr, float momentum,
                                   float dampening, float weightDecay, int nesterov, int first) {
    sgd_k<float>(n, w, g, buf, hasBuf, lr, momentum, dampening, weightDecay, nesterov, first);
}
extern "C" __global__ void sgd_f64(int n, double* w, const double* g, double* buf, int hasBuf, double lr,
                                   double momentum, double dampening, double weightDecay, int nesterov, int first) {
    sgd_k<double>(n, w, g, buf, hasBuf, lr, momentum, dampening, weightDecay, nesterov, first);
}

// The updates below mirror the CPU backend's fused loops (CpuBackend and FloatKernels) operation
// for operation. Products go through mul(), whose __fmul_rn / __dmul_rn the compiler never
// contracts into a fused multiply-add, so each step rounds as Java's does; sqrt and division are
// IEEE round-to-nearest (nvcc's default -prec-sqrt / -prec-div). The host precomputes the
// per-step scalars in double exactly as the CPU backend does and passes them rounded to T.

// torch.optim.Adam / AdamW, as Backend#adamStep: shrink = 1 - lr * weightDecay when decoupled
// (else 1), l2 = weightDecay when coupled (else 0), stepSize = lr / (1 - beta1^t),
// c2Sqrt = sqrt(1 - beta2^t). With hasMax (AMSGrad) the denominator uses max(vMax, v). One element
// k; keep1 and keep2 are 1 - beta1 and 1 - beta2. Shared by the single- and multi-tensor kernels.
template <typename T>
__device__ __forceinline__ void adam_at(long long k, T* w, const T* g, T* m, T* v, T* vMax, int hasMax, T shrink,
                                        T l2, T beta1, T beta2, T keep1, T keep2, T eps, T stepSize, T c2Sqrt) {
    T wk = mul(w[k], shrink);
    T gk = g[k] + mul(l2, wk);
    T mk = mul(beta1, m[k]) + mul(keep1, gk);
    T vk = mul(beta2, v[k]) + mul(mul(keep2, gk), gk);
    m[k] = mk;
    v[k] = vk;
    if (hasMax) {
        T xk = vMax[k];
        // Java's Math.max: NaN wins.
        vk = (xk != xk || vk != vk) ? xk + vk : (xk > vk ? xk : vk);
        vMax[k] = vk;
    }
    w[k] = wk - mul(stepSize, mk) / (m_sqrt(vk) / c2Sqrt + eps);
}

template <typename T>
__device__ __forceinline__ void adam_k(int n, T* w, const T* g, T* m, T* v, T* vMax, int hasMax, T shrink, T l2,
                                       T beta1, T beta2, T eps, T stepSize, T c2Sqrt) {
    T keep1 = T(1) - beta1;
    T keep2 = T(1) - beta2;
    GRID_STRIDE(k, n) {
        adam_at<T>(k, w, g, m, v, vMax, hasMax, shrink, l2, beta1, beta2, keep1, keep2, eps, stepSize, c2Sqrt);
    }
}

extern "C" __global__ void adam_f32(int n, float* w, const float* g, float* m, float* v, float* vMax, int hasMax,
                                    float shrink, float l2, float beta1, float beta2, float eps, float stepSize,
                                    float c2Sqrt) {
    adam_k<float>(n, w, g, m, v, vMax, hasMax, shrink, l2, beta1, beta2, eps, stepSize, c2Sqrt);
}
extern "C" __global__ void adam_f64(int n, double* w, const double* g, double* m, double* v, double* vMax,
                                    int hasMax, double shrink, double l2, double beta1, double beta2, double eps,
                                    double stepSize, double c2Sqrt) {
    adam_k<double>(n, w, g, m, v, vMax, hasMax, shrink, l2, beta1, beta2, eps, stepSize, c2Sqrt);
}

// torch.optim.RMSprop, as Backend#rmspropStep: g' = g + weightDecay w; sq = alpha sq + (1 - alpha) g'^2;
// centered (hasAvg): ga = alpha ga + (1 - alpha) g' and sq' = sq - ga^2; d = g' / (sqrt(sq') + eps);
// with momentum (hasBuf): buf = d + momentum buf, d = buf; w -= lr d.
template <typename T>
__device__ __forceinline__ void rmsprop_k(int n, T* w, const T* g, T* sq, T* ga, int hasAvg, T* buf, int hasBuf,
                                          T lr, T alpha, T eps, T weightDecay, T momentum) {
    T keep = T(1) - alpha;
    GRID_STRIDE(k, n) {
        T wk = w[k];
        T gk = g[k] + mul(weightDecay, wk);
        T sk = mul(alpha, sq[k]) + mul(mul(keep, gk), gk);
        sq[k] = sk;
        if (hasAvg) {
            T ak = mul(alpha, ga[k]) + mul(keep, gk);
            ga[k] = ak;
            sk -= mul(ak, ak);
        }
        T d = gk / (m_sqrt(sk) + eps);
        if (hasBuf) {
            d += mul(momentum, buf[k]);
            buf[k] = d;
        }
        w[k] = wk - mul(lr, d);
    }
}

extern "C" __global__ void rmsprop_f32(int n, float* w, const float* g, float* sq, float* ga, int hasAvg, float* buf,
                                       int hasBuf, float lr, float alpha, float eps, float weightDecay,
                                       float momentum) {
    rmsprop_k<float>(n, w, g, sq, ga, hasAvg, buf, hasBuf, lr, alpha, eps, weightDecay, momentum);
}
extern "C" __global__ void rmsprop_f64(int n, double* w, const double* g, double* sq, double* ga, int hasAvg,
                                       double* buf, int hasBuf, double lr, double alpha, double eps,
                                       double weightDecay, double momentum) {
    rmsprop_k<double>(n, w, g, sq, ga, hasAvg, buf, hasBuf, lr, alpha, eps, weightDecay, momentum);
}

// torch.optim.Adagrad, as Backend#adagradStep: g' = g + weightDecay w; sum += g'^2;
// w -= clr g' / (sqrt(sum) + eps), with clr = lr / (1 + (t - 1) lrDecay) computed on the host.
template <typename T>
__device__ __forceinline__ void adagrad_k(int n, T* w, const T* g, T* sum, T clr, T eps, T weightDecay) {
    GRID_STRIDE(k, n) {
        T wk = w[k];
        T gk = g[k] + mul(weightDecay, wk);
        T sk = sum[k] + mul(gk, gk);
        sum[k] = sk;
        w[k] = wk - mul(clr, gk) / (m_sqrt(sk) + eps);
    }
}

extern "C" __global__ void adagrad_f32(int n, float* w, const float* g, float* sum, float clr, float eps,
                                       float weightDecay) {
    adagrad_k<float>(n, w, g, sum, clr, eps, weightDecay);
}
extern "C" __global__ void adagrad_f64(int n, double* w, const double* g, double* sum, double clr, double eps,
                                       double weightDecay) {
    adagrad_k<double>(n, w, g, sum, clr, eps, weightDecay);
}

// ---------------------------------------------------------------- multi-tensor apply
//
// One launch updates up to MT_MAX parameters of a group (Backend#sgdSteps, #adamSteps). The
// launch's table of tensors is a kernel parameter passed by value, so it needs no device-side
// buffer and no copy before the launch. Every field is a 64-bit integer, so the struct has no
// padding and its layout is simply MT_MAX-long arrays one after another (org.trainer.cuda.TensorTable
// packs it as a long[] in the same order):
//
//   addr[L][MT_MAX]        device address of list l (w, g, then the state buffers) of tensor i
//   size[MT_MAX]           element count of tensor i
//   blockStart[MT_MAX + 1] first block of tensor i; entries from the tensor count on hold the total
//
// Tensor i is covered by blocks blockStart[i] .. blockStart[i + 1] - 1, each taking MT_CHUNK
// consecutive elements of it (the last one fewer). A block finds its tensor by a binary search of
// the prefix; all its threads read the same entries, which the constant cache broadcasts.
#define MT_MAX 64
#define MT_CHUNK 2048

template <int L>
struct TensorTable {
    long long addr[L][MT_MAX];
    long long size[MT_MAX];
    long long blockStart[MT_MAX + 1];
};

// The parameter space of a launch is 4 KB (4,096 bytes: the limit of every driver and PTX ISA
// below 8.1); the widest table (Adam's five lists) leaves room for the scalars after it.
static_assert(sizeof(TensorTable<3>) == 8 * (5 * MT_MAX + 1), "TensorTable<3> must have no padding");
static_assert(sizeof(TensorTable<5>) == 8 * (7 * MT_MAX + 1), "TensorTable<5> must have no padding");
static_assert(sizeof(TensorTable<5>) + 8 * 8 <= 4096, "TensorTable<5> and Adam's scalars must fit in 4 KB");

// The tensor of this block and the range [begin, end) of its elements that the block updates.
template <int L>
__device__ __forceinline__ int mt_chunk(const TensorTable<L>& t, long long& begin, long long& end) {
    long long b = blockIdx.x;
    int i = 0;
#pragma unroll
    for (int s = MT_MAX / 2; s > 0; s /= 2) {
        if (t.blockStart[i + s] <= b) {
            i += s;
        }
    }
    begin = (b - t.blockStart[i]) * MT_CHUNK;
    end = min(begin + MT_CHUNK, t.size[i]);
    return i;
}

template <typename T>
__device__ __forceinline__ void sgd_multi_k(const TensorTable<3>& t, int hasBuf, T lr, T momentum, T dampening,
                                            T weightDecay, int nesterov, int first) {
    T keep = T(1) - dampening;
    long long begin;
    long long end;
    int i = mt_chunk<3>(t, begin, end);
    T* w = reinterpret_cast<T*>(t.addr[0][i]);
    const T* g = reinterpret_cast<const T*>(t.addr[1][i]);
    T* buf = reinterpret_cast<T*>(t.addr[2][i]);
    for (long long k = begin + threadIdx.x; k < end; k += blockDim.x) {
        sgd_at<T>(k, w, g, buf, hasBuf, lr, momentum, keep, weightDecay, nesterov, first);
    }
}

extern "C" __global__ void sgd_multi_f32(TensorTable<3> t, int hasBuf, float lr, float momentum, float dampening,
                                         float weightDecay, int nesterov, int first) {
    sgd_multi_k<float>(t, hasBuf, lr, momentum, dampening, weightDecay, nesterov, first);
}
extern "C" __global__ void sgd_multi_f64(TensorTable<3> t, int hasBuf, double lr, double momentum, double dampening,
                                         double weightDecay, int nesterov, int first) {
    sgd_multi_k<double>(t, hasBuf, lr, momentum, dampening, weightDecay, nesterov, first);
}

template <typename T>
__device__ __forceinline__ void adam_multi_k(const TensorTable<5>& t, int hasMax, T shrink, T l2, T beta1, T beta2,
                                             T eps, T stepSize, T c2Sqrt) {
    T keep1 = T(1) - beta1;
    T keep2 = T(1) - beta2;
    long long begin;
    long long end;
    int i = mt_chunk<5>(t, begin, end);
    T* w = reinterpret_cast<T*>(t.addr[0][i]);
    const T* g = reinterpret_cast<const T*>(t.addr[1][i]);
    T* m = reinterpret_cast<T*>(t.addr[2][i]);
    T* v = reinterpret_cast<T*>(t.addr[3][i]);
    T* vMax = reinterpret_cast<T*>(t.addr[4][i]);
    for (long long k = begin + threadIdx.x; k < end; k += blockDim.x) {
        adam_at<T>(k, w, g, m, v, vMax, hasMax, shrink, l2, beta1, beta2, keep1, keep2, eps, stepSize, c2Sqrt);
    }
}

extern "C" __global__ void adam_multi_f32(TensorTable<5> t, int hasMax, float shrink, float l2, float beta1,
                                          float beta2, float eps, float stepSize, float c2Sqrt) {
    adam_multi_k<float>(t, hasMax, shrink, l2, beta1, beta2, eps, stepSize, c2Sqrt);
}
extern "C" __global__ void adam_multi_f64(TensorTable<5> t, int hasMax, double shrink, double l2, double beta1,
                                          double beta2, double eps, double stepSize, double c2Sqrt) {
    adam_multi_k<double>(t, hasMax, shrink, l2, beta1, beta2, eps, stepSize, c2Sqrt);
}
