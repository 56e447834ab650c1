package org.trainer.core.data;

import org.trainer.core.SplitMix64;
/** Seeded shuffling: the sample order of an epoch as a pure function of (n, seed, epoch). */
public final class Shuffle {
    private Shuffle() {
    }

    /**
     * A uniformly random permutation of 0 to n-1 for this (seed, epoch): Fisher-Yates driven by
     * SplitMix64 seeded with {@code seed ^ mix64(epoch)}. Mixing the epoch, rather than adding it,
     * keeps epochs of nearby seeds unrelated. The result depends on nothing else (no global state,
     * no JDK version), so a run resumed at epoch e sees the same order as one that never stopped.
     *
     * @param n the number of elements
     * @param seed the seed
     * @param epoch the epoch
     * @return the permutation
     * @throws IllegalArgumentException if n is negative
     */
    public static int[] permutation(int n, long seed, int epoch) {
        if (n < 0) {
            throw new IllegalArgumentException("permutation: n must be >= 0, got " + n);
        }
        int[] p = identity(n);
        SplitMix64 rng = new SplitMix64(seed ^ SplitMix64.mix64(epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * 0, 1, ..., n-1.
     *
     * @param n the number of elements
     * @return the identity permutation
     */
    public static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        return p;
    }
}
