package org.trainer.core.data;

import org.trainer.core.data.Batch;

/**
 * A random change to a whole training batch that may mix samples and their labels:
 * {@link org.trainer.core.data.augment.Mixup Mixup}, {@link org.trainer.core.data.augment.CutMix
 * CutMix}. Attach it with
 * {@link org.trainer.core.data.DataLoader.Builder#augmentBatches(BatchTransform...)}; it runs after
 * the per-sample {@link Transform}s, with the batch's own stream
 * ({@link AugmentRandom#forBatch(long, int, int)}).
 *
 * <p>Same contract as {@link Transform}: a pure function of the batch and the draws, safe to call
 * from several threads, never modifying its input.
 */
@FunctionalInterface
public interface BatchTransform {

    /**
     * The augmented batch (same number of samples).
     *
     * @param batch the batch, not modified
     * @param random the batch's own stream
     * @return the augmented batch
     */
    Batch apply(Batch batch, AugmentRandom random);
}
