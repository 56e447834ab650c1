package org.trainer.core.data;

import java.util.Objects;

import org.trainer.core.GradMode;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/**
 * A dataset over two in-memory tensors: {@code features} [N, ...] and {@code targets} [N] (int32
 * class labels) or [N, ...] (float regression or soft targets). Sample i is slice i along axis 0
 * of both.
 *
 * <p>Batches are gathered with {@link Tensor#indexSelect(int, Tensor)}, outside autograd: a batch
 * is a copy, never a view, so a consumer cannot change the dataset through it.
 */
public final class TensorDataset implements Dataset {
    private final Tensor features;
    private final Tensor targets;

    /**
     * @param features [N, ...]
     * @param targets [N, ...]
     * @throws IllegalArgumentException if either tensor is a scalar or their axis-0 sizes differ
     */
    public TensorDataset(Tensor features, Tensor targets) {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(targets, "targets");
        if (features.rank() == 0 || targets.rank() == 0) {
            throw new IllegalArgumentException("TensorDataset: features and targets need a sample axis 0, got"
                    + " features " + Shapes.str(features.shape()) + " and targets " + Shapes.str(targets.shape()));
        }
        if (features.size(0) != targets.size(0)) {
            throw new IllegalArgumentException("TensorDataset: features has " + features.size(0) + " samples (shape "
                    + Shapes.str(features.shape()) + ") but targets has " + targets.size(0) + " (shape "
                    + Shapes.str(targets.shape()) + "); axis 0 must match");
        }
        this.features = features;
        this.targets = targets;
    }

    /**
     * All features, [N, ...].
     *
     * @return the features
     */
    public Tensor features() {
        return features;
    }

    /**
     * All targets, [N, ...].
     *
     * @return the targets
     */
    public Tensor targets() {
        return targets;
    }

    @Override
    public int size() {
        return features.size(0);
    }

    @Override
    public Batch get(int[] indices) {
        Tensor index = checkedIndex("get", indices);
        // Data is never part of the graph; recording the gather would only retain the dataset.
        try (GradMode off = Tensor.noGrad()) {
            return new Batch(features.indexSelect(0, index), targets.indexSelect(0, index));
        }
    }

    /**
     * A new dataset holding copies of the samples at {@code indices}, in that order (indices may
     * repeat). Changing neither dataset affects the other.
     *
     * @param indices sample indices
     * @return the subset
     */
    public TensorDataset subset(int[] indices) {
        Batch b = get(indices);
        return new TensorDataset(b.features(), b.targets());
    }

    private Tensor checkedIndex(String op, int[] indices) {
        Objects.requireNonNull(indices, "indices");
        int n = size();
        for (int j = 0; j < indices.length; j++) {
            if (indices[j] < 0 || indices[j] >= n) {
                throw new IllegalArgumentException("TensorDataset." + op + ": index " + indices[j] + " at position " + j
                        + " is out of range for " + n + " samples (expected 0 to " + (n - 1) + ")");
            }
        }
        return Tensor.fromArray(indices, indices.length);
    }

    @Override
    public String toString() {
        return "TensorDataset(" + size() + " samples, features " + Shapes.str(features.shape()) + " "
                + features.dtype() + ", targets " + Shapes.str(targets.shape()) + " " + targets.dtype() + ")";
    }
}
