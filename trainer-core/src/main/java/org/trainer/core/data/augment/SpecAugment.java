package org.trainer.core.data.augment;

import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * SpecAugment's frequency and time masking (Park et al., 2019) on a spectrogram [F, T] or
 * [channels, F, T]: {@code freqMasks} times, a band of f consecutive frequency rows, f uniform in
 * [0, maxFreqWidth] and its first row f0 uniform in [0, F - f], is set to {@code value}; then
 * {@code timeMasks} times the same along the T time columns with maxTimeWidth. The same masks
 * apply to every channel. Widths larger than the axis are capped at its size. Time warping, the
 * paper's third part, is left out (it mattered least in its ablation).
 */
public final class SpecAugment implements Transform {
    private final int freqMasks;
    private final int maxFreqWidth;
    private final int timeMasks;
    private final int maxTimeWidth;
    private final double value;

    /**
     * Masks set to 0.
     *
     * @param freqMasks the number of frequency masks
     * @param maxFreqWidth the widest frequency mask
     * @param timeMasks the number of time masks
     * @param maxTimeWidth the widest time mask
     */
    public SpecAugment(int freqMasks, int maxFreqWidth, int timeMasks, int maxTimeWidth) {
        this(freqMasks, maxFreqWidth, timeMasks, maxTimeWidth, 0);
    }

    /**
     * This many frequency and time masks of at most these widths, set to {@code value}; throws IllegalArgumentException
     * when a count or width is negative or the value is not finite.
     *
     * @param freqMasks the number of frequency masks
     * @param maxFreqWidth the widest frequency mask
     * @param timeMasks the number of time masks
     * @param maxTimeWidth the widest time mask
     * @param value the value written
     */
    public SpecAugment(int freqMasks, int maxFreqWidth, int timeMasks, int maxTimeWidth, double value) {
        if (freqMasks < 0 || maxFreqWidth < 0 || timeMasks < 0 || maxTimeWidth < 0) {
            throw new IllegalArgumentException("SpecAugment: mask counts and widths must be >= 0, got freqMasks "
                    + freqMasks + ", maxFreqWidth " + maxFreqWidth + ", timeMasks " + timeMasks + ", maxTimeWidth "
                    + maxTimeWidth);
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("SpecAugment: value must be finite, got " + value);
        }
        this.freqMasks = freqMasks;
        this.maxFreqWidth = maxFreqWidth;
        this.timeMasks = timeMasks;
        this.maxTimeWidth = maxTimeWidth;
        this.value = value;
    }

    @Override
    public Tensor apply(Tensor spectrogram, AugmentRandom random) {
        int[] d = dims(spectrogram);
        Tensor x = spectrogram;
        for (int k = 0; k < freqMasks; k++) {
            int f = random.nextInt(0, Math.min(maxFreqWidth, d[1]));
            x = mask(x, 0, random.nextInt(0, d[1] - f), f, value);
        }
        for (int k = 0; k < timeMasks; k++) {
            int t = random.nextInt(0, Math.min(maxTimeWidth, d[2]));
            x = mask(x, 1, random.nextInt(0, d[2] - t), t, value);
        }
        return x;
    }

    /**
     * The spectrogram with {@code width} consecutive rows (axis 0: frequency) or columns (axis 1:
     * time) from {@code start} set to value, in every channel.
     *
     * @param spectrogram [F, T] or [channels, F, T]
     * @param axis 0 for frequency, 1 for time
     * @param start the first masked row or column
     * @param width the number masked
     * @param value the value written
     * @return the masked spectrogram
     */
    public static Tensor mask(Tensor spectrogram, int axis, int start, int width, double value) {
        int[] d = dims(spectrogram);
        int f = d[1];
        int t = d[2];
        if (axis != 0 && axis != 1) {
            throw new IllegalArgumentException("SpecAugment: axis must be 0 (frequency) or 1 (time), got " + axis);
        }
        int size = axis == 0 ? f : t;
        if (start < 0 || width < 0 || start + width > size) {
            throw new IllegalArgumentException("SpecAugment: mask [" + start + ", " + (start + width) + ") leaves the "
                    + (axis == 0 ? "frequency" : "time") + " axis of size " + size);
        }
        float[] x = spectrogram.toFloatArray();
        for (int c = 0; c < d[0]; c++) {
            for (int i = 0; i < f; i++) {
                for (int j = 0; j < t; j++) {
                    int pos = axis == 0 ? i : j;
                    if (pos >= start && pos < start + width) {
                        x[(c * f + i) * t + j] = (float) value;
                    }
                }
            }
        }
        return Tensor.fromArray(x, spectrogram.shape()).to(spectrogram.dtype());
    }

    private static int[] dims(Tensor s) {
        if (s == null || !s.dtype().isFloating() || (s.rank() != 2 && s.rank() != 3)) {
            throw new IllegalArgumentException("SpecAugment: a sample must be a floating spectrogram [F, T] or"
                    + " [channels, F, T], got " + (s == null ? "null" : s.dtype() + " of shape " + Shapes.str(s.shape())));
        }
        int[] sh = s.shape();
        return s.rank() == 3 ? sh.clone() : new int[] {1, sh[0], sh[1]};
    }

    @Override
    public String toString() {
        return "SpecAugment(freq " + freqMasks + " x <= " + maxFreqWidth + ", time " + timeMasks + " x <= "
                + maxTimeWidth + ", value=" + value + ")";
    }
}
