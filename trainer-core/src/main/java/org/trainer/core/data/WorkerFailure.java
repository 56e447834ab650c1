package org.trainer.core.data;

import java.lang.ref.Cleaner;

/**
 * A throwable raised on a loader's worker thread (by a dataset, an augmentation or a record
 * reader), carried to the consumer in order and rethrown there as the same object.
 */
record WorkerFailure(Throwable error) {
    /**
     * The one Cleaner (one daemon thread) that stops the workers of, or closes the readers of, data
     * iterators abandoned without {@code close()}.
     */
    static final Cleaner CLEANER = Cleaner.create();

    /**
     * Rethrows the error on the consumer's thread: an Error or RuntimeException as itself, a checked
     * exception wrapped; a suppressed exception records the consumer's stack.
     *
     * @param owner the loader's name for the suppressed exception's message, e.g. "DataLoader"
     */
    RuntimeException rethrow(String owner) {
        error.addSuppressed(new RuntimeException("rethrown on the consumer thread by " + owner));
        if (error instanceof Error e) {
            throw e;
        }
        throw error instanceof RuntimeException r ? r : new RuntimeException(error);
    }
}
