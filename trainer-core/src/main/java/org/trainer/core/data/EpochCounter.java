package org.trainer.core.data;

/**
 * What the loaders share: an epoch counter that {@code for (Batch b : loader)} advances, so that
 * each pass over a loader serves the next epoch, and the batch-count arithmetic. One thread drives
 * a loader; the counter is not synchronised.
 */
abstract class EpochCounter implements Iterable<Batch>, BatchSource {
    private int epoch;

    /**
     * ceil(n / batchSize), or floor(n / batchSize) with {@code dropLast}, capped at
     * Integer.MAX_VALUE: the iterations of an epoch of n samples.
     */
    static int batchCount(long n, int batchSize, boolean dropLast) {
        long batches = n / batchSize + (!dropLast && n % batchSize != 0 ? 1 : 0);
        return (int) Math.min(batches, Integer.MAX_VALUE);
    }

    /**
     * The epoch that the next {@link #iterator()} call will serve.
     *
     * @return the epoch
     */
    public final int epoch() {
        return epoch;
    }

    /**
     * Sets the epoch that the next {@link #iterator()} call will serve (0 for the first).
     *
     * @param epoch the epoch, from 0
     */
    public final void setEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("setEpoch: epoch must be >= 0, got " + epoch);
        }
        this.epoch = epoch;
    }

    /** The batches of the current epoch; advances the epoch counter by one. */
    @Override
    public final BatchIterator iterator() {
        return iterator(epoch++);
    }
}
