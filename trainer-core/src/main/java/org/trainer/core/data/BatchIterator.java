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
}
