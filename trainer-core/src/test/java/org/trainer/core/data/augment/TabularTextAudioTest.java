package org.trainer.core.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;

/** Tabular, text (EDA) and audio transforms: exact invariants and the statistics they promise. */
class TabularTextAudioTest {

    // ---------------------------------------------------------------- tabular

    @Test
    void gaussianNoiseHasTheRequestedSpread() {
        Tensor x = Tensor.full(3, 20_000);
        float[] out = new GaussianNoise(0.1).apply(x, new AugmentRandom(1)).toFloatArray();
        double m = 0;
        double v = 0;
        for (float f : out) {
            m += f;
        }
        m /= out.length;
        for (float f : out) {
            v += (f - m) * (f - m);
        }
        assertEquals(3, m, 0.003);
        assertEquals(0.1, Math.sqrt(v / out.length), 0.003);
        assertArrayEquals(x.toFloatArray(), new GaussianNoise(0).apply(x, new AugmentRandom(1)).toFloatArray());
    }

    @Test
    void featureMaskReplacesAboutAFractionPWithFill() {
        Tensor x = Tensor.full(2, 10_000);
        float[] out = new RandomFeatureMask(0.3, -1).apply(x, new AugmentRandom(2)).toFloatArray();
        int masked = 0;
        for (float f : out) {
            assertTrue(f == 2 || f == -1);
            masked += f == -1 ? 1 : 0;
        }
        assertEquals(3000, masked, 150);
        assertThrows(IllegalArgumentException.class, () -> new RandomFeatureMask(1.2));
        assertThrows(IllegalArgumentException.class,
                () -> new RandomFeatureMask(0.1).apply(Tensor.fromArray(new int[] {1}, 1), new AugmentRandom(1)));
    }

    // ---------------------------------------------------------------- text

    private static final int PAD = 0;
    /** "the cat sat on the mat" as ids 5 6 7 8 5 9, padded to 10. */
    private static final Tensor SENTENCE = Tensor.fromArray(new int[] {5, 6, 7, 8, 5, 9, 0, 0, 0, 0}, 10);
    private static final Map<Integer, int[]> SYNONYMS = Map.of(6, new int[] {16, 26}, 9, new int[] {19}, 5, new int[] {15});

    private static int[] content(Tensor t) {
        int[] ids = t.toIntArray();
        int n = 0;
        while (n < ids.length && ids[n] != PAD) {
            n++;
        }
        for (int i = n; i < ids.length; i++) {
            assertEquals(PAD, ids[i], "padding only at the end");
        }
        return Arrays.copyOf(ids, n);
    }

    private static int[] sorted(int[] a) {
        int[] s = a.clone();
        Arrays.sort(s);
        return s;
    }

    @Test
    void swapKeepsTheMultisetOfTokens() {
        int[] before = content(SENTENCE);
        boolean changed = false;
        for (int s = 0; s < 50; s++) {
            Tensor out = new RandomSwap(0.3, PAD).apply(SENTENCE, new AugmentRandom(s));
            assertEquals(10, out.size(0));
            int[] after = content(out);
            assertArrayEquals(sorted(before), sorted(after));
            changed |= !Arrays.equals(before, after);
        }
        assertTrue(changed);
    }

    @Test
    void synonymReplacementReplacesWholeWordsByTheirSynonyms() {
        int[] before = content(SENTENCE);
        for (int s = 0; s < 50; s++) {
            // alpha 0.2 of 6 words: one distinct word replaced, at all its occurrences
            int[] after = content(new SynonymReplacement(SYNONYMS, 0.2, PAD).apply(SENTENCE, new AugmentRandom(s)));
            assertEquals(before.length, after.length);
            int replacedWord = -1;
            for (int i = 0; i < before.length; i++) {
                if (before[i] != after[i]) {
                    int replacement = after[i];
                    assertTrue(Arrays.stream(SYNONYMS.get(before[i])).anyMatch(v -> v == replacement));
                    assertTrue(replacedWord == -1 || replacedWord == before[i], "one distinct word");
                    replacedWord = before[i];
                }
            }
            assertNotEquals(-1, replacedWord, "a word with synonyms is present, so one is replaced");
            for (int i = 0; i < before.length; i++) {
                if (before[i] == replacedWord) {
                    assertNotEquals(replacedWord, after[i], "every occurrence is replaced");
                }
            }
        }
        Tensor none = Tensor.fromArray(new int[] {7, 8, 0}, 3);
        assertSame(none, new SynonymReplacement(SYNONYMS, 0.5, PAD).apply(none, new AugmentRandom(1)));
    }

