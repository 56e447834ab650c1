package org.trainer.core.nn;

import org.trainer.core.Tensor;

/**
 * Inverted dropout: in training, each element is zeroed with probability p and the rest scaled by
 * 1/(1-p), so evaluation is the identity. Call i draws its mask from (seed, i): runs are
 * reproducible, and {@link #calls()} is the state a checkpoint saves.
 */
public final class Dropout extends Module {
    private final double p;
    private final long seed;
    private long calls;

    /**
     * Dropout with probability p in [0, 1), seeded from {@link Seeds}.
     *
     * @param p the probability of zeroing an element
     */
    public Dropout(double p) {
        this(p, Seeds.next());
    }

    /**
     * Dropout with probability p in [0, 1) and masks drawn from this seed; throws IllegalArgumentException for p
     * outside [0, 1).
     *
     * @param p the probability of zeroing an element
     * @param seed the seed of the masks
     */
    public Dropout(double p, long seed) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1), got " + p);
        }
        this.p = p;
        this.seed = seed;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) {
            return x;
        }
        return x.dropout(p, Seeds.mix(seed + calls++));
    }

    /**
     * The seed that, with the call count, fixes every mask.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /**
     * How many masks have been drawn.
     *
     * @return the number of masks drawn
     */
    public long calls() {
        return calls;
    }

    /**
     * Restores the mask counter (when resuming a run).
     *
     * @param calls the number of masks already drawn
     */
    public void setCalls(long calls) {
        this.calls = calls;
    }

    @Override
    protected String describe() {
        return "p=" + p;
    }
}
