package org.trainer.optim;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.trainer.core.Tensor;
import org.trainer.core.train.Callback;
import org.trainer.core.train.Optimizer;
import org.trainer.core.train.ParameterGroup;
import org.trainer.core.train.TrainingContext;
import org.trainer.core.train.checkpoint.StateEntries;
import org.trainer.core.train.checkpoint.Stateful;

/**
 * Lowers the learning rates when a monitored figure stops improving, as
 * torch.optim.lr_scheduler.ReduceLROnPlateau. Unlike the schedules it is not a function of the step
 * but of the metric's history, so it is a stateful {@link Callback}: at each epoch's end it reads
 * {@code logs.get(monitor)} ("val_loss" by default) and calls {@link #step(double)}, which can also
 * be called directly, without a Trainer.
 *
 * <p>Each {@link #step(double) step(metric)}:
 * <pre>
 *   better = metric &lt; best * (1 - threshold)   (MIN, REL)     metric &lt; best - threshold   (MIN, ABS)
 *            metric &gt; best * (1 + threshold)   (MAX, REL)     metric &gt; best + threshold   (MAX, ABS)
 *   if better: best = metric, bad = 0   else: bad = bad + 1
 *   if cooling down: cooldown counter - 1, bad = 0
 *   if bad &gt; patience: for each group, new = max(lr * factor, minLr[group]); if lr - new &gt; eps: lr = new
 *                        cooldown counter = cooldown, bad = 0
 * </pre>
 * best starts at +inf (MIN) or -inf (MAX); a NaN metric is never better. It changes each group's
 * current rate through {@link ParameterGroup#setLearningRate(double)}, so do not give the Trainer a
 * schedule as well: the schedule would reset the rates from their initial values every epoch.
 * It counts epochs (one step per call).
 *
 * <p>It is {@link Stateful}: a Trainer with checkpoints saves and restores its best value and
 * counters (the rates it lowered travel with the optimizer's state).
 */
public final class ReduceLrOnPlateau implements Callback, Stateful {

    /** Whether lower (MIN, a loss) or higher (MAX, an accuracy) values of the figure are better. */
    public enum Mode {
        /** Lower is better (a loss). */
        MIN,
        /** Higher is better (an accuracy). */
        MAX
    }

    /** Whether {@code threshold} is relative to the best value (REL) or an absolute margin (ABS). */
    public enum ThresholdMode {
        /** A fraction of the best value. */
        REL,
        /** An absolute margin. */
        ABS
    }

    private final Optimizer optimizer;
    private final String monitor;
    private final Mode mode;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final ThresholdMode thresholdMode;
    private final int cooldown;
    private final double[] minLrs;
    private final double eps;

    private double best;
    private int badEpochs;
    private int cooldownCounter;
    private long steps;

    private ReduceLrOnPlateau(Builder b) {
        this.optimizer = b.optimizer;
        this.monitor = b.monitor;
        this.mode = b.mode;
        this.factor = b.factor;
        this.patience = b.patience;
        this.threshold = b.threshold;
        this.thresholdMode = b.thresholdMode;
        this.cooldown = b.cooldown;
        this.eps = b.eps;
        int groups = optimizer.groups().size();
        if (b.minLrs.length != 1 && b.minLrs.length != groups) {
            throw new IllegalArgumentException("ReduceLrOnPlateau: minLr must hold one value or one per parameter "
                    + "group (" + groups + "), got " + b.minLrs.length + " values " + Arrays.toString(b.minLrs));
        }
        this.minLrs = new double[groups];
        for (int i = 0; i < groups; i++) {
            minLrs[i] = b.minLrs.length == 1 ? b.minLrs[0] : b.minLrs[i];
        }
        reset();
    }

    /**
     * A builder with torch's defaults: monitor "val_loss", mode MIN, factor 0.1, patience 10,
     * threshold 1e-4 (REL), cooldown 0, minLr 0, eps 1e-8.
     *
     * @param optimizer the optimizer whose rates are lowered
     * @return a builder
     */
    public static Builder builder(Optimizer optimizer) {
        return new Builder(Objects.requireNonNull(optimizer, "ReduceLrOnPlateau: optimizer must not be null"));
    }

