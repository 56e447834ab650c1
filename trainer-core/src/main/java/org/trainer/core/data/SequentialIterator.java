package org.trainer.core.data;

import java.util.NoSuchElementException;
import java.util.function.IntFunction;

/** Builds each batch on the consumer's thread when asked for it (no loader threads). */
final class SequentialIterator implements BatchIterator {
    private final IntFunction<Batch> make;
    private final int count;
    private int next;

    SequentialIterator(IntFunction<Batch> make, int count) {
        this.make = make;
        this.count = count;
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
