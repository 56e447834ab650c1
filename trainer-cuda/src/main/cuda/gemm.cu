// The fallback GEMM, used when cuBLAS cannot load (or trainer.cuda.gemm=fallback): row-major
// C[b] (+)= op(A[b]) x op(B[b]) with batch strides (0 broadcasts), as Backend#matmul.
// A 64x64 tile of C per block of 16x16 threads, 4x4 outputs per thread; tiles of A and B pass
// through shared memory 16 deep. Thread (tx, ty) owns rows ty + 16r and columns tx + 16c, so that
// a warp reads shared memory without bank conflicts.
#include "common.cuh"

#define BM 64
#define BN 64
#define BK 16

template <typename T>
__device__ __forceinline__ void gemm_k(int transA, int transB, int m, int n, int k, const T* A, long long aOff,
                                       long long aStride, const T* B, long long bOff, long long bStride, T* C,
                                       long long cOff, long long cStride, int accumulate) {
    __shared__ T As[BK][BM + 1];
    __shared__ T Bs[BK][BN + 1];
    long long batch = blockIdx.z;
    A += aOff + batch * aStride;
    B += bOff + batch * bStride;
    C += cOff + batch * cStride;
    int tx = threadIdx.x;
    int ty = threadIdx.y;
    int tid = ty * 16 + tx;
    int row0 = blockIdx.y * BM;
    int col0 = blockIdx.x * BN;
    T acc[4][4];
#pragma unroll
    for (int r = 0; r < 4; r++)
#pragma unroll
        for (int c = 0; c < 4; c++) acc[r][c] = T(0);

    for (int kt = 0; kt < k; kt += BK) {
#pragma unroll
        for (int l = 0; l < 4; l++) {
            int e = tid + l * 256;
            // Neighbouring threads take neighbouring addresses of the operand's stored layout.
            int i, p;
            if (transA) { i = e % BM; p = e / BM; } else { i = e / BK; p = e % BK; }
            int gi = row0 + i, gp = kt + p;
            T v = T(0);
            if (gi < m && gp < k) v = transA ? A[(long long)gp * m + gi] : A[(long long)gi * k + gp];
            As[p][i] = v;
            int j;
            if (transB) { j = e / BK; p = e % BK; } else { j = e % BN; p = e / BN; }
            int gj = col0 + j;
            gp = kt + p;
            T w = T(0);
            if (gj < n && gp < k) w = transB ? B[(long long)gj * k + gp] : B[(long long)gp * n + gj];
            Bs[p][j] = w;
        }
        __syncthreads();
#pragma unroll
        for (int p = 0; p < BK; p++) {
            T a[4], b[4];
#pragma unroll
            for (int r = 0; r < 4; r++) a[r] = As[p][ty + 16 * r];
#pragma unroll
            for (int c = 0; c < 4; c++) b[c] = Bs[p][tx + 16 * c];
#pragma unroll
            for (int r = 0; r < 4; r++)
#pragma unroll
                for (int c = 0; c < 4; c++) acc[r][c] += a[r] * b[c];
        }
        __syncthreads();
    }
#pragma unroll
    for (int r = 0; r < 4; r++) {
        int i = row0 + ty + 16 * r;
        if (i >= m) continue;
#pragma unroll
        for (int c = 0; c < 4; c++) {
            int j = col0 + tx + 16 * c;
            if (j >= n) continue;
            long long q = (long long)i * n + j;
            C[q] = accumulate ? C[q] + acc[r][c] : acc[r][c];
        }
    }
}

extern "C" __global__ void gemm_f32(int transA, int transB, int m, int n, int k, const float* A, long long aOff,
                                    long long aStride, const float* B, long long bOff, long long bStride, float* C,
                                    long long cOff, long long cStride, int accumulate) {
    gemm_k<float>(transA, transB, m, n, k, A, aOff, aStride, B, bOff, bStride, C, cOff, cStride, accumulate);
}
extern "C" __global__ void gemm_f64(int transA, int transB, int m, int n, int k, const double* A, long long aOff,
                                    long long aStride, const double* B, long long bOff, long long bStride, double* C,
                                    long long cOff, long long cStride, int accumulate) {
    gemm_k<double>(transA, transB, m, n, k, A, aOff, aStride, B, bOff, bStride, C, cOff, cStride, accumulate);
}
