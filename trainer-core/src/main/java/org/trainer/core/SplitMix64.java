package org.trainer.core;

/**
 * Steele, Lea and Flood's SplitMix64 generator and its finaliser, the one source of seeded
 * randomness and seed mixing in the library (shuffles, layer seeds, counter-based fills), written out so that a seed gives the same stream
 * on every JDK: {@link java.util.SplittableRandom} uses the same core, but its bounded-int
 * algorithm is not part of its specification, and shuffles must survive JDK upgrades bitwise.
 */
public final class SplitMix64 {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    /**
     * A generator starting from this seed.
     *
     * @param seed the seed
     */
    public SplitMix64(long seed) {
        this.state = seed;
    }

    /**
     * Stafford's variant 13 finaliser: a bijection on longs that mixes every input bit into every output bit.
     *
     * @param z any value
     * @return the mixed value
     */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The next 64 random bits.
     *
     * @return the bits
     */
    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix64(state);
    }

    /**
     * Uniform in [0, bound) without modulo bias: Lemire's multiply-shift on 32 random bits, redrawing
     * the few values that would over-represent the low results.
     *
     * @param bound the bound, positive
     * @return the value
     */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("nextInt: bound must be positive, got " + bound);
        }
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x100000000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }
}
