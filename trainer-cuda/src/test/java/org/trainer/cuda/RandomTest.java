package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.Backends;
import org.trainer.core.backend.Storage;

/** The device's counter-based random numbers are the CPU's: CPU and GPU runs reproduce each other. */
@Tag("gpu")
class RandomTest {
    private static final int N = 1_000_003;

    private static double[] fill(Backend be, DType dtype, boolean normal, double a, double b, long seed) {
        Storage s = be.allocate(dtype, N);
        be.random(s, normal, a, b, seed);
        return be.toDoubleArray(s);
    }

    @Test
    void uniformIsBitIdentical() {
        CudaBackend cuda = GpuTests.backend();
        for (long seed : new long[] {0, 42, -7, Long.MAX_VALUE}) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                assertArrayEquals(fill(Backends.cpu(), dtype, false, -0.3, 2.5, seed),
                        fill(cuda, dtype, false, -0.3, 2.5, seed), 0.0, "uniform " + dtype + " seed " + seed);
            }
        }
    }

    /** Normals go through log and cos, whose last bit may differ between Java and CUDA's libraries. */
    @Test
    void normalMatchesWithinRounding() {
        CudaBackend cuda = GpuTests.backend();
        for (long seed : new long[] {1, 123456789L}) {
            double[] c64 = fill(Backends.cpu(), DType.FLOAT64, true, 0.5, 2, seed);
            double[] g64 = fill(cuda, DType.FLOAT64, true, 0.5, 2, seed);
            Close.assertClose("normal float64 seed " + seed, c64, g64, 1e-13);
            double[] c32 = fill(Backends.cpu(), DType.FLOAT32, true, 0.5, 2, seed);
            double[] g32 = fill(cuda, DType.FLOAT32, true, 0.5, 2, seed);
            int differ = 0;
            for (int i = 0; i < N; i++) {
                if (c32[i] != g32[i]) {
                    differ++;
                    float ulp = Math.ulp((float) c32[i]);
                    assertTrue(Math.abs(c32[i] - g32[i]) <= ulp, "element " + i + ": " + c32[i] + " vs " + g32[i]);
                }
            }
            assertTrue(differ < N / 1000, differ + " of " + N + " float32 normals differ in the last bit");
        }
    }

    @Test
    void dropoutMasksAgree() {
        GpuTests.requireGpu();
        org.trainer.core.Tensor x = org.trainer.core.Tensor.ones(33, 17);
        double[] cpu = x.dropout(0.3, 99).toDoubleArray();
        double[] gpu = x.to(org.trainer.core.Device.cuda(0)).dropout(0.3, 99).toDoubleArray();
        assertArrayEquals(cpu, gpu, 0.0);
    }
}