    /** Forgets the history: best back to +-inf, no bad epochs, no cooldown. The rates are left alone. */
    public void reset() {
        best = mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        badEpochs = 0;
        cooldownCounter = 0;
        steps = 0;
    }

    /**
     * Records one epoch's value of the figure and lowers the rates when it has not improved for more
     * than {@code patience} epochs. Returns true when a rate was lowered.
     *
     * @param metric the epoch's value of the figure
     * @return whether a rate was lowered
     */
    public boolean step(double metric) {
        steps++;
        if (isBetter(metric)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            badEpochs = 0;
        }
        if (badEpochs <= patience) {
            return false;
        }
        boolean lowered = false;
        List<ParameterGroup> groups = optimizer.groups();
        for (int i = 0; i < groups.size(); i++) {
            ParameterGroup g = groups.get(i);
            double old = g.learningRate();
            double lr = Math.max(old * factor, minLrs[i]);
            if (old - lr > eps) {
                g.setLearningRate(lr);
                lowered = true;
            }
        }
        cooldownCounter = cooldown;
        badEpochs = 0;
        return lowered;
    }

    private boolean isBetter(double metric) {
        if (mode == Mode.MIN) {
            return thresholdMode == ThresholdMode.REL ? metric < best * (1 - threshold) : metric < best - threshold;
        }
        return thresholdMode == ThresholdMode.REL ? metric > best * (1 + threshold) : metric > best + threshold;
    }

