package org.trainer.hpo.gp;

import java.util.Arrays;

/**
 * The hyperparameters of a {@link GaussianProcess}: one Matern 5/2 length scale per input
 * dimension, the signal variance s and the noise variance (added to the kernel's diagonal).
 *
 * @throws IllegalArgumentException when a value is not finite and positive
 */
public record GpHyperparameters(double[] lengthScales, double signalVariance, double noiseVariance) {

    public GpHyperparameters {
        lengthScales = lengthScales.clone();
        for (int d = 0; d < lengthScales.length; d++) {
            if (!(lengthScales[d] > 0) || !Double.isFinite(lengthScales[d])) {
                throw new IllegalArgumentException("GpHyperparameters: lengthScales[" + d
                        + "] must be finite and > 0, got " + lengthScales[d]);
            }
        }
        if (!(signalVariance > 0) || !Double.isFinite(signalVariance)) {
            throw new IllegalArgumentException("GpHyperparameters: signalVariance must be finite and > 0, got " + signalVariance);
        }
        if (!(noiseVariance >= 0) || !Double.isFinite(noiseVariance)) {
            throw new IllegalArgumentException("GpHyperparameters: noiseVariance must be finite and >= 0, got " + noiseVariance);
        }
    }

    @Override
    public double[] lengthScales() {
        return lengthScales.clone();
    }

    /** 1 / l_d^2 per dimension. */
    double[] inverseSquaredLengthScales() {
        double[] v = new double[lengthScales.length];
        for (int d = 0; d < v.length; d++) {
            v[d] = 1 / (lengthScales[d] * lengthScales[d]);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GpHyperparameters h && Arrays.equals(h.lengthScales, lengthScales)
                && Double.compare(h.signalVariance, signalVariance) == 0 && Double.compare(h.noiseVariance, noiseVariance) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(lengthScales) + Double.hashCode(signalVariance) * 17 + Double.hashCode(noiseVariance);
    }

    @Override
    public String toString() {
        return "GpHyperparameters[lengthScales=" + Arrays.toString(lengthScales) + ", signalVariance=" + signalVariance
                + ", noiseVariance=" + noiseVariance + "]";
    }
}