    @Test
    void insertionAddsSynonymsOfPresentWordsAndKeepsTheLength() {
        int[] before = content(SENTENCE);
        for (int s = 0; s < 30; s++) {
            Tensor out = new RandomInsertion(SYNONYMS, 0.35, PAD).apply(SENTENCE, new AugmentRandom(s));
            assertEquals(10, out.size(0));
            int[] after = content(out);
            assertEquals(before.length + 2, after.length, "max(1, floor(0.35 * 6)) = 2 insertions");
            // removing the inserted synonyms gives back the sentence
            int[] rest = Arrays.stream(after).filter(t -> t < 10).toArray();
            assertArrayEquals(before, rest);
        }
        Tensor full = Tensor.fromArray(new int[] {5, 6, 9}, 3);
        int[] cut = new RandomInsertion(SYNONYMS, 1, PAD).apply(full, new AugmentRandom(3)).toIntArray();
        assertEquals(3, cut.length, "cut at L");
    }

    @Test
    void deletionKeepsAnOrderedSubsequenceAndAtLeastOneWord() {
        int[] before = content(SENTENCE);
        for (int s = 0; s < 50; s++) {
            int[] after = content(new RandomDeletion(0.5, PAD).apply(SENTENCE, new AugmentRandom(s)));
            assertTrue(after.length >= 1);
            int k = 0;
            for (int t : after) {
                while (k < before.length && before[k] != t) {
                    k++;
                }
                assertTrue(k < before.length, "not a subsequence: " + Arrays.toString(after));
                k++;
            }
        }
        assertEquals(1, content(new RandomDeletion(1, PAD).apply(SENTENCE, new AugmentRandom(4))).length);
        assertArrayEquals(before, content(new RandomDeletion(0, PAD).apply(SENTENCE, new AugmentRandom(4))));
    }

