package org.trainer.core.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Batch;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;

/** Mixup and CutMix: soft labels, the mixing of features, and what the loss makes of them. */
class MixingTest {
    private static final int CLASSES = 4;

    private static Batch images(int b, long seed) {
        int[] y = new int[b];
        for (int i = 0; i < b; i++) {
            y[i] = i % CLASSES;
        }
        return new Batch(Tensor.rand(seed, b, 2, 6, 5), Tensor.fromArray(y, b));
    }

    @Test
    void mixupLabelsSumToOneAndFeaturesAreTheSameConvexCombination() {
        Batch batch = images(6, 1);
        float[] x = batch.features().toFloatArray();
        int[] y = batch.targets().toIntArray();
        int width = 2 * 6 * 5;
        for (int s = 0; s < 20; s++) {
            Batch out = new Mixup(0.4, CLASSES).apply(batch, new AugmentRandom(s));
            float[] mixed = out.features().toFloatArray();
            float[] t = out.targets().toFloatArray();
            assertArrayEquals(new int[] {6, CLASSES}, out.targets().shape());
            for (int i = 0; i < 6; i++) {
                float sum = 0;
                for (int c = 0; c < CLASSES; c++) {
                    sum += t[i * CLASSES + c];
                }
                assertEquals(1f, sum, 1e-6f, "row " + i);
                // Recover (lambda, partner) from the features and check the labels carry the same weights.
                int partner = -1;
                double lambda = Double.NaN;
                for (int j = 0; j < 6 && partner < 0; j++) {
                    double lam = solve(x, mixed, i, j, width);
                    if (!Double.isNaN(lam)) {
                        partner = j;
                        lambda = lam;
                    }
                }
                assertTrue(partner >= 0, "row " + i + " is no convex combination of itself and another sample");
                double[] expect = new double[CLASSES];
                expect[y[i]] += lambda;
                expect[y[partner]] += 1 - lambda;
                for (int c = 0; c < CLASSES; c++) {
                    assertEquals(expect[c], t[i * CLASSES + c], 1e-4, "row " + i + ", class " + c);
                }
            }
        }
    }

    /** The lambda with mixed_i = lambda x_i + (1 - lambda) x_j for every feature, or NaN. */
    private static double solve(float[] x, float[] mixed, int i, int j, int width) {
        if (i == j) {
            return Arrays.equals(Arrays.copyOfRange(x, i * width, (i + 1) * width),
                    Arrays.copyOfRange(mixed, i * width, (i + 1) * width)) ? 1 : Double.NaN;
        }
        int k0 = 0;
        while (Math.abs(x[i * width + k0] - x[j * width + k0]) < 0.2) {
            k0++;
        }
        double lam = (mixed[i * width + k0] - x[j * width + k0]) / (x[i * width + k0] - x[j * width + k0]);
        for (int k = 0; k < width; k++) {
            double expect = lam * x[i * width + k] + (1 - lam) * x[j * width + k];
            if (Math.abs(expect - mixed[i * width + k]) > 1e-5) {
                return Double.NaN;
            }
        }
        return lam;
    }

