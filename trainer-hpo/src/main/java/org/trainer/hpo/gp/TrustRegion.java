package org.trainer.hpo.gp;

/**
 * The trust region of TuRBO (Eriksson et al., "Scalable global optimization via local Bayesian
 * optimization", NeurIPS 2019), replayed from the history of losses so that the sampler keeps no
 * state: a box of side {@code length} (in unit coordinates) around the incumbent, within which
 * the acquisition is searched.
 *
 * <p>The rule, applied to each loss after the initial design in trial order: a success is a loss
 * below best - 1e-3 |best| (best: the lowest loss before it); {@link #SUCCESS_TOLERANCE}
 * successes in a row double the side (at most {@link #MAX_LENGTH}), {@code failureTolerance}
 * failures in a row halve it; when the side falls below {@link #MIN_LENGTH} the region has
 * collapsed and starts again at {@link #INITIAL_LENGTH}.
 *
 * @param length    the side of the box, in unit coordinates
 * @param shrunk    whether the last loss halved the side (or collapsed the region)
 * @param collapsed whether the last loss collapsed the region
 * @param restarts  how many times the region has collapsed
 */
record TrustRegion(double length, boolean shrunk, boolean collapsed, int restarts) {
    static final double INITIAL_LENGTH = 0.8;
    static final double MAX_LENGTH = 1.6;
    static final double MIN_LENGTH = Math.pow(0.5, 7);
    static final int SUCCESS_TOLERANCE = 3;

    /** TuRBO's failure tolerance for one proposal at a time: max(4, d). */
    static int failureTolerance(int dimensions) {
        return Math.max(4, dimensions);
    }

    /**
     * The region after the losses {@code losses} (in trial order), of which the first
     * {@code initial} are the initial design.
     *
     * @param losses           the losses in trial order (not modified)
     * @param initial          how many of them are the initial design
     * @param failureTolerance failures in a row that halve the side (at least 1)
     * @throws IllegalArgumentException on a negative {@code initial} or a tolerance below 1
     */
    static TrustRegion replay(double[] losses, int initial, int failureTolerance) {
        if (initial < 0) {
            throw new IllegalArgumentException("TrustRegion.replay: initial must be >= 0, got " + initial);
        }
        if (failureTolerance < 1) {
            throw new IllegalArgumentException("TrustRegion.replay: failureTolerance must be >= 1, got " + failureTolerance);
        }
        double length = INITIAL_LENGTH;
        boolean shrunk = false;
        boolean collapsed = false;
        int restarts = 0;
        int successes = 0;
        int failures = 0;
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < losses.length; i++) {
            double v = losses[i];
            if (i >= initial) {
                shrunk = false;
                collapsed = false;
                if (v < best - 1e-3 * Math.abs(best)) {
                    successes++;
                    failures = 0;
                } else {
                    failures++;
                    successes = 0;
                }
                if (successes == SUCCESS_TOLERANCE) {
                    length = Math.min(MAX_LENGTH, 2 * length);
                    successes = 0;
                } else if (failures == failureTolerance) {
                    length /= 2;
                    failures = 0;
                    shrunk = true;
                }
                if (length < MIN_LENGTH) {
                    collapsed = true;
                    restarts++;
                    length = INITIAL_LENGTH;
                    successes = 0;
                    failures = 0;
                }
            }
            best = Math.min(best, v);
        }
        return new TrustRegion(length, shrunk, collapsed, restarts);
    }

    /**
     * The box around {@code center} over the numeric columns, each side scaled by its column's
     * length scale over their geometric mean (TuRBO's weighting: a long length scale, a wide
     * side), clipped to [0, 1]; other columns span [0, 1].
     *
     * @param center       the incumbent, in unit coordinates
     * @param lengthScales the GP's length scales, one per column
     * @param numeric      the numeric columns
     * @param lo           receives the lower bounds (length: the columns)
     * @param hi           receives the upper bounds
     */
    void box(double[] center, double[] lengthScales, int[] numeric, double[] lo, double[] hi) {
        java.util.Arrays.fill(lo, 0);
        java.util.Arrays.fill(hi, 1);
        if (numeric.length == 0) {
            return;
        }
        double meanLog = 0;
        for (int c : numeric) {
            meanLog += Math.log(lengthScales[c]);
        }
        meanLog /= numeric.length;
        for (int c : numeric) {
            double half = 0.5 * length * Math.exp(Math.log(lengthScales[c]) - meanLog);
            lo[c] = Math.max(0, center[c] - half);
            hi[c] = Math.min(1, center[c] + half);
        }
    }
}
