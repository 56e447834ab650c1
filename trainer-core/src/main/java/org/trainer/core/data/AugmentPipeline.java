package org.trainer.core.data;

import java.util.List;
import java.util.Objects;

import org.trainer.core.GradMode;
import org.trainer.core.Tensor;
import org.trainer.core.data.Batch;

/**
 * What a training {@link org.trainer.core.data.DataLoader} does to each batch it loads: the
 * per-sample {@link Transform}s, in order, to every sample, then the {@link BatchTransform}s, in
 * order, to the batch. Immutable and safe to use from several threads.
 *
 * <p>Sample j of batch b draws from {@link AugmentRandom#forSample(long, int, long)
 * forSample(seed, epoch, firstPosition + j)}, the batch transforms from
 * {@link AugmentRandom#forBatch(long, int, int) forBatch(seed, epoch, b)}: the result is a pure
 * function of (seed, epoch, b, the samples), whichever thread computes it.
 */
public final class AugmentPipeline {
    private final List<Transform> sampleTransforms;
    private final List<BatchTransform> batchTransforms;

    /**
     * A pipeline of these transforms (both lists are copied; either may be empty).
     *
     * @param sampleTransforms the per-sample transforms, in order
     * @param batchTransforms the batch transforms, in order
     */
    public AugmentPipeline(List<Transform> sampleTransforms, List<BatchTransform> batchTransforms) {
        this.sampleTransforms = List.copyOf(Objects.requireNonNull(sampleTransforms, "sampleTransforms"));
        this.batchTransforms = List.copyOf(Objects.requireNonNull(batchTransforms, "batchTransforms"));
    }

    /**
     * Whether there is nothing to apply.
     *
     * @return whether both lists are empty
     */
    public boolean isEmpty() {
        return sampleTransforms.isEmpty() && batchTransforms.isEmpty();
    }

    /**
     * The augmented batch.
     *
     * @param batch         the batch as the dataset returned it
     * @param seed          the loader's seed
     * @param epoch         the epoch (0-based)
     * @param batchIndex    the batch's number in the epoch
     * @param firstPosition the epoch position of the batch's first sample
     * @return the augmented batch
     */
    public Batch apply(Batch batch, long seed, int epoch, int batchIndex, long firstPosition) {
        // Augmentation is data preparation: never part of a graph, whatever thread runs it.
        try (GradMode off = Tensor.noGrad()) {
            Batch out = batch;
            if (!sampleTransforms.isEmpty() && batch.size() > 0) {
                Tensor[] rows = Rows.split(batch.features());
                for (int j = 0; j < rows.length; j++) {
                    AugmentRandom random = AugmentRandom.forSample(seed, epoch, firstPosition + j);
                    Tensor x = rows[j];
                    for (Transform t : sampleTransforms) {
                        x = Objects.requireNonNull(t.apply(x, random), () -> t + " returned null");
                    }
                    rows[j] = x;
                }
                out = new Batch(Rows.stack(rows, firstPosition), batch.targets());
            }
            if (!batchTransforms.isEmpty()) {
                AugmentRandom random = AugmentRandom.forBatch(seed, epoch, batchIndex);
                for (BatchTransform t : batchTransforms) {
                    out = Objects.requireNonNull(t.apply(out, random), () -> t + " returned null");
                }
            }
            return out;
        }
    }

    @Override
    public String toString() {
        return "AugmentPipeline(" + sampleTransforms + ", batch " + batchTransforms + ")";
    }
}
