package org.trainer.core.data.augment;

import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Batch;
import org.trainer.core.data.BatchTransform;

/**
 * Mixup (Zhang et al., 2018): each training batch is blended with a shuffled copy of itself.
 * With lambda ~ Beta(alpha, alpha), drawn once per batch, and a random permutation pi of the batch:
 * <pre>
 *   x'_i = lambda x_i + (1 - lambda) x_pi(i)
 *   y'_i = lambda y_i + (1 - lambda) y_pi(i)     (y one-hot, or already probabilities)
 * </pre>
 * The targets become float32 probabilities [B, numClasses] that sum to 1, which
 * {@link org.trainer.core.loss.CrossEntropyLoss} accepts as soft targets; since that loss is linear
 * in the target, it equals lambda CE(x', y) + (1 - lambda) CE(x', y_pi) as in the paper.
 */
public final class Mixup implements BatchTransform {
    private final double alpha;
    private final int numClasses;

    /**
     * alpha: the Beta distribution's parameter (0.2 to 0.4 is usual for images).
     *
     * @param alpha the Beta distribution's parameter
     * @param numClasses the number of classes of the soft targets
     */
    public Mixup(double alpha, int numClasses) {
        this.alpha = SoftLabels.checkAlpha("Mixup", alpha);
        this.numClasses = SoftLabels.checkClasses("Mixup", numClasses);
    }

    @Override
    public Batch apply(Batch batch, AugmentRandom random) {
        double lambda = random.beta(alpha, alpha);
        int[] partner = SoftLabels.partners(batch.size(), random);
        return mix(batch, lambda, partner, numClasses);
    }

    /**
     * The batch mixed with weight lambda on each sample and 1 - lambda on its partner.
     *
     * @param batch the batch, with class labels or probabilities
     * @param lambda the weight of each sample itself
     * @param partner for each sample, the sample mixed into it
     * @param numClasses the number of classes
     * @return the mixed batch, with float32 targets [B, numClasses]
     */
    public static Batch mix(Batch batch, double lambda, int[] partner, int numClasses) {
        SoftLabels.checkBatch("Mixup", batch, partner);
        if (!(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException("Mixup: lambda must be in [0, 1], got " + lambda);
        }
        double[] y = SoftLabels.rows("Mixup", batch.targets(), numClasses);
        Tensor features = batch.features();
        int b = batch.size();
        float[] x = features.toFloatArray();
        int width = b == 0 ? 0 : x.length / b;
        float[] out = new float[x.length];
        for (int i = 0; i < b; i++) {
            int own = i * width;
            int other = partner[i] * width;
            for (int k = 0; k < width; k++) {
                out[own + k] = (float) (lambda * x[own + k] + (1 - lambda) * x[other + k]);
            }
        }
        return new Batch(Tensor.fromArray(out, features.shape()).to(features.dtype()),
                SoftLabels.mix(y, partner, lambda, numClasses));
    }

    @Override
    public String toString() {
        return "Mixup(alpha=" + alpha + ", numClasses=" + numClasses + ")";
    }
}
