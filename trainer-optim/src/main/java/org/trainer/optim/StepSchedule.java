package org.trainer.optim;

import org.trainer.core.train.LearningRateSchedule;

/**
 * Step decay, as torch.optim.lr_scheduler.StepLR: the rate is multiplied by gamma every
 * {@code stepSize} steps,
 * <pre>
 *   lr(t) = base * gamma^floor(t / stepSize)
 * </pre>
 * Steps per epoch by default (t counts epochs, as StepLR is usually stepped); {@link #perIteration(boolean)
 * perIteration(true)} makes t count iterations.
 *
 * @param stepSize     steps between two decays, >= 1
 * @param gamma        the factor applied at each decay, finite and > 0 (usually &lt; 1)
 * @param perIteration true when t counts iterations, false when it counts epochs
 */
public record StepSchedule(long stepSize, double gamma, boolean perIteration) implements LearningRateSchedule {

    /**
     * Validates the arguments; throws IllegalArgumentException when stepSize &lt; 1 or gamma is not finite and
     * positive.
     *
     * @param stepSize steps between two decays, >= 1
     * @param gamma the factor applied at each decay, finite and > 0 (usually &lt; 1)
     * @param perIteration true when t counts iterations, false when it counts epochs
     */
    public StepSchedule {
        ScheduleChecks.atLeast("StepSchedule", "stepSize", stepSize, 1);
        ScheduleChecks.positive("StepSchedule", "gamma", gamma);
    }

    /**
     * Decays per epoch.
     *
     * @param stepSize epochs between two decays, at least 1
     * @param gamma the factor applied at each decay
     */
    public StepSchedule(long stepSize, double gamma) {
        this(stepSize, gamma, false);
    }

    /**
     * This schedule, with t counting iterations (true) or epochs (false).
     *
     * @param on true when t counts iterations, false when it counts epochs
     * @return the changed schedule
     */
    public StepSchedule perIteration(boolean on) {
        return new StepSchedule(stepSize, gamma, on);
    }

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("StepSchedule", t);
        return base * Math.pow(gamma, t / stepSize);
    }
}
