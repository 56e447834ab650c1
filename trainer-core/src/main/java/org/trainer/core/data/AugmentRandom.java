package org.trainer.core.data;

import org.trainer.core.SplitMix64;

/**
 * The random stream that an augmentation draws from: SplitMix64 plus the few distributions that
 * augmentations need (uniform, Gaussian, Beta), written out so that a seed gives the same draws
 * on every JDK.
 *
 * <p><b>One stream per sample.</b> A {@link org.trainer.core.data.DataLoader} never shares a
 * generator between samples: sample number p of epoch e (its position in the epoch's order, 0 to
 * N-1) gets {@link #forSample(long, int, long) forSample(seed, e, p)}, a stream keyed by the
 * counter (seed, e, p) alone, and batch number b gets {@link #forBatch(long, int, int)
 * forBatch(seed, e, b)}. What a sample looks like therefore depends on nothing but the seed, the
 * epoch and its position: not on which thread built it, nor on how many threads there are, nor on
 * the order in which they ran. Not thread-safe: each stream belongs to one sample on one thread.
 */
public final class AugmentRandom {
    /** Domain constants keep the sample streams apart from the batch streams of the same counter. */
    private static final long SAMPLE_DOMAIN = 0x73616D706C65L; // "sample"
    private static final long BATCH_DOMAIN = 0x6261746368L;    // "batch"

    private final SplitMix64 bits;

    /**
     * A stream seeded directly (tests, or a transform used outside a loader).
     *
     * @param seed the seed
     */
    public AugmentRandom(long seed) {
        this.bits = new SplitMix64(seed);
    }

    /**
     * The stream of the sample at {@code position} (0-based, in the epoch's order) of epoch {@code epoch}.
     *
     * @param seed the loader's seed
     * @param epoch the epoch
     * @param position the sample's position in the epoch
     * @return the stream
     */
    public static AugmentRandom forSample(long seed, int epoch, long position) {
        return new AugmentRandom(key(seed, epoch, position, SAMPLE_DOMAIN));
    }

    /**
     * The stream of batch number {@code batch} of epoch {@code epoch}, for batch-level transforms.
     *
     * @param seed the loader's seed
     * @param epoch the epoch
     * @param batch the batch's number in the epoch
     * @return the stream
     */
    public static AugmentRandom forBatch(long seed, int epoch, int batch) {
        return new AugmentRandom(key(seed, epoch, batch, BATCH_DOMAIN));
    }

    /**
     * mix64(mix64(seed ^ mix64(domain + epoch)) + index): mix64 is a bijection, so within one (seed,
     * epoch, domain) distinct indices give distinct stream seeds, and mixing (rather than adding) the
     * epoch keeps nearby seeds and epochs unrelated, as {@link org.trainer.core.data.Shuffle} does.
     */
    static long key(long seed, int epoch, long index, long domain) {
        long base = SplitMix64.mix64(seed ^ SplitMix64.mix64(domain + epoch));
        return SplitMix64.mix64(base + index);
    }

    /**
     * 64 uniformly random bits.
     *
     * @return the bits
     */
    public long nextLong() {
        return bits.nextLong();
    }

    /**
     * Uniform in [0, bound), without modulo bias.
     *
     * @param bound the bound, positive
     * @return the value
     */
    public int nextInt(int bound) {
        return bits.nextInt(bound);
    }

    /**
     * Uniform in [lo, hi], both included.
     *
     * @param lo the smallest value
     * @param hi the largest value
     * @return the value
     */
    public int nextInt(int lo, int hi) {
        if (hi < lo) {
            throw new IllegalArgumentException("nextInt: hi must be >= lo, got lo " + lo + ", hi " + hi);
        }
        return lo + bits.nextInt(hi - lo + 1);
    }

    /**
     * Uniform in [0, 1) with 53 random bits.
     *
     * @return the value
     */
    public double nextDouble() {
        return (bits.nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * Uniform in [a, b).
     *
     * @param a the lower bound
     * @param b the upper bound
     * @return the value
     */
    public double uniform(double a, double b) {
        return a + (b - a) * nextDouble();
    }

    /**
     * True with probability p (p &lt;= 0: never; p &gt;= 1: always); draws one number either way.
     *
     * @param p the probability of true
     * @return the draw
     */
    public boolean nextBoolean(double p) {
        return nextDouble() < p;
    }

    /**
     * Standard normal by Box-Muller: sqrt(-2 ln u1) cos(2 pi u2), u1 in (0, 1]. Two draws.
     *
     * @return the value
     */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * Gamma(shape, 1) by Marsaglia and Tsang's squeeze method (2000); for shape &lt; 1 it draws
     * Gamma(shape + 1) and multiplies by u^(1/shape).
     *
     * @param shape the shape, positive
     * @return the value
     */
    public double gamma(double shape) {
        if (!(shape > 0) || Double.isInfinite(shape)) {
            throw new IllegalArgumentException("gamma: shape must be finite and > 0, got " + shape);
        }
        if (shape < 1) {
            double u = 1.0 - nextDouble();
            return gamma(shape + 1) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = nextGaussian();
            double v = 1 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = 1.0 - nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return d * v;
            }
        }
    }

    /**
     * Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). For tiny shapes both can underflow
     * to 0; as a and b tend to 0 Beta(a, b) tends to a coin that gives 1 with probability a / (a + b)
     * and 0 otherwise, so such a coin decides then.
     *
     * @param a the first shape, positive
     * @param b the second shape, positive
     * @return the value, in [0, 1]
     */
    public double beta(double a, double b) {
        double x = gamma(a);
        double y = gamma(b);
        double s = x + y;
        if (s == 0) {
            return nextDouble() < a / (a + b) ? 1 : 0;
        }
        return x / s;
    }
}
