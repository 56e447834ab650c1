package org.trainer.core.train;

import java.util.List;

import org.trainer.core.GradMode;
import org.trainer.core.Tensor;
import org.trainer.core.nn.Parameter;

/**
 * A max-norm constraint, applied after every optimizer step (as Keras's {@code MaxNorm} and
 * {@code torch.renorm(w, 2, 0, c)}): each slice w_j along axis 0 (a dense layer's incoming weights
 * of unit j, a convolution's filter j) whose L2 norm exceeds c is rescaled in place to
 * <pre>
 *   w_j &lt;- w_j c / (||w_j|| + 1e-7)
 * </pre>
 * and the others are left bitwise unchanged.
 */
public final class MaxNormConstraint implements Callback {
    private final double maxNorm;
    private final List<Parameter> parameters;

    /**
     * @param parameters the constrained weights, e.g. {@code Penalty.weights(model)}
     *
     * @param maxNorm the largest norm c a slice may keep
     */
    public MaxNormConstraint(double maxNorm, List<Parameter> parameters) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("MaxNormConstraint: maxNorm must be a finite value > 0, got " + maxNorm);
        }
        if (parameters == null || parameters.isEmpty()) {
            throw new IllegalArgumentException("MaxNormConstraint: parameters must be non-empty, got " + parameters);
        }
        this.maxNorm = maxNorm;
        this.parameters = List.copyOf(parameters);
    }

    @Override
    public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
        parameters.forEach(p -> apply(p, maxNorm));
    }

    /**
     * Rescales, in place, every slice of the parameter along axis 0 whose L2 norm exceeds maxNorm.
     *
     * @param p the parameter, modified in place
     * @param maxNorm the largest norm c
     */
    public static void apply(Parameter p, double maxNorm) {
        Tensor w = p.value();
        if (w.rank() < 1) {
            throw new IllegalArgumentException("MaxNormConstraint: a parameter of rank 0 has no axis 0");
        }
        try (GradMode off = Tensor.noGrad()) {
            Tensor rows = w.reshape(w.size(0), w.numel() / Math.max(1, w.size(0)));
            Tensor norms = rows.mul(rows).sum(1, true).sqrt();
            // Slices within the bound are multiplied by exactly 1, so they keep every bit.
            Tensor scale = Tensor.where(norms.gt(maxNorm), norms.add(1e-7).reciprocal().mul(maxNorm),
                    norms.mul(0).add(1));
            w.copyFrom(rows.mul(scale).reshape(w.shape()));
        }
    }

    /**
     * The largest L2 norm c a slice may keep.
     *
     * @return c
     */
    public double maxNorm() {
        return maxNorm;
    }
}
