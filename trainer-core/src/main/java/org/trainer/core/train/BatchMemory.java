package org.trainer.core.train;

import org.trainer.core.backend.MemoryScope;
import org.trainer.core.data.Batch;
import org.trainer.core.data.BatchIterator;

/**
 * The memory of one batch, from {@link BatchIterator#next()} to the end of its step. When the
 * iterator's batches are {@linkplain BatchIterator#freshBatches() fresh}, the batch is built inside
 * a pooling {@link MemoryScope}, so that its storages (the gathered features and targets) go back to
 * the trainer's pool when this closes and the next batch is gathered into them: a steady-state
 * step then allocates no memory for its data. Everything after {@link #next()} (callbacks, the
 * step's own scope, the optimizer) runs in a {@link MemoryScope#persistent()} block, so that it
 * allocates exactly as it would without this. With other iterators this does nothing.
 */
final class BatchMemory implements AutoCloseable {
    private final BatchIterator iterator;
    private final MemoryScope batch;
    private MemoryScope rest;

    private BatchMemory(BatchIterator iterator, MemoryScope batch) {
        this.iterator = iterator;
        this.batch = batch;
    }

    /** Opens the memory of the iterator's next batch; it comes from {@code pool} when the batches are fresh. */
    static BatchMemory open(BatchIterator iterator, MemoryScope.Pool pool) {
        return new BatchMemory(iterator, iterator.freshBatches() ? MemoryScope.open(pool) : null);
    }

    /** The iterator's next batch. Call once. */
    Batch next() {
        Batch b = iterator.next();
        if (batch != null) {
            rest = MemoryScope.persistent();
        }
        return b;
    }

    /** Ends the batch: its recycled storages go back to the pool; it must not be used afterwards. */
    @Override
    public void close() {
        if (rest != null) {
            rest.close();
        }
        if (batch != null) {
            batch.close();
        }
    }
}
