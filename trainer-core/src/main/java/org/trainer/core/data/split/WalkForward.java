package org.trainer.core.data.split;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Walk-forward cross-validation for time series: fold j trains on the samples before a cut and is
 * validated on the block right after it (optionally after a gap), and the cut walks forward fold
 * by fold. Train on T1..Tk, validate on Tk+1; then train on T1..Tk+1 (expanding window) or on the
 * last {@code trainSize} samples only (sliding window), validate on Tk+2; and so on.
 *
 * <p>The arithmetic is scikit-learn's {@code TimeSeriesSplit(n_splits, max_train_size, test_size,
 * gap)}: with n samples in time order, F folds and validation size V (default floor(n / (F + 1))),
 * fold j (0-based) validates on [s_j, s_j + V) with s_j = n - F V + j V, and trains on [0, s_j - gap),
 * or on its last {@code trainSize} samples for a sliding window. The gap keeps the samples just
 * before the validation block out of training, for targets that look ahead (a lagged window whose
 * horizon would otherwise overlap the validation block). Every validation time is strictly after
 * every training time of its fold.
 *
 * <p>Instances are immutable; {@code with...} methods return modified copies.
 */
public final class WalkForward {
    private final int folds;
    private final int trainSize;
    private final int validationSize;
    private final int gap;

    private WalkForward(int folds, int trainSize, int validationSize, int gap) {
        if (folds < 1) {
            throw new IllegalArgumentException("WalkForward: folds must be >= 1, got " + folds);
        }
        if (trainSize < 0) {
            throw new IllegalArgumentException("WalkForward: trainSize must be >= 1 sample, got " + trainSize);
        }
        if (validationSize < 0) {
            throw new IllegalArgumentException("WalkForward: validationSize must be >= 1 sample, got "
                    + validationSize);
        }
        if (gap < 0) {
            throw new IllegalArgumentException("WalkForward: gap must be >= 0 samples, got " + gap);
        }
        this.folds = folds;
        this.trainSize = trainSize;
        this.validationSize = validationSize;
        this.gap = gap;
    }

    /**
     * An expanding window: each fold trains on every sample before its cut (less the gap).
     *
     * @param folds the number of folds
     * @return the scheme
     */
    public static WalkForward expanding(int folds) {
        return new WalkForward(folds, 0, 0, 0);
    }

    /**
     * A sliding window: each fold trains on at most the last {@code trainSize} samples before its cut.
     *
     * @param folds the number of folds
     * @param trainSize the most samples a fold trains on
     * @return the scheme
     */
    public static WalkForward sliding(int folds, int trainSize) {
        if (trainSize < 1) {
            throw new IllegalArgumentException("WalkForward: trainSize must be >= 1 sample, got " + trainSize);
        }
        return new WalkForward(folds, trainSize, 0, 0);
    }

    /**
     * Samples per validation block, at least 1 (default floor(n / (folds + 1))).
     *
     * @param validationSize samples per validation block
     * @return the changed scheme
     */
    public WalkForward withValidationSize(int validationSize) {
        if (validationSize < 1) {
            throw new IllegalArgumentException("WalkForward: validationSize must be >= 1 sample, got "
                    + validationSize);
        }
        return new WalkForward(folds, trainSize, validationSize, gap);
    }

    /**
     * Samples left out between the end of training and the start of validation, at least 0.
     *
     * @param gap samples left out
     * @return the changed scheme
     */
    public WalkForward withGap(int gap) {
        return new WalkForward(folds, trainSize, validationSize, gap);
    }

    /**
     * The folds over samples 0..n-1, taken to be in time order.
     *
     * @param n the number of samples
     * @return the folds, in time order
     * @throws IllegalArgumentException if n is too small for the folds, validation size and gap
     *     (the first fold would have no training sample)
     */
    public List<Fold> split(int n) {
        int v = validationSize > 0 ? validationSize : n / (folds + 1);
        if (v < 1 || n - gap - (long) folds * v <= 0) {
            throw new IllegalArgumentException("WalkForward: " + n + " samples are too few for " + folds
                    + " folds of " + v + " validation samples with a gap of " + gap
                    + ": expected n > folds x validationSize + gap = " + ((long) folds * Math.max(v, 1) + gap));
        }
        List<Fold> out = new ArrayList<>(folds);
        for (int j = 0; j < folds; j++) {
            int start = n - folds * v + j * v;
            int trainEnd = start - gap;
            int trainStart = trainSize > 0 ? Math.max(0, trainEnd - trainSize) : 0;
            out.add(new Fold(range(trainStart, trainEnd), range(start, start + v)));
        }
        return List.copyOf(out);
    }

    /**
     * The folds over samples ordered by {@code times}: {@link #split(int)} on the time order, mapped
     * back to sample indices (each fold lists its samples in time order).
     *
     * @param times one time per sample
     * @return the folds, in time order
     * @throws IllegalArgumentException if a time is NaN or infinite, or two samples share a time
     *     (naming both): a walk-forward fold must not train and validate on the same time point
     */
    public List<Fold> split(double[] times) {
        int[] order = TimeOrder.of("WalkForward.split", times);
        for (int i = 1; i < order.length; i++) {
            if (times[order[i]] == times[order[i - 1]]) {
                throw new IllegalArgumentException("WalkForward.split: samples " + order[i - 1] + " and " + order[i]
                        + " share the time " + times[order[i]] + ": expected distinct times");
            }
        }
        List<Fold> byPosition = split(order.length);
        List<Fold> out = new ArrayList<>(byPosition.size());
        for (Fold f : byPosition) {
            out.add(new Fold(map(order, f.train()), map(order, f.validation())));
        }
        return List.copyOf(out);
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        Arrays.setAll(r, i -> from + i);
        return r;
    }

    private static int[] map(int[] order, int[] positions) {
        int[] r = new int[positions.length];
        Arrays.setAll(r, i -> order[positions[i]]);
        return r;
    }

    @Override
    public String toString() {
        return "WalkForward(" + folds + " folds, " + (trainSize > 0 ? "sliding window of " + trainSize : "expanding")
                + ", validationSize " + (validationSize > 0 ? validationSize : "n / (folds + 1)") + ", gap " + gap + ")";
    }
}
