package org.trainer.optim;

import java.util.Locale;

/**
 * What a {@link LrFinder} run recorded: for each batch tried, its learning rate, its loss and the
 * smoothed loss; whether the run stopped on divergence; and the suggested rate, the one where the
 * smoothed loss falls fastest against log(lr): the minimum of its finite-difference slope
 * (central differences inside, one-sided at the ends, as numpy.gradient), over the points left
 * after skipping {@code skipStart} at the start and {@code skipEnd} at the end.
 */
public final class LrFinderResult {
    private final double[] learningRates;
    private final double[] losses;
    private final double[] smoothedLosses;
    private final boolean diverged;
    private final int skipStart;
    private final int skipEnd;

    LrFinderResult(double[] learningRates, double[] losses, double[] smoothedLosses, boolean diverged, int skipStart,
                   int skipEnd) {
        this.learningRates = learningRates;
        this.losses = losses;
        this.smoothedLosses = smoothedLosses;
        this.diverged = diverged;
        this.skipStart = skipStart;
        this.skipEnd = skipEnd;
    }

    /**
     * The rate of each recorded batch, increasing.
     *
     * @return the rates
     */
    public double[] learningRates() {
        return learningRates.clone();
    }

    /**
     * The loss of each recorded batch (before its update).
     *
     * @return the losses
     */
    public double[] losses() {
        return losses.clone();
    }

    /**
     * The bias-corrected moving average of the losses.
     *
     * @return the smoothed losses
     */
    public double[] smoothedLosses() {
        return smoothedLosses.clone();
    }

    /**
     * Number of recorded batches.
     *
     * @return the number of batches
     */
    public int size() {
        return learningRates.length;
    }

    /**
     * True when the run stopped early because the loss diverged.
     *
     * @return whether the loss diverged
     */
    public boolean diverged() {
        return diverged;
    }

    /**
     * The index of the suggested rate in {@link #learningRates()}.
     *
     * @return the index
     */
    public int suggestionIndex() {
        int n = smoothedLosses.length;
        int from = skipStart;
        int to = n - skipEnd;
        if (to - from < 2) {
            throw new IllegalStateException("LrFinderResult: " + n + " points recorded, " + (to - from)
                    + " left after skipping " + skipStart + " + " + skipEnd + "; need at least 2 (start from a "
                    + "smaller rate, run more steps or skip fewer points)");
        }
        int best = from;
        double steepest = Double.POSITIVE_INFINITY;
        for (int i = from; i < to; i++) {
            double slope = slope(i, from, to);
            if (slope < steepest) {
                steepest = slope;
                best = i;
            }
        }
        return best;
    }

    /**
     * The suggested learning rate: where the smoothed loss falls fastest.
     *
     * @return the rate
     */
    public double suggestion() {
        return learningRates[suggestionIndex()];
    }

    private double slope(int i, int from, int to) {
        int a = i == from ? i : i - 1;
        int b = i == to - 1 ? i : i + 1;
        return (smoothedLosses[b] - smoothedLosses[a]) / (Math.log(learningRates[b]) - Math.log(learningRates[a]));
    }

    /**
     * A table of about {@code rows} evenly spaced points: rate, loss and smoothed loss.
     *
     * @param rows about how many rows to print
     * @return the table: a header line, then one line per row
     */
    public String summary(int rows) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%12s  %10s  %10s%n", "lr", "loss",
                "smoothed"));
        int n = size();
        int every = Math.max(1, (int) Math.ceil(n / (double) Math.max(1, rows)));
        for (int i = 0; i < n; i++) {
            if (i % every == 0 || i == n - 1) {
                sb.append(String.format(Locale.ROOT, "%12.4e  %10.4f  %10.4f%n", learningRates[i], losses[i],
                        smoothedLosses[i]));
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        String s;
        try {
            s = String.format(Locale.ROOT, "%.4g", suggestion());
        } catch (IllegalStateException e) {
            s = "none";
        }
        return "LrFinderResult[" + size() + " points, lr " + (size() == 0 ? "-" : String.format(Locale.ROOT,
                "%.3g..%.3g", learningRates[0], learningRates[size() - 1])) + ", diverged=" + diverged
                + ", suggestion=" + s + "]";
    }
}
