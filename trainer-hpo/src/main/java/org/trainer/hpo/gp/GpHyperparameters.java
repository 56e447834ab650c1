package org.trainer.hpo.gp;

import java.util.Arrays;

/**
 * The hyperparameters of a {@link GaussianProcess}: one Matern 5/2 length scale per input
 * dimension, the signal variance s and the noise variance (added to the kernel's diagonal).
 *
 * @param lengthScales   one length scale l_d per input dimension (copied)
 * @param signalVariance the signal variance s
 * @param noiseVariance  the noise variance added to the kernel's diagonal
 */
public record GpHyperparameters(double[] lengthScales, double signalVariance, double noiseVariance) {

    /**
     * Validates the values and copies the length scales.
     *
     * @param lengthScales one length scale per input dimension
     * @param signalVariance the signal variance
     * @param noiseVariance the noise variance
     * @throws IllegalArgumentException when a length scale or the signal variance is not finite and positive, or the
     *                                  noise variance is not finite and non-negative
     */
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

    /**
     * The length scale of each input dimension (a copy).
     *
     * @return the length scales
     */
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
