package org.trainer.core.data.augment;

import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * Random feature masking for tabular features (any floating shape): each value is replaced by
 * {@code fill} (0 by default: the mean of a standardised feature) independently with probability
 * p, one draw per value in row-major order. Unlike dropout it does not rescale the rest: the model
 * learns not to rely on any single column.
 */
public final class RandomFeatureMask implements Transform {
    private final double p;
    private final double fill;

    /**
     * Masks each value with probability p, replacing it by 0.
     *
     * @param p the probability of masking a value
     */
    public RandomFeatureMask(double p) {
        this(p, 0);
    }

    /**
     * Masks each value with probability p in [0, 1], replacing it by {@code fill} (finite).
     *
     * @param p the probability of masking a value
     * @param fill the value written
     */
    public RandomFeatureMask(double p, double fill) {
        Images.checkProbability("RandomFeatureMask", p);
        if (!Double.isFinite(fill)) {
            throw new IllegalArgumentException("RandomFeatureMask: fill must be finite, got " + fill);
        }
        this.p = p;
        this.fill = fill;
    }

    @Override
    public Tensor apply(Tensor sample, AugmentRandom random) {
        if (!sample.dtype().isFloating()) {
            throw new IllegalArgumentException("RandomFeatureMask: features must be floating, got " + sample.dtype()
                    + " of shape " + Shapes.str(sample.shape()));
        }
        double[] x = sample.toDoubleArray();
        for (int k = 0; k < x.length; k++) {
            if (random.nextBoolean(p)) {
                x[k] = fill;
            }
        }
        return Tensor.fromArray(x, sample.shape()).to(sample.dtype());
    }

    @Override
    public String toString() {
        return "RandomFeatureMask(p=" + p + ", fill=" + fill + ")";
    }
}
