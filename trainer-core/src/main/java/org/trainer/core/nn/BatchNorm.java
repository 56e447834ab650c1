package org.trainer.core.nn;

import org.trainer.core.GradMode;
import org.trainer.core.Tensor;

/**
 * Batch normalisation over the channel axis 1 of [N, C] or [N, C, H, W]:
 * y = (x - mean) / sqrt(var + eps) * weight + bias. Training uses the batch's mean and biased
 * variance and updates the running estimates r = (1 - momentum) r + momentum * batch (the variance
 * unbiased), as PyTorch; evaluation uses the running estimates.
 */
public class BatchNorm extends Module {
    private final int features;
    private final int spatialAxes;
    private final double eps;
    private final double momentum;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Batch normalisation of {@code features} channels (axis 1) with {@code spatialAxes} axes after it; eps is added to
     * the variance, momentum weighs the new batch in the running statistics. Throws IllegalArgumentException when
     * features &lt; 1, momentum is outside [0, 1] or eps is not positive.
     *
     * @param features the number of channels C
     * @param spatialAxes 0 for [N, C], 2 for [N, C, H, W]
     * @param eps added to the variance, positive
     * @param momentum the weight of the new batch in the running statistics, in [0, 1]
     */
    protected BatchNorm(int features, int spatialAxes, double eps, double momentum) {
        if (features < 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": features must be >= 1, got " + features);
        }
        if (!(momentum >= 0 && momentum <= 1) || !(eps > 0)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected momentum in [0, 1] and eps > 0,"
                    + " got momentum=" + momentum + ", eps=" + eps);
        }
        this.features = features;
        this.spatialAxes = spatialAxes;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = registerParameter("weight", new Parameter(Tensor.ones(features)));
        this.bias = registerParameter("bias", new Parameter(Tensor.zeros(features)));
        registerBuffer("running_mean", Tensor.zeros(features));
        registerBuffer("running_var", Tensor.ones(features));
        registerBuffer("num_batches_tracked", Tensor.zeros(org.trainer.core.DType.INT32, 1).reshape());
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 2 + spatialAxes || x.size(1) != features) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": expected input [N, " + features
                    + (spatialAxes == 2 ? ", H, W" : "") + "], got " + java.util.Arrays.toString(x.shape()));
        }
        int[] axes = spatialAxes == 2 ? new int[] {0, 2, 3} : new int[] {0};
        int[] bshape = spatialAxes == 2 ? new int[] {1, features, 1, 1} : new int[] {1, features};
        Tensor mean;
        Tensor var;
        if (isTraining()) {
            int n = x.numel() / features;
            if (n < 2) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": training needs more than one value"
                        + " per channel, got input " + java.util.Arrays.toString(x.shape()));
            }
            mean = x.mean(axes, true);
            var = x.var(axes, true, 0);
            // In place: the running statistics outlive the step (and its memory scope).
            try (GradMode off = Tensor.noGrad()) {
                Tensor rm = buffer("running_mean");
                rm.copyFrom(rm.mul(1 - momentum).add(mean.reshape(features).mul(momentum)));
                Tensor rv = buffer("running_var");
                rv.copyFrom(rv.mul(1 - momentum).add(var.reshape(features).mul(momentum * n / (n - 1.0))));
                Tensor tracked = buffer("num_batches_tracked");
                tracked.copyFrom(Tensor.fromArray(new int[] {tracked.toIntArray()[0] + 1}).to(tracked.device()));
            }
        } else {
            mean = buffer("running_mean").reshape(bshape);
            var = buffer("running_var").reshape(bshape);
        }
        return x.sub(mean).div(var.add(eps).sqrt()).mul(weight.value().reshape(bshape))
                .add(bias.value().reshape(bshape));
    }

    /**
     * The running mean per channel [C] used in evaluation mode (a buffer, saved with the weights as {@code
     * running_mean}).
     *
     * @return the running mean [C]
     */
    public Tensor runningMean() {
        return buffer("running_mean");
    }

    /**
     * The running variance per channel [C] used in evaluation mode (a buffer, saved with the weights as {@code
     * running_var}).
     *
     * @return the running variance [C]
     */
    public Tensor runningVar() {
        return buffer("running_var");
    }

    @Override
    protected String describe() {
        return features + ", eps=" + eps + ", momentum=" + momentum;
    }
}
