package org.trainer.core.loss;

import org.trainer.core.Tensor;

/**
 * Binary cross-entropy on logits, as {@code torch.nn.BCEWithLogitsLoss} (without weight or
 * pos_weight): for a logit x and a target y in [0, 1],
 * <pre>
 *   l = -[y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))]
 *     = max(x, 0) - x y + log(1 + e^-|x|)
 * </pre>
 * then reduced (mean by default). The second form never exponentiates a positive number, so it
 * stays finite for logits of any size (x = +-50 included), where taking sigmoid first would give
 * log(0). The gradient is dl/dx = sigmoid(x) - y. Prediction and target must have the same shape;
 * targets may be soft (any value in [0, 1]) and are not checked, as in PyTorch.
 */
public final class BinaryCrossEntropyWithLogitsLoss implements Loss {
    private final Reduction reduction;

    /** With mean reduction. */
    public BinaryCrossEntropyWithLogitsLoss() {
        this(Reduction.MEAN);
    }

    /**
     * The loss with this reduction.
     *
     * @param reduction MEAN, SUM or NONE
     */
    public BinaryCrossEntropyWithLogitsLoss(Reduction reduction) {
        this.reduction = Reduction.check("BinaryCrossEntropyWithLogitsLoss", reduction);
    }

    /**
     * The same loss with another reduction.
     *
     * @param r MEAN, SUM or NONE
     * @return the new loss
     */
    public BinaryCrossEntropyWithLogitsLoss withReduction(Reduction r) {
        return new BinaryCrossEntropyWithLogitsLoss(r);
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
        Tensor x = prediction;
        Tensor y = LossChecks.elementwise("BinaryCrossEntropyWithLogitsLoss", x, target);
        // The formula is split on the sign of x rather than written with max and |x|: both pieces are
        // smooth, so the gradient is sigmoid(x) - y even at x = 0, where max and |x| have kinks whose
        // one-sided derivatives would be picked. Within each piece the large terms that cancel are
        // combined first (x (1 - y), not x - x y), so a confident correct prediction keeps its small loss.
        Tensor positive = x.mul(y.neg().add(1)).add(x.neg().softplus()); // x >= 0: x (1 - y) + log(1 + e^-x)
        Tensor negative = x.softplus().sub(x.mul(y));                    // x < 0:  log(1 + e^x) - x y
        return reduction.apply(Tensor.where(x.ge(0), positive, negative));
    }

    @Override
    public String toString() {
        return "BinaryCrossEntropyWithLogitsLoss(reduction=" + reduction + ")";
    }
}
