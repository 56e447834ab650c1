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
