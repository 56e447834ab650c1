package org.trainer.core.data.augment;

import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * Gaussian noise injection for tabular features (any floating shape): x'_k = x_k + std z_k with
 * z_k independent standard normal draws, one per value, in row-major order. Meant for standardised
 * features, where {@code std} is a fraction of each feature's spread (0.01 to 0.1 is usual).
 */
public final class GaussianNoise implements Transform {
    private final double std;

    /**
     * Noise of this standard deviation; throws IllegalArgumentException when std is negative, NaN or infinite.
     *
     * @param std the noise's standard deviation
     */
    public GaussianNoise(double std) {
        if (!(std >= 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("GaussianNoise: std must be finite and >= 0, got " + std);
        }
        this.std = std;
    }

    @Override
    public Tensor apply(Tensor sample, AugmentRandom random) {
        if (!sample.dtype().isFloating()) {
            throw new IllegalArgumentException("GaussianNoise: features must be floating, got " + sample.dtype()
                    + " of shape " + Shapes.str(sample.shape()));
        }
        double[] x = sample.toDoubleArray();
        for (int k = 0; k < x.length; k++) {
            x[k] += std * random.nextGaussian();
        }
        return Tensor.fromArray(x, sample.shape()).to(sample.dtype());
    }

    @Override
    public String toString() {
        return "GaussianNoise(std=" + std + ")";
    }
}
