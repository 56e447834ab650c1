package org.trainer.cuda;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the GEMM for a device: cuBLAS when JCublas and libcublas.so.12 load, else our tiled kernel
 * with one warning that says why. System properties: {@code trainer.cuda.gemm=fallback} forces the
 * kernel (tests cover both paths with it); {@code trainer.cuda.tf32=true} lets cuBLAS use TF32
 * tensor cores for float32.
 */
final class GemmSelector {
    static final String GEMM_PROPERTY = "trainer.cuda.gemm";
    static final String TF32_PROPERTY = "trainer.cuda.tf32";

    private static final Logger LOG = LoggerFactory.getLogger(GemmSelector.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private GemmSelector() {
    }

    static Gemm select(CudaDevice device, boolean forceFallback) {
        String mode = System.getProperty(GEMM_PROPERTY, "cublas").trim();
        if (forceFallback || mode.equalsIgnoreCase("fallback")) {
            return new TiledGemm(device.kernels);
        }
        if (!mode.equalsIgnoreCase("cublas")) {
            throw new IllegalArgumentException(GEMM_PROPERTY + ": expected 'cublas' or 'fallback', got '" + mode + "'");
        }
        try {
            return CublasGemm.create(device.context, device.timer, Boolean.getBoolean(TF32_PROPERTY));
        } catch (LinkageError | RuntimeException e) {
            if (WARNED.compareAndSet(false, true)) {
                LOG.warn("cuBLAS is unavailable, so matmul runs on trainer-cuda's own tiled GEMM kernel (slower): {}"
                        + " (JCublas 12 needs libcublas.so.12 on the library path)", reason(e));
            }
            return new TiledGemm(device.kernels);
        }
    }

    private static String reason(Throwable e) {
        StringBuilder sb = new StringBuilder(e.toString());
        for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
            sb.append("; caused by ").append(c);
        }
        return sb.toString();
    }
}
