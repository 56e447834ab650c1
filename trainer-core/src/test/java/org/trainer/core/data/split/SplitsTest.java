package org.trainer.core.data.split;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.core.data.split.SplitInvariants.count;
import static org.trainer.core.data.split.SplitInvariants.partition;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.trainer.core.data.Digits;
import org.trainer.core.data.Shuffle;
import org.trainer.core.data.TensorDataset;

class SplitsTest {
    private static final int[] DIGITS = Digits.load().targets().toIntArray();

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    /** Labels 1 for the first {@code keep} zeros of the digits and 0 for every other sample: a rare class. */
    private static int[] rareZeros(int keep) {
        int[] y = new int[DIGITS.length];
        int zeros = 0;
        for (int i = 0; i < y.length; i++) {
            y[i] = DIGITS[i] == 0 && zeros++ < keep ? 1 : 0;
        }
        return y;
    }

    @Test
    void defaultRandomSplitOfTheDigitsIs70_15_15AndUsesEverySampleOnce() {
        Split s = Splits.random(Digits.SAMPLES, 42);
        // 1797 x (0.70, 0.15, 0.15) = 1257.9, 269.55, 269.55: floors 1257, 269, 269 and two samples left
        // over, which go to the largest remainders: train (0.9), then validation (0.55, first of the tie).
        assertEquals(1258, s.train().length);
        assertEquals(270, s.validation().length);
        assertEquals(269, s.test().length);
        partition(Digits.SAMPLES, s.train(), s.validation(), s.test());
        for (int[] part : new int[][] {s.train(), s.validation(), s.test()}) {
            int[] sorted = part.clone();
            Arrays.sort(sorted);
            assertArrayEquals(sorted, part, "indices ascend");
        }
    }

    @Test
    void theSeedFixesTheSplit() {
        Split a = Splits.random(500, 0.6, 0.2, 0.2, 7);
        Split b = Splits.random(500, 0.6, 0.2, 0.2, 7);
        Split c = Splits.random(500, 0.6, 0.2, 0.2, 8);
        assertArrayEquals(a.train(), b.train());
        assertArrayEquals(a.validation(), b.validation());
        assertArrayEquals(a.test(), b.test());
        assertFalse(Arrays.equals(a.test(), c.test()));
        Split s = Splits.stratified(DIGITS, 3);
        assertArrayEquals(s.test(), Splits.stratified(DIGITS, 3).test());
        assertFalse(Arrays.equals(s.test(), Splits.stratified(DIGITS, 4).test()));
    }

    @Test
    void aTwoWaySplitHasAnEmptyPart() {
        Split s = Splits.random(10, 0.8, 0, 0.2, 1);
        assertEquals(8, s.train().length);
        assertEquals(0, s.validation().length);
        assertEquals(2, s.test().length);
        partition(10, s.train(), s.validation(), s.test());
    }

    @Test
    void stratifiedSplitKeepsEveryDigitsShareInEveryPartToWithinOneSample() {
        double[] f = {0.6, 0.25, 0.15};
        Split s = Splits.stratified(DIGITS, f[0], f[1], f[2], 42);
        partition(DIGITS.length, s.train(), s.validation(), s.test());
        int[][] parts = {s.train(), s.validation(), s.test()};
        for (int digit = 0; digit < 10; digit++) {
            int n = count(DIGITS, digit);
            for (int p = 0; p < 3; p++) {
                double exact = n * f[p];
                int got = count(DIGITS, parts[p], digit);
                assertTrue(Math.abs(got - exact) < 1, "digit " + digit + " part " + p + ": " + got + " vs " + exact);
            }
        }
    }

    @Test
    void stratifiedSplitKeepsARareClassThatARandomSplitLoses() {
        int[] y = rareZeros(10); // 10 positives among 1797
        for (long seed = 0; seed < 50; seed++) {
            Split s = Splits.stratified(y, 0.7, 0.15, 0.15, seed);
            // 10 x 0.15 = 1.5: one or two positives in each held-out part, never none.
            assertTrue(count(y, s.validation(), 1) >= 1 && count(y, s.validation(), 1) <= 2);
            assertTrue(count(y, s.test(), 1) >= 1 && count(y, s.test(), 1) <= 2);
            assertEquals(10, count(y, s.train(), 1) + count(y, s.validation(), 1) + count(y, s.test(), 1));
        }
        int randomWithoutPositives = 0;
        for (long seed = 0; seed < 50; seed++) {
            Split s = Splits.random(y.length, 0.7, 0.15, 0.15, seed);
            randomWithoutPositives += count(y, s.test(), 1) == 0 ? 1 : 0;
        }
        // P(no positive among 270 of 1797 draws) = 0.85^10 = 0.20 per seed: some of 50 seeds lose them.
        assertTrue(randomWithoutPositives > 0, "the random split always kept a positive in test");
    }

    @Test
    void splitsMakeSubsetsOfTheDataset() {
        TensorDataset all = Digits.load();
        Split s = Splits.stratified(DIGITS, 5);
        TensorDataset test = s.testSet(all);
        assertEquals(s.test().length, test.size());
        int[] labels = test.targets().toIntArray();
        for (int j = 0; j < labels.length; j++) {
            assertEquals(DIGITS[s.test()[j]], labels[j]);
        }
        assertEquals(s.train().length, s.trainSet(all).size());
        assertEquals(s.validation().length, s.validationSet(all).size());
    }

