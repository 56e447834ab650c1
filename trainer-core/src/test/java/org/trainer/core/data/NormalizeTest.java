package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.Tensor;

class NormalizeTest {

    @Test
    void fitsPerFeaturePopulationStatisticsForTabularData() {
        // columns: {1, 2, 3, 6} -> mean 3, population var (4 + 1 + 0 + 9) / 4 = 3.5
        //          {10, 10, 10, 10} -> constant
        //          {-1, 1, -1, 1} -> mean 0, std 1
        Tensor x = Tensor.fromArray(new float[] {1, 10, -1, 2, 10, 1, 3, 10, -1, 6, 10, 1}, 4, 3);
        Normalize n = Normalize.fit(x, 0);
        assertArrayEquals(new int[] {1, 3}, n.mean().shape());
        assertArrayEquals(new float[] {3, 10, 0}, n.mean().toFloatArray());
        assertArrayEquals(new float[] {(float) Math.sqrt(3.5), 1, 1}, n.std().toFloatArray(), 1e-6f);
        float[] z = n.apply(x).toFloatArray();
        float s = (float) Math.sqrt(3.5);
        assertArrayEquals(new float[] {-2 / s, 0, -1, -1 / s, 0, 1, 0, 0, -1, 3 / s, 0, 1}, z, 1e-6f);
    }

    @Test
    void fitsPerChannelStatisticsForImages() {
        // [N=2, C=2, H=1, W=2]: channel 0 holds 0, 2, 4, 6; channel 1 holds 5, 5, 7, 7.
        Tensor x = Tensor.fromArray(new float[] {0, 2, 5, 5, 4, 6, 7, 7}, 2, 2, 1, 2);
        Normalize n = Normalize.fit(x, 0, 2, 3);
        assertArrayEquals(new int[] {1, 2, 1, 1}, n.mean().shape());
        assertArrayEquals(new float[] {3, 6}, n.mean().toFloatArray());
        assertArrayEquals(new float[] {(float) Math.sqrt(5), 1}, n.std().toFloatArray(), 1e-6f);
        Tensor z = n.apply(x);
        double[] mean = z.mean(new int[] {0, 2, 3}, false).toDoubleArray();
        double[] var = z.var(new int[] {0, 2, 3}, false, 0).toDoubleArray();
        assertArrayEquals(new double[] {0, 0}, mean, 1e-6);
        assertArrayEquals(new double[] {1, 1}, var, 1e-5);
    }

    @Test
    void fittedStatisticsBroadcastOverBatchesOfAnySize() {
        Tensor x = Tensor.fromArray(new float[] {0, 4, 2, 8}, 2, 2);
        Normalize n = Normalize.fit(x, 0);
        Tensor one = n.apply(Tensor.fromArray(new float[] {2, 8}, 1, 2));
        assertArrayEquals(new float[] {1, 1}, one.toFloatArray(), 1e-6f);
    }

    @Test
    void negativeAxesCountFromTheEnd() {
        Tensor x = Tensor.fromArray(new float[] {1, 3, 5, 7}, 2, 2);
        assertArrayEquals(new float[] {2, 6}, Normalize.fit(x, -1).mean().toFloatArray());
    }

    @Test
    void rowsWiderThanOneChunkAreReducedCorrectly() {
        // [2, 5000]: row 0 holds j, row 1 holds 3j, so column j has mean 2j and std j.
        int w = 5000;
        float[] v = new float[2 * w];
        for (int j = 0; j < w; j++) {
            v[j] = j;
            v[w + j] = 3 * j;
        }
        Tensor x = Tensor.fromArray(v, 2, w);
        Normalize perColumn = Normalize.fit(x, 0);
        float[] mean = perColumn.mean().toFloatArray();
        float[] std = perColumn.std().toFloatArray();
        for (int j : new int[] {1, 4095, 4096, 4999}) {
            assertEquals(2f * j, mean[j], "mean of column " + j);
            assertEquals(j, std[j], 1e-3 * j, "std of column " + j);
        }
        assertEquals(1f, std[0], "constant column 0 gets scale 1");
        Normalize perRow = Normalize.fit(x, 1);
        assertArrayEquals(new float[] {(w - 1) / 2f, 3 * (w - 1) / 2f}, perRow.mean().toFloatArray(), 1e-3f);
    }

    @Test
    void fixedConstantsStandardiseEveryElement() {
        Tensor x = Tensor.fromArray(new float[] {0.2860f, 0.639f}, 2);
        assertArrayEquals(new float[] {0, 1}, FashionMnist.NORMALIZE.apply(x).toFloatArray(), 1e-5f);
        Normalize perChannel = Normalize.of(Tensor.fromArray(new float[] {1, 2}, 2, 1, 1),
                Tensor.fromArray(new float[] {2, 4}, 2, 1, 1));
        Tensor img = Tensor.fromArray(new float[] {3, 3, 10, 10}, 1, 2, 1, 2);
        assertArrayEquals(new float[] {1, 1, 2, 2}, perChannel.apply(img).toFloatArray(), 1e-6f);
    }

    @Test
    void keepsFloat64AndPromotesIntegers() {
        Tensor d = Tensor.fromArray(new double[] {1, 3}, 2, 1);
        Normalize n = Normalize.fit(d, 0);
        assertEquals(DType.FLOAT64, n.apply(d).dtype());
        Tensor i = Tensor.fromArray(new int[] {1, 3}, 2, 1);
        assertArrayEquals(new float[] {-1, 1}, Normalize.fit(i, 0).apply(i).toFloatArray(), 1e-6f);
    }

    @Test
    void refusesBadConstantsAndBadData() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Normalize(0.5, 0));
        assertEquals("Normalize: std[0] is 0.0, expected a finite value > 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Normalize(Double.NaN, 1));
        assertThrows(IllegalArgumentException.class,
                () -> Normalize.of(Tensor.zeros(2), Tensor.ones(3)));
        Tensor withNan = Tensor.fromArray(new float[] {1, Float.NaN, 2, 3}, 2, 2);
        e = assertThrows(IllegalArgumentException.class, () -> Normalize.fit(withNan, 0));
        assertEquals("Normalize.fit: x holds NaN at index [0, 1]; expected finite values", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Normalize.fit(Tensor.zeros(2, 2)));
        assertTrue(e.getMessage().contains("give the axes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Normalize.fit(Tensor.zeros(2, 2), 0, -2));
        assertTrue(e.getMessage().contains("appears twice"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Normalize.fit(Tensor.zeros(2, 2), 2));
        assertThrows(IllegalArgumentException.class, () -> Normalize.fit(Tensor.zeros(0, 2), 0));
    }
}
