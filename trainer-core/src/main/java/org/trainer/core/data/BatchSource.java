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

    /**
     * The batches of epoch {@code epoch} (0-based), in order.
     *
     * @param epoch the epoch, from 0
     * @return the batches
     */
    BatchIterator iterator(int epoch);

    /**
     * The batches of epoch {@code epoch} from batch {@code fromBatch} on: what {@link #iterator(int)}
     * yields, less its first {@code fromBatch} batches, so that a run resumed mid-epoch trains on
     * exactly the batches it had not reached. This default reads and drops the skipped batches;
     * a source that can skip without reading overrides it.
     *
     * @param epoch the epoch, from 0
     * @param fromBatch the first batch to yield, from 0
     * @return the remaining batches
     * @throws IllegalArgumentException if fromBatch is negative or the epoch has fewer batches
     */
    default BatchIterator iterator(int epoch, int fromBatch) {
        if (fromBatch < 0) {
            throw new IllegalArgumentException("iterator: fromBatch must be >= 0, got " + fromBatch);
        }
        BatchIterator it = iterator(epoch);
        for (int b = 0; b < fromBatch; b++) {
            if (!it.hasNext()) {
                it.close();
                throw new IllegalArgumentException("iterator: fromBatch " + fromBatch + " is beyond the end of epoch "
                        + epoch + ", which has " + b + " batches");
            }
            it.next();
        }
        return it;
    }

    /**
     * Iterations per epoch, or -1 when the source cannot know it before reading (a stream of
     * unknown length).
     *
     * @return the iterations per epoch, or -1
     */
    int batchesPerEpoch();

    /**
     * Whether the batches are augmented (randomly altered training data). Evaluation refuses such a
     * source: validation and test figures must come from the data as it is.
     *
     * @return whether the batches are augmented
     */
    default boolean augments() {
        return false;
    }
}
