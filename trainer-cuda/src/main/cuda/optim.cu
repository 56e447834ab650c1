// Fused optimizer updates: one pass over a parameter's memory per step.
#include "common.cuh"

// torch.optim.SGD, as org.trainer.core.backend.Backend#sgdStep and the CPU's FloatKernels.sgd:
// d = g + wd * w; with momentum, buf = first ? d : momentum * buf + (1 - dampening) * d and the
// direction is d + momentum * buf (Nesterov) or buf; w -= lr * direction.
template <typename T>
__device__ __forceinline__ void sgd_k(int n, T* w, const T* g, T* buf, int hasBuf, T lr, T momentum, T dampening,
                                      T weightDecay, int nesterov, int first) {
    T keep = T(1) - dampening;
    GRID_STRIDE(k, n) {
        T wk = w[k];
        T d = g[k] + weightDecay * wk;
        if (hasBuf) {
            T b = first ? d : momentum * buf[k] + keep * d;
            buf[k] = b;
            d = nesterov ? d + momentum * b : b;
        }
        w[k] = wk - lr * d;
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
__device__ __forceinline__ float mul(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double mul(double a, double b) { return __dmul_rn(a, b); }

// torch.optim.Adam / AdamW, as Backend#adamStep: shrink = 1 - lr * weightDecay when decoupled
// (else 1), l2 = weightDecay when coupled (else 0), stepSize = lr / (1 - beta1^t),
// c2Sqrt = sqrt(1 - beta2^t). With hasMax (AMSGrad) the denominator uses max(vMax, v).
template <typename T>
__device__ __forceinline__ void adam_k(int n, T* w, const T* g, T* m, T* v, T* vMax, int hasMax, T shrink, T l2,
                                       T beta1, T beta2, T eps, T stepSize, T c2Sqrt) {
    T keep1 = T(1) - beta1;
    T keep2 = T(1) - beta2;
    GRID_STRIDE(k, n) {
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
