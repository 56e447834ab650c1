package org.trainer.optim;

import org.trainer.core.train.LearningRateSchedule;

/**
 * A linear change of the rate's factor, the closed form of torch.optim.lr_scheduler.LinearLR: with
 * n = totalIters,
 * <pre>
 *   lr(t) = base * (startFactor + (endFactor - startFactor) * min(t, n) / n)
 * </pre>
 * lr(0) = base * startFactor, lr(t) = base * endFactor from t = n on. A warm-up rises (startFactor
 * &lt; endFactor), a cool-down falls; put it first in a {@link SequentialSchedule} to warm up into
 * another schedule.
 *
 * <p>torch 1.13's stepped (chainable) form divides by {@code total_iters * start_factor} and so fails
 * for startFactor = 0; the closed form here is defined there too.
 *
 * <p>Steps per epoch by default; {@link #perIteration(boolean) perIteration(true)} makes t (and n)
 * count iterations.
 *
 * @param startFactor  the factor at t = 0, in [0, 1]
 * @param endFactor    the factor from t = n on, in [0, 1]
 * @param totalIters   n, the steps the change takes, >= 1
 * @param perIteration true when t counts iterations, false when it counts epochs
 */
public record LinearSchedule(double startFactor, double endFactor, long totalIters, boolean perIteration)
        implements LearningRateSchedule {

    /**
     * Validates the arguments; throws IllegalArgumentException when a factor is outside [0, 1] or totalIters &lt; 1.
     *
     * @param startFactor the factor at t = 0, in [0, 1]
     * @param endFactor the factor from t = n on, in [0, 1]
     * @param totalIters n, the steps the change takes, >= 1
     * @param perIteration true when t counts iterations, false when it counts epochs
     */
    public LinearSchedule {
        ScheduleChecks.unitInterval("LinearSchedule", "startFactor", startFactor);
        ScheduleChecks.unitInterval("LinearSchedule", "endFactor", endFactor);
        ScheduleChecks.atLeast("LinearSchedule", "totalIters", totalIters, 1);
    }

    /**
     * Per epoch.
     *
     * @param startFactor the factor at t = 0, in [0, 1]
     * @param endFactor the factor from t = n on, in [0, 1]
     * @param totalIters n, the epochs the change takes, at least 1
     */
    public LinearSchedule(double startFactor, double endFactor, long totalIters) {
        this(startFactor, endFactor, totalIters, false);
    }

    /** torch's defaults: from a third of base up to base over 5 epochs. */
    public LinearSchedule() {
        this(1.0 / 3, 1.0, 5, false);
    }

    /**
     * This schedule, with t counting iterations (true) or epochs (false).
     *
     * @param on true when t counts iterations, false when it counts epochs
     * @return the changed schedule
     */
    public LinearSchedule perIteration(boolean on) {
        return new LinearSchedule(startFactor, endFactor, totalIters, on);
    }

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("LinearSchedule", t);
        return base * (startFactor + (endFactor - startFactor) * Math.min(totalIters, t) / totalIters);
    }
}
