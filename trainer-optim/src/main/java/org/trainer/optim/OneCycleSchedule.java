package org.trainer.optim;

import org.trainer.core.train.LearningRateSchedule;

/**
 * The one-cycle policy (Smith and Topin 2018), as torch.optim.lr_scheduler.OneCycleLR with
 * {@code anneal_strategy='cos'} and {@code three_phase=False}. With peak rate M, initial rate
 * M / divFactor, final rate M / (divFactor * finalDivFactor), n = totalSteps and
 * e = pctStart * n - 1 (the last step of the rise):
 * <pre>
 *   cosAnneal(a, b, p) = b + (a - b) * (1 + cos(pi p)) / 2
 *   lr(t) = cosAnneal(M / divFactor, M, t / e)                            for t &lt;= e
 *   lr(t) = cosAnneal(M, M / (divFactor * finalDivFactor), (t - e) / (n - 1 - e))   otherwise
 * </pre>
 * Past the last step (t >= n) the rate stays at the final rate, where torch raises an error.
 * Momentum is not cycled: a schedule only sets learning rates.
 *
 * <p><b>How {@code base} maps.</b> torch sets the rate absolutely from {@code max_lr}, overriding
 * the optimizer's. Here, by default, each group's initial rate <i>is</i> its peak M (so groups
 * keep their ratios, like torch's per-group max_lr list): build the optimizer with the maximum
 * rate. {@link #withMaxLr(double)} instead fixes M for every group and ignores base, as torch with
 * one max_lr does.
 *
 * <p>Steps per iteration by default (t counts batches and totalSteps = epochs x batches per
 * epoch); {@link #perIteration(boolean) perIteration(false)} makes t count epochs.
 */
public final class OneCycleSchedule implements LearningRateSchedule {
    private final long totalSteps;
    private final double pctStart;
    private final double divFactor;
    private final double finalDivFactor;
    private final double maxLr;
    private final boolean perIteration;

    /** torch's defaults: pctStart 0.3, divFactor 25, finalDivFactor 1e4; the peak is each group's base. */
    public OneCycleSchedule(long totalSteps) {
        this(totalSteps, 0.3, 25, 1e4);
    }

    /**
     * A cycle whose peak is each group's initial rate, per iteration.
     *
     * @param totalSteps     n, the length of the cycle, >= 1
     * @param pctStart       the fraction of the cycle spent rising, in [0, 1]
     * @param divFactor      peak / initial rate, finite and > 0
     * @param finalDivFactor initial rate / final rate, finite and > 0
     */
    public OneCycleSchedule(long totalSteps, double pctStart, double divFactor, double finalDivFactor) {
        this(totalSteps, pctStart, divFactor, finalDivFactor, Double.NaN, true);
    }

    private OneCycleSchedule(long totalSteps, double pctStart, double divFactor, double finalDivFactor, double maxLr,
                             boolean perIteration) {
        ScheduleChecks.atLeast("OneCycleSchedule", "totalSteps", totalSteps, 1);
        ScheduleChecks.unitInterval("OneCycleSchedule", "pctStart", pctStart);
        ScheduleChecks.positive("OneCycleSchedule", "divFactor", divFactor);
        ScheduleChecks.positive("OneCycleSchedule", "finalDivFactor", finalDivFactor);
        this.totalSteps = totalSteps;
        this.pctStart = pctStart;
        this.divFactor = divFactor;
        this.finalDivFactor = finalDivFactor;
        this.maxLr = maxLr;
        this.perIteration = perIteration;
    }

    /** This cycle with the peak fixed at maxLr (finite, > 0) for every group; base is then ignored. */
    public OneCycleSchedule withMaxLr(double maxLr) {
        ScheduleChecks.positive("OneCycleSchedule", "maxLr", maxLr);
        return new OneCycleSchedule(totalSteps, pctStart, divFactor, finalDivFactor, maxLr, perIteration);
    }

    /** This schedule, with t counting iterations (true) or epochs (false). */
    public OneCycleSchedule perIteration(boolean on) {
        return new OneCycleSchedule(totalSteps, pctStart, divFactor, finalDivFactor, maxLr, on);
    }

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("OneCycleSchedule", t);
        double peak = Double.isNaN(maxLr) ? base : maxLr;
        double initial = peak / divFactor;
        double last = initial / finalDivFactor;
        double step = Math.min(t, totalSteps - 1);
        double riseEnd = pctStart * totalSteps - 1;
        if (step <= riseEnd && riseEnd > 0) {
            return anneal(initial, peak, step / riseEnd);
        }
        double span = totalSteps - 1 - riseEnd;
        // A cycle without a fall (n = 1 with pctStart * n = 1) ends on its final rate at once.
        return anneal(peak, last, span > 0 ? (step - riseEnd) / span : 1);
    }

    private static double anneal(double from, double to, double pct) {
        return to + (from - to) / 2 * (Math.cos(Math.PI * pct) + 1);
    }

    @Override
    public boolean perIteration() {
        return perIteration;
    }

    public long totalSteps() {
        return totalSteps;
    }

    /** The fixed peak of {@link #withMaxLr(double)}, or NaN when the peak is each group's base. */
    public double maxLr() {
        return maxLr;
    }

    @Override
    public String toString() {
        return "OneCycleSchedule[totalSteps=" + totalSteps + ", pctStart=" + pctStart + ", divFactor=" + divFactor
                + ", finalDivFactor=" + finalDivFactor + ", maxLr=" + (Double.isNaN(maxLr) ? "base" : maxLr)
                + ", perIteration=" + perIteration + "]";
    }
}
