package org.trainer.core.loss;

import org.trainer.core.Tensor;

/**
 * Huber loss, as {@code torch.nn.HuberLoss}: with d_i = x_i - y_i,
 * <pre>
 *   l_i = 0.5 d_i^2                    if |d_i| &lt; delta
 *   l_i = delta (|d_i| - 0.5 delta)    otherwise
 * </pre>
 * then reduced (mean by default). Quadratic near zero, linear in the tails: the gradient is d_i
 * inside and delta sign(d_i) outside, so outliers pull no harder than delta. (PyTorch's
 * SmoothL1Loss with beta = delta is this loss divided by delta.)
 */
public final class HuberLoss implements Loss {
    private final double delta;
    private final Reduction reduction;

    /** delta = 1 and mean reduction, PyTorch's defaults. */
    public HuberLoss() {
        this(1.0);
    }

    /**
     * The loss with this threshold delta and the mean over elements.
     *
     * @param delta the threshold, positive and finite
     */
    public HuberLoss(double delta) {
        this(delta, Reduction.MEAN);
    }

    /**
     * The loss with this threshold delta and reduction; throws IllegalArgumentException unless delta is positive and
     * finite.
     *
     * @param delta the threshold, positive and finite
     * @param reduction MEAN, SUM or NONE
     */
    public HuberLoss(double delta, Reduction reduction) {
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("HuberLoss: delta must be positive and finite, got " + delta);
        }
        this.delta = delta;
        this.reduction = Reduction.check("HuberLoss", reduction);
    }

    /**
     * The same loss with another reduction.
     *
     * @param r MEAN, SUM or NONE
     * @return the new loss
     */
    public HuberLoss withReduction(Reduction r) {
        return new HuberLoss(delta, r);
    }

    /**
     * The same loss with another delta.
     *
     * @param d the threshold, positive and finite
     * @return the new loss
     */
    public HuberLoss withDelta(double d) {
        return new HuberLoss(d, reduction);
    }

    /**
     * The threshold between the quadratic and the linear part.
     *
     * @return delta
     */
    public double delta() {
        return delta;
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
        Tensor d = prediction.sub(LossChecks.elementwise("HuberLoss", prediction, target));
        Tensor abs = d.abs();
        Tensor quadratic = d.mul(d).mul(0.5);
        Tensor linear = abs.sub(0.5 * delta).mul(delta);
        // where() sends the gradient only to the chosen branch, so each element differentiates its own piece.
        return reduction.apply(Tensor.where(abs.lt(delta), quadratic, linear));
    }

    @Override
    public String toString() {
        return "HuberLoss(delta=" + delta + ", reduction=" + reduction + ")";
    }
}
