package org.trainer.core.data;

import java.util.Iterator;

/**
 * The batches of one epoch. Closing it ends the epoch early and stops any background prefetch
 * thread; an iterator that runs to its end closes itself, so a plain for-each loop needs no close.
 * Use try-with-resources where a loop may break out early.
 */
public interface BatchIterator extends Iterator<Batch>, AutoCloseable {

    /** Ends the epoch: {@link #hasNext()} is false afterwards. Idempotent; never throws. */
    @Override
    void close();

    /**
     * Whether every batch that {@link #next()} returns is built on the calling thread, in memory
     * that nothing else keeps (neither this iterator nor its dataset holds a reference to it). A
     * consumer that is done with such a batch may then recycle its memory: {@code Trainer} builds
     * each batch inside its step memory ({@link org.trainer.core.backend.MemoryScope}), so that a
     * steady-state step allocates nothing for it. False by default, which is always safe.
     *
     * @return whether the batches may be recycled by the consumer once it is done with them
     */
    default boolean freshBatches() {
        return false;
    }
}
