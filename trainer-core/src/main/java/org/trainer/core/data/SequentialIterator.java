package org.trainer.core.data;

import java.util.NoSuchElementException;
import java.util.function.IntFunction;

/** Builds each batch on the consumer's thread when asked for it (no loader threads). */
final class SequentialIterator implements BatchIterator {
    private final IntFunction<Batch> make;
    private final int count;
    private final boolean fresh;
    private int next;

    /** Batches that {@link #freshBatches() may be recycled} only when {@code fresh} says so. */
    SequentialIterator(IntFunction<Batch> make, int count, boolean fresh) {
        this.make = make;
        this.count = count;
        this.fresh = fresh;
    }

    @Override
    public boolean freshBatches() {
        return fresh;
    }

    @Override
    public boolean hasNext() {
        return next < count;
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("DataLoader: the epoch has ended (" + count + " batches)");
        }
        return make.apply(next++);
    }

    @Override
    public void close() {
        next = count;
    }
}
