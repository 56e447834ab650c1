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

    /** The loss with this reduction. */
    public MseLoss(Reduction reduction) {
        this.reduction = Reduction.check("MseLoss", reduction);
    }

    /** The same loss with another reduction. */
    public MseLoss withReduction(Reduction r) {
        return new MseLoss(r);
    }

    /** How the per-element losses are reduced. */
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
