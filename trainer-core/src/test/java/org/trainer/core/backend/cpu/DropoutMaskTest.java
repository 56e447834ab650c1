package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Backends;
import org.trainer.core.backend.Fused;

/**
 * The CPU's one-pass dropout mask ({@link Fused.DropoutMask}) gives the composed mask
 * {@code rand(seed).ge(p).mul(1 / (1 - p))} bit for bit, for any thread count: the fusion changes no
 * random stream.
 */
@ExtendWith(RestoresThreadCount.class)
class DropoutMaskTest {
    @Test
    void equalsTheComposedMaskBitForBit() {
        double[] ps = {0, 0.1, 0.5, 1.0 / 3, 0.9, 1e-9, 0.99999999, Math.nextDown(1.0)};
        int[][] shapes = {{1}, {7, 13}, {3, 100_003}};
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (double p : ps) {
                for (int[] shape : shapes) {
                    long seed = 17 + shape.length * 31L;
                    float[] composed = Tensor.rand(seed, shape).ge(p).mul(1 / (1 - p)).toFloatArray();
                    float[] fused = Tensor.dropoutMask(p, seed, shape).toFloatArray();
                    assertArrayEquals(composed, fused, "p=" + p + " threads=" + threads + " size=" + composed.length);
                }
            }
        }
    }

    @Test
    void sameSeedSameMaskOtherSeedOtherMask() {
        float[] a = Tensor.dropoutMask(0.1, 5, 1000).toFloatArray();
        assertArrayEquals(a, Tensor.dropoutMask(0.1, 5, 1000).toFloatArray());
        assertFalse(java.util.Arrays.equals(a, Tensor.dropoutMask(0.1, 6, 1000).toFloatArray()));
        int zeros = 0;
        for (float v : a) {
            assertTrue(v == 0f || v == (float) (1 / 0.9), "value " + v);
            zeros += v == 0f ? 1 : 0;
        }
        assertTrue(zeros > 60 && zeros < 140, "zeros " + zeros + " of 1000 at p = 0.1");
    }

    @Test
    void thresholdIsTheFirstDrawThatRoundsToAtLeastT() {
        SplittableRandom random = new SplittableRandom(3);
        float[] special = {0f, Float.MIN_VALUE, 0x1.0p-60f, 0.1f, 0.5f, Math.nextDown(1f), 1f, 2f, Float.NaN};
        for (int i = 0; i < special.length + 200; i++) {
            float t = i < special.length ? special[i] : (float) random.nextDouble();
            long m = CounterRandom.uniformThreshold(t);
            if (m < 1L << 53) {
                assertTrue((float) (m * 0x1.0p-53) >= t, "t=" + t + " m=" + m);
            }
            if (m > 0) {
                assertFalse((float) ((m - 1) * 0x1.0p-53) >= t, "t=" + t + " m-1=" + (m - 1));
            }
        }
        assertEquals(0, CounterRandom.uniformThreshold(0f));
        assertEquals(1L << 53, CounterRandom.uniformThreshold(Float.NaN));
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        Fused.DropoutMask cpu = Backends.cpu().capability(Fused.DropoutMask.class).orElseThrow();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cpu.dropoutMask(Tensor.zeros(4).storage(), 1.0, 1));
        assertTrue(e.getMessage().contains("p must be in [0, 1), got 1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cpu.dropoutMask(
                Tensor.zeros(org.trainer.core.DType.FLOAT64, 4).storage(), 0.1, 1));
        assertTrue(e.getMessage().contains("mask must be float32, got FLOAT64"), e.getMessage());
    }
}
