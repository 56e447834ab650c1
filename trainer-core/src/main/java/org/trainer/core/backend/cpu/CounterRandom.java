package org.trainer.core.backend.cpu;

import org.trainer.core.SplitMix64;

/**
 * Counter-based random numbers: the value for index i is a hash of (seed, i), so any split of the
 * work over threads (or over a GPU's cores) gives the same numbers.
 */
final class CounterRandom {
    private CounterRandom() {
    }

    private static long bits(long seed, long counter) {
        return keyedBits(SplitMix64.mix64(seed), counter);
    }

    /**
     * The key of a seed's stream: a loop over many counters computes it once and calls
     * {@link #keyedUniform}, which then costs one hash per number instead of two.
     */
    static long key(long seed) {
        return SplitMix64.mix64(seed);
    }

    private static long keyedBits(long key, long counter) {
        return SplitMix64.mix64(key + counter * 0x9e3779b97f4a7c15L);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    static double uniform(long seed, long i) {
        return (bits(seed, i) >>> 11) * 0x1.0p-53;
    }

    /** {@link #uniform}(seed, i) for key = {@link #key}(seed). */
    static double keyedUniform(long key, long i) {
        return (keyedBits(key, i) >>> 11) * 0x1.0p-53;
    }

    /**
     * The smallest m in [0, 2^53] with {@code (float) (m * 2^-53) >= t}: a float uniform drawn from
     * 53 random bits m is at least t exactly when m is at least this (rounding to float is
     * monotone), so a threshold needs neither the conversion nor a float comparison. 2^53 when no
     * draw reaches t.
     */
    static long uniformThreshold(float t) {
        long lo = 0;
        long hi = 1L << 53;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if ((float) (mid * 0x1.0p-53) >= t) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * f[i] = scale where the 53 bits of {@link #keyedUniform}(key, i) are at least {@code threshold}
     * (see {@link #uniformThreshold}), else +0, for i in [k0, k1). Branch-free: the sign of the
     * difference selects the bits of scale, since a branch on random draws mispredicts.
     */
    static void dropoutMask(long key, long threshold, float scale, float[] f, int k0, int k1) {
        int scaleBits = Float.floatToRawIntBits(scale);
        for (int k = k0; k < k1; k++) {
            long below = ((keyedBits(key, k) >>> 11) - threshold) >> 63;
            f[k] = Float.intBitsToFloat(scaleBits & ~(int) below);
        }
    }

    /** Standard normal by Box-Muller on two uniforms drawn from counters 2i and 2i+1 of a derived stream. */
    static double normal(long seed, long i) {
        long s = SplitMix64.mix64(seed ^ 0x5851f42d4c957f2dL);
        double u1 = ((bits(s, 2 * i) >>> 11) + 1) * 0x1.0p-53; // (0, 1]: log is finite
        double u2 = (bits(s, 2 * i + 1) >>> 11) * 0x1.0p-53;
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