    /** Steps on the monitored figure of the epoch's logs. */
    @Override
    public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
        Double value = logs.get(monitor);
        if (value == null) {
            throw new IllegalStateException("ReduceLrOnPlateau: the epoch logs have no '" + monitor + "' (they have "
                    + logs.keySet() + "); give fit a validation loader or monitor another figure");
        }
        step(value);
    }

    /**
     * The best value of the figure so far (+-inf before the first step).
     *
     * @return the best value
     */
    public double best() {
        return best;
    }

    /**
     * Epochs since the last improvement that count towards patience.
     *
     * @return the bad epochs
     */
    public int badEpochs() {
        return badEpochs;
    }

    /**
     * Whether the next steps are in the cooldown after a reduction.
     *
     * @return whether in cooldown
     */
    public boolean inCooldown() {
        return cooldownCounter > 0;
    }

    /**
     * Number of {@link #step(double)} calls since construction or {@link #reset()}.
     *
     * @return the number of steps
     */
    public long steps() {
        return steps;
    }

    /**
     * The name of the watched figure in the epoch logs (e.g. "val_loss").
     *
     * @return the figure's name
     */
    public String monitor() {
        return monitor;
    }

    /** "best", "bad_epochs", "cooldown_counter" and "steps", as float64 scalars. */
    @Override
    public Map<String, Tensor> stateDict() {
        return Map.of("best", StateEntries.scalar(best), "bad_epochs", StateEntries.scalar(badEpochs),
                "cooldown_counter", StateEntries.scalar(cooldownCounter), "steps", StateEntries.scalar(steps));
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        String owner = "ReduceLrOnPlateau";
        StateEntries.expectKeys(owner, state, Set.of("best", "bad_epochs", "cooldown_counter", "steps"));
        double b = StateEntries.readScalar(owner, state, "best");
        long bad = StateEntries.readCount(owner, state, "bad_epochs");
        long cool = StateEntries.readCount(owner, state, "cooldown_counter");
        long n = StateEntries.readCount(owner, state, "steps");
        if (bad > Integer.MAX_VALUE || cool > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(owner + ".loadStateDict: bad_epochs " + bad + " or cooldown_counter "
                    + cool + " is beyond the int range");
        }
        best = b;
        badEpochs = (int) bad;
        cooldownCounter = (int) cool;
        steps = n;
    }

    /** Settings of a {@link ReduceLrOnPlateau}; each setter validates its argument. */
    public static final class Builder {
        private final Optimizer optimizer;
        private String monitor = "val_loss";
        private Mode mode = Mode.MIN;
        private double factor = 0.1;
        private int patience = 10;
        private double threshold = 1e-4;
        private ThresholdMode thresholdMode = ThresholdMode.REL;
        private int cooldown;
        private double[] minLrs = {0};
        private double eps = 1e-8;

        private Builder(Optimizer optimizer) {
            this.optimizer = optimizer;
        }

        /**
         * The name of the figure in the epoch logs, e.g. "val_loss" or "val_accuracy".
         *
         * @param name the figure's name
         * @return this builder
         */
        public Builder monitor(String name) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("ReduceLrOnPlateau: monitor must be a figure's name, got '"
                        + name + "'");
            }
            this.monitor = name;
            return this;
        }

        /**
         * Whether lower (MIN) or higher (MAX) values of the figure are better. Returns this.
         *
         * @param m MIN or MAX
         * @return this builder
         */
        public Builder mode(Mode m) {
            this.mode = Objects.requireNonNull(m, "ReduceLrOnPlateau: mode must not be null");
            return this;
        }

        /**
         * new lr = lr * factor, 0 &lt; factor &lt; 1.
         *
         * @param f the factor
         * @return this builder
         */
        public Builder factor(double f) {
            if (!(f > 0 && f < 1)) {
                throw new IllegalArgumentException("ReduceLrOnPlateau: factor must be in (0, 1), got " + f);
            }
            this.factor = f;
            return this;
        }

        /**
         * Epochs without improvement that are tolerated before a reduction, >= 0.
         *
         * @param p the tolerated epochs
         * @return this builder
         */
        public Builder patience(int p) {
            if (p < 0) {
                throw new IllegalArgumentException("ReduceLrOnPlateau: patience must be >= 0, got " + p);
            }
            this.patience = p;
            return this;
        }

        /**
         * The margin an improvement must beat, finite and >= 0, read as {@code thresholdMode} says.
         *
         * @param t the margin
         * @param tm REL or ABS
         * @return this builder
         */
        public Builder threshold(double t, ThresholdMode tm) {
            ScheduleChecks.nonNegative("ReduceLrOnPlateau", "threshold", t);
            this.threshold = t;
            this.thresholdMode = Objects.requireNonNull(tm, "ReduceLrOnPlateau: thresholdMode must not be null");
            return this;
        }

        /**
         * Epochs after a reduction during which bad epochs are not counted, >= 0.
         *
         * @param c the cooldown epochs
         * @return this builder
         */
        public Builder cooldown(int c) {
            if (c < 0) {
                throw new IllegalArgumentException("ReduceLrOnPlateau: cooldown must be >= 0, got " + c);
            }
            this.cooldown = c;
            return this;
        }

        /**
         * The lowest rate: one value for every group, or one per group; each finite and >= 0.
         *
         * @param lrs one rate, or one per group
         * @return this builder
         */
        public Builder minLr(double... lrs) {
            if (lrs == null || lrs.length == 0) {
                throw new IllegalArgumentException("ReduceLrOnPlateau: minLr must hold at least one value");
            }
            for (int i = 0; i < lrs.length; i++) {
                ScheduleChecks.nonNegative("ReduceLrOnPlateau", "minLr[" + i + "]", lrs[i]);
            }
            this.minLrs = lrs.clone();
            return this;
        }

        /**
         * A reduction smaller than eps (finite, >= 0) is skipped.
         *
         * @param e the smallest reduction applied
         * @return this builder
         */
        public Builder eps(double e) {
            ScheduleChecks.nonNegative("ReduceLrOnPlateau", "eps", e);
            this.eps = e;
            return this;
        }

        /**
         * The scheduler over the builder's optimizer.
         *
         * @return the scheduler
         */
        public ReduceLrOnPlateau build() {
            return new ReduceLrOnPlateau(this);
        }
    }
}
