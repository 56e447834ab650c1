package org.trainer.core.data.split;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.core.data.split.SplitInvariants.count;
import static org.trainer.core.data.split.SplitInvariants.folds;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trainer.core.data.Digits;

class KFoldTest {
    private static final int[] DIGITS = Digits.load().targets().toIntArray();

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void plainKFoldIsContiguousBlocksWithTheExtraSamplesFirst() {
        List<Fold> f = KFold.split(23, 5);
        folds(23, f);
        int[] sizes = f.stream().mapToInt(x -> x.validation().length).toArray();
        assertArrayEquals(new int[] {5, 5, 5, 4, 4}, sizes); // as scikit-learn's KFold
        assertArrayEquals(new int[] {10, 11, 12, 13, 14}, f.get(2).validation());
        assertEquals(18, f.get(2).train().length);
    }

    @Test
    void shuffledKFoldIsSeededAndUsesEverySampleOnce() {
        List<Fold> a = KFold.split(Digits.SAMPLES, 10, 42);
        folds(Digits.SAMPLES, a);
        assertArrayEquals(a.get(3).validation(), KFold.split(Digits.SAMPLES, 10, 42).get(3).validation());
        assertFalse(Arrays.equals(a.get(3).validation(), KFold.split(Digits.SAMPLES, 10, 43).get(3).validation()));
        assertFalse(Arrays.equals(a.get(3).validation(), KFold.split(Digits.SAMPLES, 10).get(3).validation()));
    }

    @Test
    void stratifiedKFoldKeepsEveryDigitsShareInEveryFold() {
        int k = 7;
        List<Fold> f = KFold.stratified(DIGITS, k, 42);
        folds(DIGITS.length, f);
        int[] sizes = new int[k];
        for (int j = 0; j < k; j++) {
            int[] v = f.get(j).validation();
            sizes[j] = v.length;
            for (int digit = 0; digit < 10; digit++) {
                int n = count(DIGITS, digit);
                int got = count(DIGITS, v, digit);
                assertTrue(got == n / k || got == (n + k - 1) / k, "digit " + digit + " fold " + j + ": " + got);
            }
        }
        int min = Arrays.stream(sizes).min().orElseThrow();
        int max = Arrays.stream(sizes).max().orElseThrow();
        assertTrue(max - min <= 1, Arrays.toString(sizes));
        assertArrayEquals(f.get(2).validation(), KFold.stratified(DIGITS, k, 42).get(2).validation());
        assertFalse(Arrays.equals(f.get(2).validation(), KFold.stratified(DIGITS, k, 1).get(2).validation()));
    }

    @Test
    void aClassWithFewerSamplesThanFoldsIsAnError() {
        int[] y = new int[60];
        for (int i = 0; i < 4; i++) {
            y[10 * i] = 3;
        }
        assertEquals("KFold.stratified: class 3 has 4 samples, fewer than k = 5 folds: every fold needs at least one"
                + " sample of every class", error(() -> KFold.stratified(y, 5, 0)));
        folds(60, KFold.stratified(y, 4, 0));
        assertEquals("KFold.stratified: class 0 has 1 sample, fewer than k = 2 folds: every fold needs at least one"
                + " sample of every class", error(() -> KFold.stratified(new int[] {0, 1, 1}, 2, 0)));
    }

    @Test
    void badKIsRefused() {
        assertEquals("KFold.split: k must be >= 2 folds, got 1", error(() -> KFold.split(10, 1)));
        assertEquals("KFold.split: k = 3 folds need at least 3 samples, got -1", error(() -> KFold.split(-1, 3)));
        assertEquals("KFold.split: k = 11 folds need at least 11 samples, got 10", error(() -> KFold.split(10, 11, 0)));
        assertEquals("KFold.stratified: k must be >= 2 folds, got 0", error(() -> KFold.stratified(DIGITS, 0, 0)));
    }
}
