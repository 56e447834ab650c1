package org.trainer.optim;

import org.trainer.core.train.LearningRateSchedule;

/**
 * A reduced rate for the first steps, then the full one, as torch.optim.lr_scheduler.ConstantLR:
 * with n = totalIters,
 * <pre>
 *   lr(t) = base * factor    for t &lt; n
 *   lr(t) = base             for t >= n
 * </pre>
 * Not to be confused with {@link ConstantSchedule}, which holds base throughout.
 *
 * <p>torch 1.13's stepped (chainable) form divides by the factor at t = n and so fails for
 * factor = 0; the closed form here is defined there too.
 *
 * <p>Steps per epoch by default; {@link #perIteration(boolean) perIteration(true)} makes t (and n)
 * count iterations.
 *
 * @param factor       the fraction of base before step n, in [0, 1]
 * @param totalIters   n, the steps at the reduced rate, >= 1
 * @param perIteration true when t counts iterations, false when it counts epochs
 */
public record ConstantFactorSchedule(double factor, long totalIters, boolean perIteration)
        implements LearningRateSchedule {

    /**
     * Validates the arguments; throws IllegalArgumentException when factor is outside [0, 1] or totalIters &lt; 1.
     *
     * @param factor the fraction of base before step n, in [0, 1]
     * @param totalIters n, the steps at the reduced rate, >= 1
     * @param perIteration true when t counts iterations, false when it counts epochs
     */
    public ConstantFactorSchedule {
        ScheduleChecks.unitInterval("ConstantFactorSchedule", "factor", factor);
        ScheduleChecks.atLeast("ConstantFactorSchedule", "totalIters", totalIters, 1);
    }

    /**
     * Per epoch.
     *
     * @param factor the fraction of base before step n, in [0, 1]
     * @param totalIters n, the epochs at the reduced rate, at least 1
     */
    public ConstantFactorSchedule(double factor, long totalIters) {
        this(factor, totalIters, false);
    }

    /** torch's defaults: a third of base for 5 epochs. */
    public ConstantFactorSchedule() {
        this(1.0 / 3, 5, false);
    }

    /**
     * This schedule, with t counting iterations (true) or epochs (false).
     *
     * @param on true when t counts iterations, false when it counts epochs
     * @return the changed schedule
     */
    public ConstantFactorSchedule perIteration(boolean on) {
        return new ConstantFactorSchedule(factor, totalIters, on);
    }

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("ConstantFactorSchedule", t);
        return t < totalIters ? base * factor : base;
    }
}
