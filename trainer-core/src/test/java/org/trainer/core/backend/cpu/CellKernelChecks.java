package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

/** What the cell kernel tests share: random inputs and the comparison of two kernels' outputs. */
final class CellKernelChecks {
    private CellKernelChecks() {
    }

    /** n floats uniform in [-scale, scale). */
    static float[] random(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    /**
     * Asserts that every array of {@code actual} equals the one of {@code expected} with the same
     * index to 2e-6 relative, naming the array ({@code names}), the element and {@code context}.
     */
    static void assertSame(String[] names, float[][] expected, float[][] actual, String context) {
        for (int q = 0; q < names.length; q++) {
            assertEquals(expected[q].length, actual[q].length, names[q] + ": length" + context);
            for (int i = 0; i < expected[q].length; i++) {
                assertEquals(expected[q][i], actual[q][i], 2e-6 * (1 + Math.abs(expected[q][i])),
                        names[q] + " at " + i + context);
            }
        }
    }
}
