package org.trainer.optim;

import org.trainer.core.train.LearningRateSchedule;

/**
 * Exponential decay, as torch.optim.lr_scheduler.ExponentialLR:
 * <pre>
 *   lr(t) = base * gamma^t
 * </pre>
 * {@link #ofRate(double)} writes the same curve as {@code base * e^(-lambda t)} (gamma = e^-lambda).
 * Steps per epoch by default; {@link #perIteration(boolean) perIteration(true)} makes t count iterations.
 *
 * @param gamma        the factor per step, finite and > 0 (usually just below 1)
 * @param perIteration true when t counts iterations, false when it counts epochs
 */
public record ExponentialSchedule(double gamma, boolean perIteration) implements LearningRateSchedule {

    /**
     * Validates the arguments; throws IllegalArgumentException unless gamma is finite and positive.
     *
     * @param gamma the factor per step, finite and > 0 (usually just below 1)
     * @param perIteration true when t counts iterations, false when it counts epochs
     */
    public ExponentialSchedule {
        ScheduleChecks.positive("ExponentialSchedule", "gamma", gamma);
    }

    /**
     * Decays per epoch.
     *
     * @param gamma the factor per epoch, finite and positive
     */
    public ExponentialSchedule(double gamma) {
        this(gamma, false);
    }

    /**
     * {@code lr(t) = base * e^(-lambda t)}, per epoch; lambda is a finite decay rate >= 0.
     *
     * @param lambda the decay rate
     * @return the schedule, with gamma = e^-lambda
     */
    public static ExponentialSchedule ofRate(double lambda) {
        ScheduleChecks.nonNegative("ExponentialSchedule", "lambda", lambda);
        return new ExponentialSchedule(Math.exp(-lambda));
    }

    /**
     * This schedule, with t counting iterations (true) or epochs (false).
     *
     * @param on true when t counts iterations, false when it counts epochs
     * @return the changed schedule
     */
    public ExponentialSchedule perIteration(boolean on) {
        return new ExponentialSchedule(gamma, on);
    }

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("ExponentialSchedule", t);
        return base * Math.pow(gamma, t);
    }
}
