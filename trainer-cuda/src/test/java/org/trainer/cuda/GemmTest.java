package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.trainer.core.DType;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.Backends;
import org.trainer.core.backend.Storage;

/**
 * Backend.matmul on both GEMM paths (cuBLAS, and the tiled kernel that replaces it when it cannot
 * load) against the CPU: transposes, odd sizes, batch strides including 0 (broadcast, and summing
 * a batch into one C), accumulate, float32 and float64.
 */
@Tag("gpu")
class GemmTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void matchesCpu(boolean fallback) {
        CudaBackend cuda = GpuTests.backend();
        Backend cpu = Backends.cpu();
        Random r = new Random(7);
        int[][] sizes = {{1, 1, 1}, {3, 5, 7}, {64, 64, 16}, {65, 63, 17}, {129, 7, 300}, {2, 300, 5}, {5, 3, 0}};
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int[] s : sizes) {
                int m = s[0], n = s[1], k = s[2];
                for (int mode = 0; mode < 16; mode++) {
                    boolean ta = (mode & 1) != 0, tb = (mode & 2) != 0, acc = (mode & 4) != 0;
                    int batchKind = mode >> 3; // 0: batch 3 with strides, 1: batch 4 summed into one C and A broadcast
                    int batch = batchKind == 0 ? 3 : 4;
                    int aStride = batchKind == 0 ? m * k : 0;
                    int bStride = n * k;
                    int cStride = batchKind == 0 ? m * n : 0;
                    double[] a = rand(r, aStride == 0 ? m * k : aStride * batch);
                    double[] b = rand(r, bStride * batch);
                    double[] c = rand(r, cStride == 0 ? m * n : cStride * batch);
                    double[] expected = run(cpu, dtype, ta, tb, batch, m, n, k, a, aStride, b, bStride, c, cStride, acc,
                            null);
                    double[] actual = run(cuda, dtype, ta, tb, batch, m, n, k, a, aStride, b, bStride, c, cStride, acc,
                            fallback);
                    double tol = dtype == DType.FLOAT32 ? 1e-4 : 1e-10;
                    Close.assertClose((fallback ? "fallback " : cuda.gemmName() + " ") + dtype + " m=" + m + " n=" + n
                            + " k=" + k + " transA=" + ta + " transB=" + tb + " accumulate=" + acc + " cStride="
                            + cStride, expected, actual, tol * Math.max(1, Math.sqrt(k * (cStride == 0 ? batch : 1))));
                }
            }
        }
    }

    private static double[] rand(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble() * 2 - 1;
        }
        return v;
    }

    private static Storage storage(Backend be, DType dtype, double[] v) {
        Storage s = be.fromArray(v);
        return dtype == DType.FLOAT64 ? s : be.cast(s, dtype);
    }

    private static double[] run(Backend be, DType dtype, boolean ta, boolean tb, int batch, int m, int n, int k,
                                double[] a, int aStride, double[] b, int bStride, double[] c, int cStride, boolean acc,
                                Boolean fallback) {
        Storage sa = storage(be, dtype, a);
        Storage sb = storage(be, dtype, b);
        Storage sc = storage(be, dtype, c);
        if (fallback != null && fallback) {
            CudaBackendProvider.fallbackGemmBackend(0).matmul(ta, tb, batch, m, n, k, sa, aStride, sb, bStride, sc,
                    cStride, acc);
        } else {
            be.matmul(ta, tb, batch, m, n, k, sa, aStride, sb, bStride, sc, cStride, acc);
        }
        return be.toDoubleArray(sc);
    }

    @org.junit.jupiter.api.Test
    void fallbackBackendReportsItsGemm() {
        GpuTests.requireGpu();
        assertTrue(CudaBackendProvider.fallbackGemmBackend(0).gemmName().startsWith("fallback"));
    }
}
