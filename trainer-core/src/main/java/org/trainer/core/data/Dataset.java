package org.trainer.core.data;

/**
 * A finite, indexable collection of (features, target) samples, numbered 0 to {@code size() - 1}.
 *
 * <p>Implementations must be safe to read from a second thread while the first is not reading
 * ({@link DataLoader} prefetches batches on a background thread), and from several threads at once
 * when a loader has {@link DataLoader.Builder#workers(int) workers} &gt; 1; {@link #get(int[])} must
 * be a pure function of its indices: the same indices give equal batches.
 */
public interface Dataset {

    /**
     * The number of samples N.
     *
     * @return N
     */
    int size();

    /**
     * The samples at {@code indices}, in that order, stacked along a new axis 0: row j of the
     * result is sample {@code indices[j]}. Indices may repeat; an empty array gives an empty batch.
     *
     * @param indices sample indices
     * @return the samples
     * @throws IllegalArgumentException if an index is outside [0, size())
     */
    Batch get(int[] indices);

    /**
     * The one sample at {@code index}, as a batch of size 1 (features [1, ...]).
     *
     * @param index a sample index
     * @return the sample
     */
    default Batch get(int index) {
        return get(new int[] {index});
    }
}
