package org.trainer.core.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.data.Digits;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.data.split.Split;
import org.trainer.core.data.split.Splits;

class SmoteTest {
    private static final int F = Digits.FEATURES;

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    /** The digits as a binary problem: label 1 for the first {@code keep} zeros, 0 for all digits 1 to 9. */
    private static TensorDataset rareZeros(int keep) {
        TensorDataset d = Digits.load();
        int[] digits = d.targets().toIntArray();
        int[] rows = new int[digits.length];
        int[] y = new int[digits.length];
        int n = 0;
        int zeros = 0;
        for (int i = 0; i < digits.length; i++) {
            if (digits[i] != 0 || zeros++ < keep) {
                y[n] = digits[i] == 0 ? 1 : 0;
                rows[n++] = i;
            }
        }
        TensorDataset kept = d.subset(Arrays.copyOf(rows, n));
        return new TensorDataset(kept.features(), Tensor.fromArray(Arrays.copyOf(y, n), n));
    }

    private static float[] row(float[] x, int i) {
        return Arrays.copyOfRange(x, i * F, (i + 1) * F);
    }

    private static double dist2(float[] a, float[] b) {
        double s = 0;
        for (int q = 0; q < a.length; q++) {
            s += (a[q] - b[q]) * (double) (a[q] - b[q]);
        }
        return s;
    }

    /** The k nearest other members of {@code a}'s class in {@code x}, by brute force. */
    private static Set<Integer> nearest(float[] x, int[] y, int a, int k) {
        Integer[] same = java.util.stream.IntStream.range(0, y.length).filter(i -> y[i] == y[a] && i != a).boxed()
                .toArray(Integer[]::new);
        Arrays.sort(same, (p, q) -> Double.compare(dist2(row(x, a), row(x, p)), dist2(row(x, a), row(x, q))));
        return new HashSet<>(Arrays.asList(Arrays.copyOf(same, k)));
    }

    /**
     * Whether {@code s} = x_a + u (x_b - x_a) with u in [0, 1] for some training sample a of
     * {@code label} and one of a's k nearest neighbours b.
     */
    private static boolean onASegment(float[] s, float[] x, int[] y, int n, int label, int k) {
        for (int a = 0; a < n; a++) {
            if (y[a] != label) {
                continue;
            }
            float[] xa = row(x, a);
            for (int b : nearest(x, Arrays.copyOf(y, n), a, k)) {
                float[] xb = row(x, b);
                double dd = dist2(xa, xb);
                double u = 0;
                for (int q = 0; q < F; q++) {
                    u += (s[q] - xa[q]) * (double) (xb[q] - xa[q]);
                }
                u = dd == 0 ? 0 : u / dd;
                if (u < -1e-6 || u > 1 + 1e-6) {
                    continue;
                }
                double err = 0;
                for (int q = 0; q < F; q++) {
                    double e = s[q] - (xa[q] + u * (xb[q] - xa[q]));
                    err += e * e;
                }
                if (err < 1e-10) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void balanceAddsInterpolatedMinoritySamplesUntilTheClassesAreEqual() {
        TensorDataset train = rareZeros(40); // 1619 other digits, 40 zeros
        int n = train.size();
        TensorDataset out = new Smote(5, 42).balance(train);
        int[] y = out.targets().toIntArray();
        assertEquals(2 * 1619, out.size());
        assertEquals(1619, Arrays.stream(y).filter(v -> v == 1).count());
        float[] x = out.features().toFloatArray();
        assertArrayEquals(train.features().toFloatArray(), Arrays.copyOf(x, n * F), "originals first, unchanged");
        assertArrayEquals(train.targets().toIntArray(), Arrays.copyOf(y, n));
        float[] original = train.features().toFloatArray();
        int[] originalY = train.targets().toIntArray();
        for (int s = n; s < out.size(); s += 97) {
            assertEquals(1, y[s]);
            assertTrue(onASegment(row(x, s), original, originalY, n, 1, 5), "synthetic sample " + s);
        }
    }

    @Test
    void theSeedFixesTheSyntheticSamples() {
        TensorDataset train = rareZeros(30);
        float[] a = new Smote(3, 7).oversample(train, 1, 50).features().toFloatArray();
        float[] b = new Smote(3, 7).oversample(train, 1, 50).features().toFloatArray();
        float[] c = new Smote(3, 8).oversample(train, 1, 50).features().toFloatArray();
        assertArrayEquals(a, b);
        assertTrue(!Arrays.equals(a, c));
        assertEquals(train.size() + 50, a.length / F);
    }

    @Test
    void aSplitIsOversampledFromItsTrainingPartOnly() {
        TensorDataset all = rareZeros(60);
        int[] labels = all.targets().toIntArray();
        Split split = Splits.stratified(labels, 3);
        TensorDataset train = split.trainSet(all);
        TensorDataset out = new Smote(4, 1).balance(all, split);
        float[] x = out.features().toFloatArray();
        int[] y = out.targets().toIntArray();
        float[] trainX = train.features().toFloatArray();
        int[] trainY = train.targets().toIntArray();
        assertEquals(2 * (trainY.length - Arrays.stream(trainY).sum()), out.size());
        for (int s = train.size(); s < out.size(); s += 61) {
            // Each synthetic sample comes from the training part: it lies on a segment between
            // training samples of its class and their nearest training neighbours.
            assertTrue(onASegment(row(x, s), trainX, trainY, train.size(), y[s], 4), "synthetic sample " + s);
        }
    }

    @Test
    void badInputIsRefused() {
        assertEquals("Smote: class 1 has 5 samples, need at least k + 1 = 6 (a sample and its k nearest neighbours"
                + " of the same class)", error(() -> new Smote(5, 0).balance(rareZeros(5))));
        assertEquals("Smote: k must be >= 1 neighbour, got 0", error(() -> new Smote(0, 0)));
        assertEquals("Smote.oversample: count must be >= 0, got -1",
                error(() -> new Smote(0).oversample(rareZeros(10), 1, -1)));
        assertEquals("Smote.oversample: class 2 has no samples in the training set",
                error(() -> new Smote(0).oversample(rareZeros(10), 2, 1)));
        TensorDataset images = new TensorDataset(Tensor.zeros(4, 1, 2, 2), Tensor.fromArray(new int[] {0, 0, 1, 1}, 4));
        assertEquals("Smote: features must be tabular FLOAT32 [N, F] (convert with Tensor.to(DType.FLOAT32)), got "
                + "FLOAT32 [4, 1, 2, 2]", error(() -> new Smote(1).balance(images)));
        TensorDataset doubles = new TensorDataset(rareZeros(10).features().to(DType.FLOAT64), rareZeros(10).targets());
        assertEquals("Smote: features must be tabular FLOAT32 [N, F] (convert with Tensor.to(DType.FLOAT32)), got "
                + "FLOAT64 " + Arrays.toString(doubles.features().shape()), error(() -> new Smote(1).balance(doubles)));
        float[] x = rareZeros(10).features().toFloatArray();
        x[2 * x.length / rareZeros(10).size() + 1] = Float.NaN; // sample 2, feature 1
        TensorDataset nan = new TensorDataset(Tensor.fromArray(x, rareZeros(10).features().shape()),
                rareZeros(10).targets());
        assertEquals("Smote: sample 2, feature 1: NaN; NaN and infinity are refused",
                error(() -> new Smote(1).balance(nan)));
        TensorDataset regression = new TensorDataset(Tensor.zeros(2, 2), Tensor.zeros(2));
        assertEquals("Smote: targets must be INT32 class labels [N], got FLOAT32 [2]",
                error(() -> new Smote(1).balance(regression)));
    }
}
