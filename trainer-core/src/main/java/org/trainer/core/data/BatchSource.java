package org.trainer.core.data;

/**
 * What {@link org.trainer.core.train.Trainer} reads batches from, epoch by epoch: an in-memory
 * {@link DataLoader} ("file mode") or a streaming loader that re-reads its source each epoch
 * ("pipe mode").
 *
 * <p>{@link #iterator(int)} must be a pure function of the epoch: the same epoch gives the same
 * batches in the same order, whatever the number of threads doing the work, so that a run can be
 * repeated and resumed exactly.
 */
public interface BatchSource {

    /** The batches of epoch {@code epoch} (0-based), in order. */
    BatchIterator iterator(int epoch);

    /**
     * Iterations per epoch, or -1 when the source cannot know it before reading (a stream of
     * unknown length).
     */
    int batchesPerEpoch();

    /**
     * Whether the batches are augmented (randomly altered training data). Evaluation refuses such a
     * source: validation and test figures must come from the data as it is.
     */
    default boolean augments() {
        return false;
    }
}