    @Test
    void aClassTooSmallForAPartIsAnError() {
        assertEquals("Splits.stratified: class 1 has 6 samples, too few for a validation fraction of 0.15: every part"
                + " needs at least one sample of every class, which takes at least 7 samples per class",
                error(() -> Splits.stratified(rareZeros(6), 0.7, 0.15, 0.15, 0)));
        assertEquals("Splits.stratified: class 1 has 2 samples, too few for a test fraction of 0.2: every part"
                + " needs at least one sample of every class, which takes at least 5 samples per class",
                error(() -> Splits.stratified(rareZeros(2), 0.8, 0, 0.2, 0)));
        assertEquals("Splits.stratified: class 1 has 1 sample, too few for a train fraction of 0.8: every part"
                + " needs at least one sample of every class, which takes at least 2 samples per class",
                error(() -> Splits.stratified(rareZeros(1), 0.8, 0, 0.2, 0)));
        Splits.stratified(rareZeros(7), 0.7, 0.15, 0.15, 0); // 7 x 0.15 = 1.05: enough
    }

    @Test
    void badFractionsAreRefusedWithTheirValues() {
        assertEquals("Splits.random: fractions must sum to 1, got 0.7 + 0.2 + 0.15 = 1.0499999999999998",
                error(() -> Splits.random(100, 0.7, 0.2, 0.15, 0)));
        assertEquals("Splits.stratified: fractions must sum to 1, got 0.6 + 0.2 + 0.1 = 0.9",
                error(() -> Splits.stratified(DIGITS, 0.6, 0.2, 0.1, 0)));
        assertEquals("Splits.random: validation fraction must be in [0, 1], got -0.1",
                error(() -> Splits.random(100, 0.9, -0.1, 0.2, 0)));
        assertEquals("Splits.chronological: test fraction must be in [0, 1], got NaN",
                error(() -> Splits.chronological(100, 0.9, 0.1, Double.NaN)));
        assertEquals("Splits.random: train fraction must be > 0, got 0.0",
                error(() -> Splits.random(100, 0, 0.5, 0.5, 0)));
        assertEquals("Splits.random: n must be >= 1 sample, got 0", error(() -> Splits.random(0, 0)));
        assertEquals("Splits.random: 3 samples are too few for a test fraction of 0.15: that part would be empty",
                error(() -> Splits.random(3, 0)));
        assertEquals("Splits.chronological: 1 sample is too few for a validation fraction of 0.15: that part would be"
                + " empty", error(() -> Splits.chronological(1, 0.7, 0.15, 0.15)));
        assertEquals("Splits.stratified: labels is empty, expected at least one sample",
                error(() -> Splits.stratified(new int[0], 0)));
    }

    @Test
    void chronologicalSplitBySampleOrderIsThreeConsecutiveBlocks() {
        Split s = Splits.chronological(309, 0.7, 0.15, 0.15);
        partition(309, s.train(), s.validation(), s.test());
        // 309 x (0.7, 0.15, 0.15) = 216.3, 46.35, 46.35: floors 216, 46, 46, and the one left goes to validation.
        assertEquals(216, s.train().length);
        assertEquals(47, s.validation().length);
        assertEquals(0, s.train()[0]);
        assertEquals(215, s.train()[215]);
        assertEquals(216, s.validation()[0]);
        assertEquals(263, s.test()[0]);
        assertEquals(308, s.test()[45]);
    }

    @Test
    void chronologicalSplitByTimeKeepsEveryHeldOutTimeAfterEveryTrainingTime() {
        // 400 samples in shuffled order with many equal times (20 samples per day): a cut by count
        // alone would put samples of one day on both sides.
        int n = 400;
        int[] order = Shuffle.permutation(n, 9, 0);
        double[] times = new double[n];
        for (int i = 0; i < n; i++) {
            times[order[i]] = 1000 + i / 20;
        }
        Split s = Splits.chronological(times, 0.72, 0.13, 0.15);
        partition(n, s.train(), s.validation(), s.test());
        assertTrue(max(times, s.train()) < min(times, s.validation()));
        assertTrue(max(times, s.validation()) < min(times, s.test()));
        // 288 by count is inside day 14; the cut moves to the end of that day.
        assertEquals(300, s.train().length);
        for (int j = 1; j < s.test().length; j++) {
            assertTrue(times[s.test()[j - 1]] <= times[s.test()[j]], "parts are in time order");
        }
    }

    @Test
    void chronologicalSplitRefusesBadTimesAndAPartEmptiedByTies() {
        assertEquals("Splits.chronological: times[2] is NaN, expected a finite time",
                error(() -> Splits.chronological(new double[] {1, 2, Double.NaN, 4}, 0.5, 0.25, 0.25)));
        double[] sameDay = new double[10];
        Arrays.fill(sameDay, 5);
        sameDay[9] = 6;
        assertEquals("Splits.chronological: the validation part is empty: its 1 sample(s) share a time with the part"
                + " before it (time 5.0), and samples of one time stay in one part",
                error(() -> Splits.chronological(sameDay, 0.8, 0.1, 0.1)));
    }

    private static double max(double[] t, int[] part) {
        return Arrays.stream(part).mapToDouble(i -> t[i]).max().orElseThrow();
    }

    private static double min(double[] t, int[] part) {
        return Arrays.stream(part).mapToDouble(i -> t[i]).min().orElseThrow();
    }
}
