package org.trainer.cuda;

import static jcuda.jcublas.JCublas2.cublasCreate;
import static jcuda.jcublas.JCublas2.cublasDgemmStridedBatched;
import static jcuda.jcublas.JCublas2.cublasSetMathMode;
import static jcuda.jcublas.JCublas2.cublasSgemmStridedBatched;

import jcuda.Pointer;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasStatus;
import org.trainer.core.DType;

/**
 * GEMM through cuBLAS (JCublas2), which is column-major. A row-major [m, n] matrix is the
 * column-major [n, m] matrix of its transpose, so C = op(A) op(B) is computed as
 * C^T = op(B)^T op(A)^T: the operands swap places and m and n swap, with no data moved. The handle
 * queues on the legacy default stream (cuBLAS's default), in order with this module's kernels.
 */
final class CublasGemm implements Gemm {
    private final CudaContext context;
    private final DeviceTimer timer;
    private final cublasHandle handle;
    private final boolean tf32;

    private CublasGemm(CudaContext context, DeviceTimer timer, cublasHandle handle, boolean tf32) {
        this.context = context;
        this.timer = timer;
        this.handle = handle;
        this.tf32 = tf32;
    }

    /**
     * A cuBLAS handle on the context. Throws a LinkageError when JCublas's native library (or the
     * libcublas.so.12 it links) cannot load, and a CudaError when cublasCreate fails.
     *
     * @param timer the device's timer, which brackets every product while it is on
     * @param tf32  allow TF32 tensor cores for float32 products (about 10 mantissa bits in the inputs)
     */
    static CublasGemm create(CudaContext context, DeviceTimer timer, boolean tf32) {
        context.makeCurrent();
        cublasHandle handle = new cublasHandle();
        check(cublasCreate(handle), "cublasCreate");
        check(cublasSetMathMode(handle, tf32 ? cublasMath.CUBLAS_TF32_TENSOR_OP_MATH : cublasMath.CUBLAS_DEFAULT_MATH),
                "cublasSetMathMode");
        return new CublasGemm(context, timer, handle, tf32);
    }

    private static void check(int status, String what) {
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw new CudaError(what + " failed: " + cublasStatus.stringFor(status) + " (" + status + ")");
        }
    }

    @Override
    public String name() {
        return tf32 ? "cuBLAS (TF32)" : "cuBLAS";
    }

    @Override
    public void gemm(boolean transA, boolean transB, int batch, int m, int n, int k,
                     CudaStorage a, long aOffset, long aStride, CudaStorage b, long bOffset, long bStride,
                     CudaStorage c, long cOffset, long cStride, boolean accumulate) {
        context.makeCurrent();
        int opA = transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int opB = transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        // Leading dimensions of the stored row-major matrices: their row lengths.
        int lda = Math.max(1, transA ? m : k);
        int ldb = Math.max(1, transB ? k : n);
        int ldc = n;
        int width = a.dtype().bytes();
        Pointer pa = a.pointer().withByteOffset(aOffset * width);
        Pointer pb = b.pointer().withByteOffset(bOffset * width);
        Pointer pc = c.pointer().withByteOffset(cOffset * width);
        boolean f64 = a.dtype() == DType.FLOAT64;
        Pointer alpha = f64 ? Pointer.to(new double[] {1}) : Pointer.to(new float[] {1});
        int betaValue = accumulate ? 1 : 0;
        Pointer beta = f64 ? Pointer.to(new double[] {betaValue}) : Pointer.to(new float[] {betaValue});
        boolean timed = timer.start();
        try {
            if (f64) {
                check(cublasDgemmStridedBatched(handle, opB, opA, n, m, k, alpha, pb, ldb, bStride, pa, lda, aStride,
                        beta, pc, ldc, cStride, batch), "cublasDgemmStridedBatched");
            } else {
                check(cublasSgemmStridedBatched(handle, opB, opA, n, m, k, alpha, pb, ldb, bStride, pa, lda, aStride,
                        beta, pc, ldc, cStride, batch), "cublasSgemmStridedBatched");
            }
        } finally {
            if (timed) {
                timer.stop();
            }
        }
    }
}