    @Test
    void mixupByHand() {
        Batch batch = new Batch(Tensor.fromArray(new float[] {1, 2, 3, 4}, 2, 2), Tensor.fromArray(new int[] {0, 2}, 2));
        Batch out = Mixup.mix(batch, 0.25, new int[] {1, 0}, 3);
        assertArrayEquals(new float[] {2.5f, 3.5f, 1.5f, 2.5f}, out.features().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0.25f, 0, 0.75f, 0.75f, 0, 0.25f}, out.targets().toFloatArray(), 1e-6f);
    }

    @Test
    void cutMixLabelWeightsEqualThePastedAreaFraction() {
        Batch batch = images(5, 2);
        float[] x = batch.features().toFloatArray();
        int[] y = batch.targets().toIntArray();
        int plane = 6 * 5;
        for (int s = 0; s < 30; s++) {
            Batch out = new CutMix(1.0, CLASSES).apply(batch, new AugmentRandom(s));
            float[] mixed = out.features().toFloatArray();
            float[] t = out.targets().toFloatArray();
            for (int i = 0; i < 5; i++) {
                // pixels that differ from the sample's own, in channel 0; the same pixels in channel 1
                int changed = 0;
                for (int p = 0; p < plane; p++) {
                    boolean c0 = mixed[(i * 2) * plane + p] != x[(i * 2) * plane + p];
                    boolean c1 = mixed[(i * 2 + 1) * plane + p] != x[(i * 2 + 1) * plane + p];
                    assertEquals(c0, c1, "channels pasted alike");
                    changed += c0 ? 1 : 0;
                }
                float sum = 0;
                for (int c = 0; c < CLASSES; c++) {
                    sum += t[i * CLASSES + c];
                }
                assertEquals(1f, sum, 1e-6f);
                float own = t[i * CLASSES + y[i]];
                if (own < 1 - 1e-6f) {
                    // the partner is another sample (random images differ at every pixel)
                    assertEquals(1 - (double) changed / plane, own, 1e-6, "sample " + i + ", seed " + s);
                }
            }
        }
    }

    @Test
    void cutMixByHand() {
        float[] a = new float[16];
        float[] b = new float[16];
        Arrays.fill(b, 1);
        float[] x = new float[32];
        System.arraycopy(a, 0, x, 0, 16);
        System.arraycopy(b, 0, x, 16, 16);
        Batch batch = new Batch(Tensor.fromArray(x, 2, 1, 4, 4), Tensor.fromArray(new int[] {0, 1}, 2));
        Batch out = CutMix.paste(batch, 1, 1, 2, 3, new int[] {1, 0}, 2);
        float[] f = out.features().toFloatArray();
        int ones = 0;
        for (int p = 0; p < 16; p++) {
            ones += f[p] == 1 ? 1 : 0;
        }
        assertEquals(6, ones);
        assertEquals(1f, f[5]);
        assertEquals(1f, f[7]);
        assertEquals(0f, f[8]);
        assertArrayEquals(new float[] {10f / 16, 6f / 16, 6f / 16, 10f / 16}, out.targets().toFloatArray(), 1e-6f);
    }

    @Test
    void crossEntropyAcceptsTheSoftLabelsAsTheMixOfTwoLosses() {
        Batch batch = images(6, 3);
        int[] partner = {3, 0, 5, 1, 2, 4};
        double lambda = 0.3;
        Batch out = Mixup.mix(batch, lambda, partner, CLASSES);
        Tensor logits = Tensor.randn(7, 6, CLASSES);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        double soft = ce.compute(logits, out.targets()).item();
        int[] y = batch.targets().toIntArray();
        int[] yp = new int[6];
        for (int i = 0; i < 6; i++) {
            yp[i] = y[partner[i]];
        }
        double hard = lambda * ce.compute(logits, batch.targets()).item()
                + (1 - lambda) * ce.compute(logits, Tensor.fromArray(yp, 6)).item();
        assertEquals(hard, soft, 1e-5);
        assertEquals(DType.FLOAT32, out.targets().dtype());
    }

    @Test
    void classMetricsReadSoftLabelsAsTheirMostProbableClass() {
        Tensor scores = Tensor.fromArray(new float[] {0.9f, 0.1f, 0, 0, 0.2f, 0.8f, 0, 0, 0, 0, 0.3f, 0.7f}, 3, CLASSES);
        Batch batch = new Batch(Tensor.zeros(3, 1, 2, 2), Tensor.fromArray(new int[] {0, 0, 3}, 3));
        Batch mixed = Mixup.mix(batch, 0.7, new int[] {1, 2, 0}, CLASSES); // rows: 0, 0.7 of 0 / 0.3 of 3, 3 mostly
        Accuracy accuracy = new Accuracy();
        accuracy.update(scores, mixed.targets());
        assertEquals(2.0 / 3, accuracy.compute(), 1e-12, "dominant labels 0, 0, 3 against predictions 0, 1, 3");
    }

    @Test
    void softTargetsCanBeMixedAgainAndLabelsAreChecked() {
        Batch batch = images(4, 4);
        Batch once = Mixup.mix(batch, 0.5, new int[] {1, 0, 3, 2}, CLASSES);
        Batch twice = new CutMix(1, CLASSES).apply(once, new AugmentRandom(1));
        float[] t = twice.targets().toFloatArray();
        for (int i = 0; i < 4; i++) {
            float sum = 0;
            for (int c = 0; c < CLASSES; c++) {
                sum += t[i * CLASSES + c];
            }
            assertEquals(1f, sum, 1e-6f);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new Mixup(0.2, 3).apply(batch, new AugmentRandom(1)));
        assertEquals("Mixup: label at position 3 is 3, expected a class in [0, 3)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Mixup(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new CutMix(1, 0));
        var flat = new Batch(Tensor.zeros(2, 5), Tensor.fromArray(new int[] {0, 1}, 2));
        assertThrows(IllegalArgumentException.class, () -> new CutMix(1, 2).apply(flat, new AugmentRandom(1)));
    }
}
