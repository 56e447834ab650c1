package org.trainer.core.data.augment;

import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * Shifts a waveform [L] or [channels, L] in time by s samples, s uniform in [-maxShift, maxShift]:
 * x'_t = x_{t - s} (positive s delays the sound). With {@code rollover} the samples pushed off one
 * end come back at the other (a circular shift); without, the gap is filled with silence (0).
 */
public final class TimeShift implements Transform {
    private final int maxShift;
    private final boolean rollover;

    /**
     * Shifts of up to {@code maxShift} samples either way, circular with {@code rollover}; throws
     * IllegalArgumentException when maxShift is negative.
     *
     * @param maxShift the largest shift, in samples
     * @param rollover whether the shift is circular
     */
    public TimeShift(int maxShift, boolean rollover) {
        if (maxShift < 0) {
            throw new IllegalArgumentException("TimeShift: maxShift must be >= 0 samples, got " + maxShift);
        }
        this.maxShift = maxShift;
        this.rollover = rollover;
    }

    @Override
    public Tensor apply(Tensor wave, AugmentRandom random) {
        Waveforms.dims("TimeShift", wave);
        return shift(wave, random.nextInt(-maxShift, maxShift), rollover);
    }

    /**
     * The waveform shifted by {@code shift} samples (see the class comment).
     *
     * @param wave the waveform
     * @param shift the shift in samples; positive delays
     * @param rollover whether the shift is circular
     * @return the shifted waveform
     */
    public static Tensor shift(Tensor wave, int shift, boolean rollover) {
        int[] d = Waveforms.dims("TimeShift", wave);
        int n = d[1];
        double[] x = wave.toDoubleArray();
        double[] out = new double[x.length];
        for (int c = 0; c < d[0]; c++) {
            for (int t = 0; t < n; t++) {
                long src = (long) t - shift;
                if (rollover) {
                    out[c * n + t] = x[c * n + (int) Math.floorMod(src, (long) n)];
                } else if (src >= 0 && src < n) {
                    out[c * n + t] = x[c * n + (int) src];
                }
            }
        }
        return Tensor.fromArray(out, wave.shape()).to(wave.dtype());
    }

    @Override
    public String toString() {
        return "TimeShift(maxShift=" + maxShift + ", rollover=" + rollover + ")";
    }
}
