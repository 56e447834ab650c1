package org.trainer.core.data.augment;

import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * Speeds a waveform [L] or [channels, L] up or down by resampling, at a rate r drawn uniformly
 * from [minRate, maxRate]: the result has round(L / r) samples,
 * <pre>
 *   x'_k = x(k r),  k = 0 .. round(L / r) - 1
 * </pre>
 * where x(t) interpolates linearly between samples and holds the last sample beyond the end (as
 * {@code numpy.interp}). Rate 2 halves the length (x'_k = x_{2k}); rate 1 is the identity. Like
 * playing a tape faster, this changes the pitch with the tempo. With {@code keepLength} (the
 * default) the result is cut, or padded with silence, back to L samples, so that samples of a batch
 * keep one shape.
 */
public final class TimeStretch implements Transform {
    private final double minRate;
    private final double maxRate;
    private final boolean keepLength;

    /**
     * Rates in [minRate, maxRate], length kept.
     *
     * @param minRate the lowest rate
     * @param maxRate the highest rate
     */
    public TimeStretch(double minRate, double maxRate) {
        this(minRate, maxRate, true);
    }

    /**
     * Rates in [minRate, maxRate], cut or padded back to the input length with {@code keepLength}; throws
     * IllegalArgumentException unless 0 &lt; minRate &lt;= maxRate &lt; infinity.
     *
     * @param minRate the lowest rate
     * @param maxRate the highest rate
     * @param keepLength whether to keep the input length
     */
    public TimeStretch(double minRate, double maxRate, boolean keepLength) {
        if (!(minRate > 0) || !(maxRate >= minRate) || Double.isInfinite(maxRate)) {
            throw new IllegalArgumentException("TimeStretch: rates must satisfy 0 < minRate <= maxRate < inf, got ["
                    + minRate + ", " + maxRate + "]");
        }
        this.minRate = minRate;
        this.maxRate = maxRate;
        this.keepLength = keepLength;
    }

    @Override
    public Tensor apply(Tensor wave, AugmentRandom random) {
        int[] d = Waveforms.dims("TimeStretch", wave);
        Tensor out = stretch(wave, random.uniform(minRate, maxRate));
        return keepLength ? fit(out, d[1]) : out;
    }

    /**
     * The waveform resampled at rate r: round(L / r) samples (at least 1 for L >= 1).
     *
     * @param wave the waveform
     * @param rate the rate r
     * @return the resampled waveform
     */
    public static Tensor stretch(Tensor wave, double rate) {
        int[] d = Waveforms.dims("TimeStretch", wave);
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("TimeStretch: rate must be finite and > 0, got " + rate);
        }
        int n = d[1];
        int m = n == 0 ? 0 : (int) Math.max(1, Math.round(n / rate));
        double[] x = wave.toDoubleArray();
        double[] out = new double[d[0] * m];
        for (int c = 0; c < d[0]; c++) {
            for (int k = 0; k < m; k++) {
                double t = k * rate;
                int i = (int) Math.floor(t);
                double f = t - i;
                out[c * m + k] = i >= n - 1 ? x[c * n + n - 1] : (1 - f) * x[c * n + i] + f * x[c * n + i + 1];
            }
        }
        return Tensor.fromArray(out, Waveforms.shape(wave, d[0], m)).to(wave.dtype());
    }

    /** The waveform cut, or padded at the end with zeros, to {@code length} samples. */
    static Tensor fit(Tensor wave, int length) {
        int[] d = Waveforms.dims("TimeStretch", wave);
        if (d[1] == length) {
            return wave;
        }
        double[] x = wave.toDoubleArray();
        double[] out = new double[d[0] * length];
        for (int c = 0; c < d[0]; c++) {
            System.arraycopy(x, c * d[1], out, c * length, Math.min(length, d[1]));
        }
        return Tensor.fromArray(out, Waveforms.shape(wave, d[0], length)).to(wave.dtype());
    }

    @Override
    public String toString() {
        return "TimeStretch(rate=[" + minRate + ", " + maxRate + "], keepLength=" + keepLength + ")";
    }
}
