package org.trainer.cuda;

/**
 * Row-major batched matrix product on the device: for each i in [0, batch), C_i (+)= op(A_i) op(B_i)
 * with A_i at aOffset + i * aStride (elements), and so on. The caller guarantees m, n > 0, and
 * that C's stride is non-zero when batch > 1 (summing a batch into one C is done by the caller).
 */
interface Gemm {
    /** "cuBLAS" or "fallback (tiled kernel)", for logs and benchmarks. */
    String name();

    void gemm(boolean transA, boolean transB, int batch, int m, int n, int k,
              CudaStorage a, long aOffset, long aStride, CudaStorage b, long bOffset, long bStride,
              CudaStorage c, long cOffset, long cStride, boolean accumulate);
}
