package org.trainer.core.data.augment;

import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * Adds white Gaussian noise to a waveform [L] or [channels, L] at a signal-to-noise ratio drawn
 * uniformly from [minSnrDb, maxSnrDb] decibels: with rms the root mean square of the whole sample,
 * <pre>
 *   sigma = rms / 10^(snr / 20),   x'_t = x_t + sigma z_t,   z_t ~ N(0, 1)
 * </pre>
 * so that 20 log10(rms / sigma) = snr. A silent sample (rms 0) is returned unchanged.
 */
public final class AddNoise implements Transform {
    private final double minSnrDb;
    private final double maxSnrDb;

    /**
     * Noise at a signal-to-noise ratio in [minSnrDb, maxSnrDb] decibels; throws IllegalArgumentException when a bound
     * is not finite or minSnrDb &gt; maxSnrDb.
     *
     * @param minSnrDb the lowest signal-to-noise ratio, in dB
     * @param maxSnrDb the highest signal-to-noise ratio, in dB
     */
    public AddNoise(double minSnrDb, double maxSnrDb) {
        if (!Double.isFinite(minSnrDb) || !Double.isFinite(maxSnrDb) || minSnrDb > maxSnrDb) {
            throw new IllegalArgumentException("AddNoise: SNR range must be finite with min <= max, got [" + minSnrDb
                    + ", " + maxSnrDb + "] dB");
        }
        this.minSnrDb = minSnrDb;
        this.maxSnrDb = maxSnrDb;
    }

    @Override
    public Tensor apply(Tensor wave, AugmentRandom random) {
        Waveforms.dims("AddNoise", wave);
        double snr = random.uniform(minSnrDb, maxSnrDb);
        double[] x = wave.toDoubleArray();
        double power = 0;
        for (double v : x) {
            power += v * v;
        }
        if (power == 0) {
            return wave;
        }
        double sigma = Math.sqrt(power / x.length) / Math.pow(10, snr / 20);
        for (int t = 0; t < x.length; t++) {
            x[t] += sigma * random.nextGaussian();
        }
        return Tensor.fromArray(x, wave.shape()).to(wave.dtype());
    }

    @Override
    public String toString() {
        return "AddNoise(snr=[" + minSnrDb + ", " + maxSnrDb + "] dB)";
    }
}
