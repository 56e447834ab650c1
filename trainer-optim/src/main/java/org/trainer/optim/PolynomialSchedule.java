package org.trainer.optim;

import org.trainer.core.train.LearningRateSchedule;

/**
 * Polynomial decay to zero, as torch.optim.lr_scheduler.PolynomialLR:
 * <pre>
 *   lr(t) = base * (1 - min(t, totalIters) / totalIters)^power
 * </pre>
 * The rate reaches 0 at t = totalIters and stays there. power 1 is a linear decay.
 * Steps per epoch by default; {@link #perIteration(boolean) perIteration(true)} makes t (and
 * totalIters) count iterations.
 *
 * @param totalIters   steps until the rate reaches 0, >= 1
 * @param power        the exponent, finite and >= 0
 * @param perIteration true when t counts iterations, false when it counts epochs
 */
public record PolynomialSchedule(long totalIters, double power, boolean perIteration) implements LearningRateSchedule {

    /**
     * Validates the arguments; throws IllegalArgumentException when totalIters &lt; 1 or power is negative, NaN or
     * infinite.
     *
     * @param totalIters steps until the rate reaches 0, >= 1
     * @param power the exponent, finite and >= 0
     * @param perIteration true when t counts iterations, false when it counts epochs
     */
    public PolynomialSchedule {
        ScheduleChecks.atLeast("PolynomialSchedule", "totalIters", totalIters, 1);
        ScheduleChecks.nonNegative("PolynomialSchedule", "power", power);
    }

    /**
     * Decays per epoch.
     *
     * @param totalIters epochs until the rate reaches 0, at least 1
     * @param power the exponent, finite and at least 0
     */
    public PolynomialSchedule(long totalIters, double power) {
        this(totalIters, power, false);
    }

    /**
     * This schedule, with t counting iterations (true) or epochs (false).
     *
     * @param on true when t counts iterations, false when it counts epochs
     * @return the changed schedule
     */
    public PolynomialSchedule perIteration(boolean on) {
        return new PolynomialSchedule(totalIters, power, on);
    }

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("PolynomialSchedule", t);
        return base * Math.pow(1.0 - (double) Math.min(t, totalIters) / totalIters, power);
    }
}
