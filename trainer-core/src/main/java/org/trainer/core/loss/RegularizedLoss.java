package org.trainer.core.loss;

import java.util.List;

import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/**
 * A loss plus weight penalties: L(prediction, target) + sum_k P_k. The penalties are part of the
 * objective everywhere it is computed, so the trainer's "loss" and "val_loss" include them, as
 * Keras reports. The base loss must reduce to a scalar (MEAN or SUM).
 */
public final class RegularizedLoss implements Loss {
    private final Loss base;
    private final List<Penalty> penalties;

    /**
     * The base loss plus these penalties; throws IllegalArgumentException when the base loss is null or no penalty is
     * given.
     *
     * @param base the data loss, reducing to a scalar
     * @param penalties at least one penalty
     */
    public RegularizedLoss(Loss base, Penalty... penalties) {
        if (base == null) {
            throw new IllegalArgumentException("RegularizedLoss: base loss is null");
        }
        if (penalties.length == 0) {
            throw new IllegalArgumentException("RegularizedLoss: needs at least one penalty");
        }
        this.base = base;
        this.penalties = List.of(penalties);
    }

    @Override
    public Tensor compute(Tensor prediction, Tensor target) {
        Tensor l = base.compute(prediction, target);
        if (l.rank() != 0) {
            throw new IllegalArgumentException("RegularizedLoss: the base loss gave shape " + Shapes.str(l.shape())
                    + ", expected a scalar (reduction MEAN or SUM)");
        }
        for (Penalty p : penalties) {
            l = l.add(p.compute().to(l.dtype()));
        }
        return l;
    }

    /**
     * The loss without its penalties.
     *
     * @return the base loss
     */
    public Loss base() {
        return base;
    }

    /**
     * The penalties added to the base loss.
     *
     * @return the penalties
     */
    public List<Penalty> penalties() {
        return penalties;
    }
}
