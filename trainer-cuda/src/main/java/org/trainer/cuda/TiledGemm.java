package org.trainer.cuda;

import org.trainer.core.DType;

/** Our own GEMM kernel (gemm.cu): the fallback when cuBLAS is missing or switched off. */
final class TiledGemm implements Gemm {
    private static final int TILE = 64;
    /** gridDim.z limit: larger batches go in slices. */
    private static final int MAX_GRID_Z = 65535;

    private final Kernels kernels;

    TiledGemm(Kernels kernels) {
        this.kernels = kernels;
    }

    @Override
    public String name() {
        return "fallback (tiled kernel)";
    }

    @Override
    public void gemm(boolean transA, boolean transB, int batch, int m, int n, int k,
                     CudaStorage a, long aOffset, long aStride, CudaStorage b, long bOffset, long bStride,
                     CudaStorage c, long cOffset, long cStride, boolean accumulate) {
        String fn = a.dtype() == DType.FLOAT64 ? "gemm_f64" : "gemm_f32";
        int gx = (n + TILE - 1) / TILE;
        int gy = (m + TILE - 1) / TILE;
        for (int b0 = 0; b0 < batch; b0 += MAX_GRID_Z) {
            int slice = Math.min(MAX_GRID_Z, batch - b0);
            kernels.launchGrid("gemm", fn, gx, gy, slice, 16, 16, transA ? 1 : 0, transB ? 1 : 0, m, n, k,
                    a, aOffset + b0 * aStride, aStride, b, bOffset + b0 * bStride, bStride,
                    c, cOffset + b0 * cStride, cStride, accumulate ? 1 : 0);
        }
    }
}
