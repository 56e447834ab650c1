package org.trainer.core.nn;

import org.trainer.core.SplitMix64;

/**
 * The source of seeds for layers created without an explicit one: a seed, set with
 * {@link #set(long)}, and a counter. Creating the same model in the same order after the same
 * {@code set} gives the same weights and dropout masks.
 *
 * <p>The sequence belongs to the calling thread, so threads that build models at the same time
 * (parallel tuning trials, several ranks in one JVM) never take seeds from each other's sequence:
 * each thread that calls {@code set(seed)} and then builds a model gets the weights any other thread
 * gets from the same calls. A thread starts with a copy of the sequence of the thread that created
 * it, at the point it was created; the first thread starts from a fixed default seed.
 */
public final class Seeds {
    private static final long DEFAULT_SEED = 0x7261696e6572L;
    private static final long GAMMA = 0x9e3779b97f4a7c15L;
    /** Keeps the data seed apart from the layers' sequence built on the same base. */
    private static final long DATA_SALT = 0x64617461L;

    /** One thread's sequence. */
    private static final class Sequence {
        long base;
        long counter;

        Sequence(long base, long counter) {
            this.base = base;
            this.counter = counter;
        }
    }

    private static final InheritableThreadLocal<Sequence> SEQUENCE = new InheritableThreadLocal<>() {
        @Override
        protected Sequence initialValue() {
            return new Sequence(DEFAULT_SEED, 0);
        }

        @Override
        protected Sequence childValue(Sequence parent) {
            return new Sequence(parent.base, parent.counter);
        }
    };

    private Seeds() {
    }

    /**
     * Sets this thread's seed and restarts its sequence.
     *
     * @param seed the new seed
     */
    public static void set(long seed) {
        Sequence s = SEQUENCE.get();
        s.base = seed;
        s.counter = 0;
    }

    /**
     * The next seed of this thread's sequence.
     *
     * @return the seed
     */
    public static long next() {
        Sequence s = SEQUENCE.get();
        return mix(s.base + GAMMA * ++s.counter);
    }

    /**
     * The seed that data loaders built without {@code seed(...)} use on this thread: derived from the
     * seed last given to {@link #set(long)} here (or inherited, or the default), so that one
     * {@code Seeds.set} fixes the shuffles and augmentations as well as the weights and dropout. It
     * does not advance the sequence: building a loader leaves the weights of later layers as they
     * would be without it. Loaders built after the same {@code set} share it.
     */
    public static long dataSeed() {
        return mix(SEQUENCE.get().base ^ DATA_SALT);
    }

    /** A well-mixed seed derived from another (SplitMix64's finaliser). */
    public static long mix(long z) {
        return SplitMix64.mix64(z);
    }
}
