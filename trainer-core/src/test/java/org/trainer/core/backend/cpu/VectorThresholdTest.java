package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Vector API threshold gives the scalar comparison's 0 or 1 for every float, ties and NaN included. */
class VectorThresholdTest {
    private static final float[] SPECIAL = {0f, -0f, 1f, -1f, 0.1f, Math.nextUp(0.1f), Math.nextDown(0.1f),
        Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE,
        Float.MAX_VALUE};

    @Test
    void matchesTheScalarComparisonAtEveryOffsetAndLength() {
        SplittableRandom random = new SplittableRandom(5);
        float[] a = new float[203];
        for (int i = 0; i < a.length; i++) {
            a[i] = i % 3 == 0 ? SPECIAL[random.nextInt(SPECIAL.length)] : (float) random.nextDouble(-1, 1);
        }
        for (float t : SPECIAL) {
            for (int ao : new int[] {0, 1, 7}) {
                for (int n : new int[] {0, 1, 15, 16, 17, 64, 195}) {
                    float[] o = new float[n + 3];
                    VectorThreshold.greaterOrEqual(a, ao, t, o, 2, n);
                    for (int j = 0; j < n; j++) {
                        assertEquals(a[ao + j] >= t ? 1f : 0f, o[2 + j], "a=" + a[ao + j] + " t=" + t + " n=" + n);
                    }
                    assertEquals(0f, o[0]);
                    assertEquals(0f, o[n + 2]);
                }
            }
        }
    }
}
