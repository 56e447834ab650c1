package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.trainer.core.backend.BinaryOp;

/**
 * The Vector API comparisons give the scalar comparison's 0 or 1 for every float, ties and NaN
 * included, against a threshold and element by element, for GE, GT, LT and LE; the Vector API
 * select picks what {@code c != 0 ? a : b} picks (a NaN condition included). At every offset and
 * length, so that whole vectors and the scalar tail both run, and nothing outside the range is written.
 */
class VectorThresholdTest {
    private static final float[] SPECIAL = {0f, -0f, 1f, -1f, 0.1f, Math.nextUp(0.1f), Math.nextDown(0.1f),
        Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE,
        Float.MAX_VALUE};
    private static final BinaryOp[] COMPARISONS = {BinaryOp.GE, BinaryOp.GT, BinaryOp.LT, BinaryOp.LE};
    private static final int[] OFFSETS = {0, 1, 7};
    private static final int[] LENGTHS = {0, 1, 15, 16, 17, 64, 195};

    private static float[] data(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = new float[203];
        for (int i = 0; i < a.length; i++) {
            a[i] = i % 3 == 0 ? SPECIAL[random.nextInt(SPECIAL.length)] : (float) random.nextDouble(-1, 1);
        }
        return a;
    }

    @Test
    void againstAThresholdMatchesTheScalarComparisonAtEveryOffsetAndLength() {
        float[] a = data(5);
        for (BinaryOp op : COMPARISONS) {
            for (float t : SPECIAL) {
                for (int ao : OFFSETS) {
                    for (int n : LENGTHS) {
                        float[] o = new float[n + 3];
                        VectorThreshold.compare(op, a, ao, t, o, 2, n);
                        for (int j = 0; j < n; j++) {
                            assertEquals((float) op.apply(a[ao + j], t), o[2 + j], op + " a=" + a[ao + j] + " t=" + t);
                        }
                        assertEquals(0f, o[0]);
                        assertEquals(0f, o[n + 2]);
                    }
                }
            }
        }
    }

    @Test
    void elementByElementMatchesTheScalarComparison() {
        float[] a = data(6);
        float[] b = data(7);
        for (BinaryOp op : COMPARISONS) {
            for (int ao : OFFSETS) {
                for (int n : LENGTHS) {
                    float[] o = new float[n + 3];
                    VectorThreshold.compare(op, a, ao, b, 3, o, 2, n);
                    for (int j = 0; j < n; j++) {
                        assertEquals((float) op.apply(a[ao + j], b[3 + j]), o[2 + j],
                                op + " a=" + a[ao + j] + " b=" + b[3 + j]);
                    }
                    assertEquals(0f, o[0]);
                    assertEquals(0f, o[n + 2]);
                }
            }
        }
    }

    @Test
    void selectPicksWhatTheScalarConditionPicks() {
        float[] c = data(8);
        float[] a = data(9);
        float[] b = data(10);
        for (int co : OFFSETS) {
            for (int n : LENGTHS) {
                float[] o = new float[n + 3];
                java.util.Arrays.fill(o, -7f);
                VectorThreshold.select(c, co, a, 1, b, 2, o, 2, n);
                for (int j = 0; j < n; j++) {
                    float want = c[co + j] != 0 ? a[1 + j] : b[2 + j];
                    assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(o[2 + j]), "c=" + c[co + j]);
                }
                assertEquals(-7f, o[0]);
                assertEquals(-7f, o[n + 2]);
            }
        }
    }
}
