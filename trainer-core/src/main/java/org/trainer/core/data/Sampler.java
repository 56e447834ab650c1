package org.trainer.core.data;

/**
 * The order in which a {@link DataLoader} visits samples in an epoch, when plain or shuffled order
 * will not do (e.g. {@link WeightedRandomSampler} to over-draw a rare class).
 *
 * <p>{@link #indices(int)} must be a pure function of the epoch (and of the seed the sampler was
 * built with): the same epoch gives the same indices, so that a run can be repeated and resumed
 * exactly. Indices may repeat and need not cover every sample; each must be a valid sample index
 * of the loader's dataset. The length of the array, always {@link #length()}, sets the epoch's
 * length: the loader makes ceil(length / B) batches of it.
 */
public interface Sampler {

    /**
     * The sample indices of epoch {@code epoch} (0-based), in the order to visit them.
     *
     * @param epoch the epoch, from 0
     * @return {@link #length()} indices
     */
    int[] indices(int epoch);

    /**
     * The number of indices every epoch holds.
     *
     * @return the indices per epoch
     */
    int length();
}