    @Test
    void textTransformsRefuseBadInput() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new RandomSwap(0.1, PAD).apply(Tensor.zeros(4), new AugmentRandom(1)));
        assertEquals("RandomSwap: a sample must be an INT32 token sequence [L], got FLOAT32 of shape [4]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SynonymReplacement(Map.of(1, new int[] {0}), 0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new RandomInsertion(null, 0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new RandomSwap(1.5, 0));
    }

    // ---------------------------------------------------------------- audio

    @Test
    void timeStretchByOneIsTheIdentityAndByTwoHalvesTheLength() {
        Tensor wave = Tensor.randn(3, 2, 101);
        assertArrayEquals(wave.toFloatArray(), TimeStretch.stretch(wave, 1).toFloatArray());
        Tensor half = TimeStretch.stretch(wave, 2);
        assertArrayEquals(new int[] {2, 51}, half.shape());
        float[] x = wave.toFloatArray();
        float[] h = half.toFloatArray();
        for (int c = 0; c < 2; c++) {
            for (int k = 0; k < 51; k++) {
                assertEquals(x[c * 101 + 2 * k], h[c * 51 + k]);
            }
        }
        TimeStretch keep = new TimeStretch(0.8, 1.25);
        for (int s = 0; s < 10; s++) {
            assertArrayEquals(new int[] {2, 101}, keep.apply(wave, new AugmentRandom(s)).shape());
        }
        TimeStretch free = new TimeStretch(0.5, 2, false);
        int len = free.apply(wave, new AugmentRandom(5)).size(1);
        assertTrue(len >= 50 && len <= 202, "length " + len);
    }

    @Test
    void timeShiftMovesSamplesAndRollsBack() {
        Tensor wave = Tensor.fromArray(new float[] {1, 2, 3, 4, 5}, 5);
        assertArrayEquals(new float[] {0, 0, 1, 2, 3}, TimeShift.shift(wave, 2, false).toFloatArray());
        assertArrayEquals(new float[] {3, 4, 5, 0, 0}, TimeShift.shift(wave, -2, false).toFloatArray());
        assertArrayEquals(new float[] {4, 5, 1, 2, 3}, TimeShift.shift(wave, 2, true).toFloatArray());
        Tensor noisy = Tensor.randn(4, 3, 50);
        for (int s = 0; s < 20; s++) {
            AugmentRandom r = new AugmentRandom(s);
            Tensor shifted = new TimeShift(7, true).apply(noisy, r);
            // some shift in [-7, 7] undoes it
            boolean undone = false;
            for (int back = -7; back <= 7; back++) {
                undone |= Arrays.equals(noisy.toFloatArray(), TimeShift.shift(shifted, back, true).toFloatArray());
            }
            assertTrue(undone);
        }
    }

    @Test
    void addNoiseReachesTheRequestedSignalToNoiseRatio() {
        Tensor wave = Tensor.randn(5, 40_000).mul(0.3);
        Tensor noisy = new AddNoise(20, 20).apply(wave, new AugmentRandom(6));
        float[] x = wave.toFloatArray();
        float[] y = noisy.toFloatArray();
        double signal = 0;
        double noise = 0;
        for (int t = 0; t < x.length; t++) {
            signal += x[t] * x[t];
            noise += (y[t] - x[t]) * (y[t] - x[t]);
        }
        assertEquals(20, 10 * Math.log10(signal / noise), 0.1);
        Tensor silent = Tensor.zeros(100);
        assertSame(silent, new AddNoise(0, 10).apply(silent, new AugmentRandom(1)));
    }

    @Test
    void specAugmentMasksAreBandsWithinTheRequestedWidths() {
        int f = 40;
        int t = 60;
        Tensor spec = Tensor.rand(7, 2, f, t).add(1); // all values in [1, 2): a 0 is a mask
        for (int s = 0; s < 50; s++) {
            float[] out = new SpecAugment(1, 8, 1, 12).apply(spec, new AugmentRandom(s)).toFloatArray();
            boolean[] fullRow = new boolean[f];
            boolean[] fullCol = new boolean[t];
            for (int i = 0; i < f; i++) {
                fullRow[i] = true;
                for (int j = 0; j < t; j++) {
                    fullRow[i] &= out[i * t + j] == 0;
                }
            }
            for (int j = 0; j < t; j++) {
                fullCol[j] = true;
                for (int i = 0; i < f; i++) {
                    fullCol[j] &= out[i * t + j] == 0;
                }
            }
            int rows = band(fullRow);
            int cols = band(fullCol);
            assertTrue(rows <= 8, "frequency mask of " + rows);
            assertTrue(cols <= 12, "time mask of " + cols);
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < f; i++) {
                    for (int j = 0; j < t; j++) {
                        boolean zero = out[(c * f + i) * t + j] == 0;
                        assertEquals(fullRow[i] || fullCol[j], zero, "only whole bands are masked, in every channel");
                    }
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> SpecAugment.mask(spec, 0, 35, 6, 0));
    }

    /** The length of the one run of true values (0 if none), failing if there are two runs. */
    private static int band(boolean[] v) {
        int first = -1;
        int last = -1;
        for (int i = 0; i < v.length; i++) {
            if (v[i]) {
                if (first < 0) {
                    first = i;
                }
                last = i;
            }
        }
        for (int i = first; first >= 0 && i <= last; i++) {
            assertTrue(v[i], "mask is not one band");
        }
        return first < 0 ? 0 : last - first + 1;
    }
}
