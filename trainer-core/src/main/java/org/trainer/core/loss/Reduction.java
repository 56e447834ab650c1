package org.trainer.core.loss;

import org.trainer.core.Tensor;

/** How a loss combines the per-sample (or per-element) values: PyTorch's {@code reduction} argument. */
public enum Reduction {
    /** The arithmetic mean over all values (a loss with its own divisor, such as a weighted one, says so). */
    MEAN,
    /** The sum of all values. */
    SUM,
    /** No reduction: the values themselves. */
    NONE;

    /** Reduces unweighted values: mean() for MEAN, sum() for SUM, the values unchanged for NONE. */
    Tensor apply(Tensor values) {
        return switch (this) {
            case MEAN -> values.mean();
            case SUM -> values.sum();
            case NONE -> values;
        };
    }

    /** Refuses a null reduction, naming the loss that was given it. */
    static Reduction check(String loss, Reduction reduction) {
        if (reduction == null) {
            throw new IllegalArgumentException(loss + ": reduction must be MEAN, SUM or NONE, got null");
        }
        return reduction;
    }
}
