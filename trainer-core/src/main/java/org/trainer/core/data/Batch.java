package org.trainer.core.data;

import java.util.Objects;

import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/**
 * A batch of samples: {@code features} of shape [B, ...] and {@code targets} of shape [B, ...],
 * where sample i of the batch is slice i along axis 0 of both.
 *
 * @param features the inputs, samples stacked along axis 0 (rank at least 1)
 * @param targets  the labels (int32 [B] for classes) or regression targets, stacked along axis 0
 */
public record Batch(Tensor features, Tensor targets) {

    /**
     * Validates that both tensors exist and hold the same number of samples.
     *
     * @param features the inputs, [B, ...]
     * @param targets the targets, [B, ...]
     */
    public Batch {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(targets, "targets");
        if (features.rank() == 0 || targets.rank() == 0) {
            throw new IllegalArgumentException("Batch: features and targets need a sample axis 0, got features "
                    + Shapes.str(features.shape()) + " and targets " + Shapes.str(targets.shape()));
        }
        if (features.size(0) != targets.size(0)) {
            throw new IllegalArgumentException("Batch: features has " + features.size(0) + " samples (shape "
                    + Shapes.str(features.shape()) + ") but targets has " + targets.size(0) + " (shape "
                    + Shapes.str(targets.shape()) + ")");
        }
    }

    /**
     * The number of samples B (the size of axis 0).
     *
     * @return B
     */
    public int size() {
        return features.size(0);
    }
}
