package org.trainer.core.nn;

import java.util.concurrent.atomic.AtomicLong;

import org.trainer.core.SplitMix64;

/**
 * The source of seeds for layers created without an explicit one. One global seed, set with
 * {@link #set(long)}, and a counter: creating the same model in the same order after the same
 * {@code set} gives the same weights and dropout masks.
 */
public final class Seeds {
    private static volatile long base = 0x7261696e6572L;
    private static final AtomicLong COUNTER = new AtomicLong();

    private Seeds() {
    }

    /** Sets the global seed and restarts the sequence. */
    public static synchronized void set(long seed) {
        base = seed;
        COUNTER.set(0);
    }

    /** The next seed of the sequence. */
    public static long next() {
        return mix(base + 0x9e3779b97f4a7c15L * COUNTER.incrementAndGet());
    }

    /** A well-mixed seed derived from another (SplitMix64's finaliser). */
    public static long mix(long z) {
        return SplitMix64.mix64(z);
    }
}
