package org.trainer.core.loss;

import org.trainer.core.Tensor;

/**
 * Mean absolute error, as {@code torch.nn.L1Loss}: l_i = |x_i - y_i| for every element, then
 * reduced (mean by default). The gradient at x_i = y_i is 0, as PyTorch's sign(0).
 */
public final class L1Loss implements Loss {
    private final Reduction reduction;

    /** With mean reduction. */
    public L1Loss() {
        this(Reduction.MEAN);
    }

    /**
     * The loss with this reduction.
     *
     * @param reduction MEAN, SUM or NONE
     */
    public L1Loss(Reduction reduction) {
        this.reduction = Reduction.check("L1Loss", reduction);
    }

    /**
     * The same loss with another reduction.
     *
     * @param r MEAN, SUM or NONE
     * @return the new loss
     */
    public L1Loss withReduction(Reduction r) {
        return new L1Loss(r);
    }

    /**
     * How the per-element losses are reduced.
     *
     * @return the reduction
     */
    public Reduction reduction() {
        return reduction;
    }

    @Override
    public Tensor compute(Tensor prediction, Tensor target) {
        return reduction.apply(prediction.sub(LossChecks.elementwise("L1Loss", prediction, target)).abs());
    }

    @Override
    public String toString() {
        return "L1Loss(reduction=" + reduction + ")";
    }
}
