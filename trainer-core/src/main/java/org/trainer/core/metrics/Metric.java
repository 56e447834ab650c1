package org.trainer.core.metrics;

import org.trainer.core.Tensor;

/**
 * A figure of merit accumulated over batches: {@link #update} folds in one batch, {@link #compute}
 * reports the value over everything seen since construction or the last {@link #reset}. Streaming
 * is exact: updating batch by batch gives the value of one update with the concatenated batches
 * (up to floating-point rounding for the regression metrics).
 *
 * <p>Classification metrics take the prediction as scores (logits or probabilities) of shape
 * [N, C], whose largest entry per row is the predicted class (the first on ties), or, where noted,
 * as INT32 predicted labels [N]; the target is INT32 labels [N] (floating labels holding whole
 * numbers are accepted too). Regression metrics take a prediction and a floating target of the
 * same shape. Metrics are not differentiable: they read their inputs back to host arrays.
 *
 * <p>Before any sample has been seen, {@code compute()} returns NaN, as a training loop reports an
 * epoch without batches.
 */
public interface Metric {
    /**
     * The key under which the value is reported, such as "accuracy" or "val_" + name().
     *
     * @return the name
     */
    String name();

    /**
     * Folds one batch in. Neither tensor is modified.
     *
     * @param prediction the model's output for the batch
     * @param target the batch's targets
     */
    void update(Tensor prediction, Tensor target);

    /**
     * The value over all batches folded in since the last reset (NaN when there were none).
     *
     * @return the value
     */
    double compute();

    /** Forgets every batch seen. */
    void reset();
}
