package org.trainer.core.loss;

import org.trainer.core.Tensor;

/**
 * A training objective: a differentiable function of the model's prediction and the target.
 *
 * <p>Implementations are built from {@link Tensor} ops, so calling {@code backward()} on the result
 * gives the gradient with respect to the prediction (and to a floating target, where it has one).
 * With {@link Reduction#MEAN} or {@link Reduction#SUM} the result is a 0-d tensor; with
 * {@link Reduction#NONE} it holds one loss per sample (per element for the elementwise losses),
 * as PyTorch's {@code reduction='none'} does.
 */
@FunctionalInterface
public interface Loss {
    /**
     * The loss of {@code prediction} against {@code target}; neither argument is modified.
     *
     * @param prediction the model's output for a batch
     * @param target the batch's targets, as the loss expects them
     * @return the loss: a 0-d tensor under MEAN or SUM, one value per sample or element under NONE
     */
    Tensor compute(Tensor prediction, Tensor target);
}
