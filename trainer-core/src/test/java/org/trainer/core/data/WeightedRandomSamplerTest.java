package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class WeightedRandomSamplerTest {

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void withReplacementDrawsInProportionToTheWeights() {
        double[] w = {1, 0, 2, 3, 4};
        int draws = 200_000;
        int[] idx = new WeightedRandomSampler(w, draws, true, 42).indices(0);
        assertEquals(draws, idx.length);
        int[] hits = new int[w.length];
        for (int i : idx) {
            hits[i]++;
        }
        assertEquals(0, hits[1], "a zero weight is never drawn");
        for (int i = 0; i < w.length; i++) {
            double p = w[i] / 10;
            double sd = Math.sqrt(p * (1 - p) / draws);
            assertEquals(p, hits[i] / (double) draws, 5 * sd + 1e-12, "sample " + i);
        }
    }

    @Test
    void withoutReplacementEachSampleAtMostOnceAndTheFirstDrawFollowsTheWeights() {
        double[] w = {1, 2, 3, 4, 0, 10};
        int[] first = new int[w.length];
        int epochs = 20_000;
        WeightedRandomSampler s = new WeightedRandomSampler(w, 5, false, 7);
        for (int e = 0; e < epochs; e++) {
            int[] idx = s.indices(e);
            assertEquals(5, Arrays.stream(idx).distinct().count());
            assertFalse(Arrays.stream(idx).anyMatch(i -> i == 4), "a zero weight is never drawn");
            first[idx[0]]++;
        }
        for (int i = 0; i < w.length; i++) {
            double p = w[i] / 20;
            double sd = Math.sqrt(p * (1 - p) / epochs);
            assertEquals(p, first[i] / (double) epochs, 5 * sd + 1e-12, "first draw of sample " + i);
        }
    }

    @Test
    void indicesArePureFunctionsOfSeedAndEpoch() {
        double[] w = {0.5, 1, 1, 3, 0.25, 2};
        WeightedRandomSampler a = new WeightedRandomSampler(w, 50, true, 3);
        WeightedRandomSampler b = new WeightedRandomSampler(w, 50, true, 3);
        assertArrayEquals(a.indices(4), b.indices(4));
        assertArrayEquals(a.indices(4), a.indices(4));
        assertFalse(Arrays.equals(a.indices(4), a.indices(5)));
        assertFalse(Arrays.equals(a.indices(4), new WeightedRandomSampler(w, 50, true, 4).indices(4)));
        assertArrayEquals(new WeightedRandomSampler(w, 6, false, 9).indices(2),
                new WeightedRandomSampler(w, 6, false, 9).indices(2));
    }

    @Test
    void balancedClassWeightsMakeEveryDigitEquallyLikely() {
        // Digit 0 against the rest: about 10% positives; balanced sampling draws about 50%.
        int[] digits = Digits.load().targets().toIntArray();
        int[] y = Arrays.stream(digits).map(d -> d == 0 ? 1 : 0).toArray();
        double[] w = WeightedRandomSampler.sampleWeights(y, ClassWeights.balanced(y, 2));
        int[] idx = new WeightedRandomSampler(w, 100_000, true, 1).indices(0);
        double positives = Arrays.stream(idx).filter(i -> y[i] == 1).count() / 100_000.0;
        assertEquals(0.5, positives, 0.01);
        assertTrue(Arrays.stream(y).filter(v -> v == 1).count() < 200);
    }

    @Test
    void badArgumentsAreRefused() {
        assertEquals("WeightedRandomSampler: weights[1] is -1.0, expected a finite weight >= 0",
                error(() -> new WeightedRandomSampler(new double[] {1, -1}, 2, true, 0)));
        assertEquals("WeightedRandomSampler: weights[0] is NaN, expected a finite weight >= 0",
                error(() -> new WeightedRandomSampler(new double[] {Double.NaN}, 2, true, 0)));
        assertEquals("WeightedRandomSampler: all 2 weights are 0, expected at least one > 0",
                error(() -> new WeightedRandomSampler(new double[] {0, 0}, 2, true, 0)));
        assertEquals("WeightedRandomSampler: numSamples must be >= 1, got 0",
                error(() -> new WeightedRandomSampler(new double[] {1}, 0, true, 0)));
        assertEquals("WeightedRandomSampler: numSamples 3 without replacement exceeds the 2 samples of positive weight",
                error(() -> new WeightedRandomSampler(new double[] {1, 0, 1}, 3, false, 0)));
        assertEquals("sampleWeights: labels[2] is 5, expected a class in [0, 2)",
                error(() -> WeightedRandomSampler.sampleWeights(new int[] {0, 1, 5}, new double[] {1, 2})));
    }
}
