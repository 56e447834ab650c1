package org.trainer.core.loss;

import org.trainer.core.Tensor;

/**
 * Mean squared error, as {@code torch.nn.MSELoss}: l_i = (x_i - y_i)^2 for every element, then
 * reduced (mean by default). Prediction and target must have the same shape.
 */
public final class MseLoss implements Loss {
    private final Reduction reduction;

    /** With mean reduction. */
    public MseLoss() {
        this(Reduction.MEAN);
    }

    /**
     * The loss with this reduction.
     *
     * @param reduction MEAN, SUM or NONE
     */
    public MseLoss(Reduction reduction) {
        this.reduction = Reduction.check("MseLoss", reduction);
    }

    /**
     * The same loss with another reduction.
     *
     * @param r MEAN, SUM or NONE
     * @return the new loss
     */
    public MseLoss withReduction(Reduction r) {
        return new MseLoss(r);
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
        Tensor d = prediction.sub(LossChecks.elementwise("MseLoss", prediction, target));
        return reduction.apply(d.mul(d));
    }

    @Override
    public String toString() {
        return "MseLoss(reduction=" + reduction + ")";
    }
}
