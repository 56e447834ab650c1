package org.trainer.optim;

import java.util.Objects;

import org.trainer.core.train.LearningRateSchedule;

/**
 * A linear warm-up over the first {@code warmupSteps} steps, then another schedule started afresh:
 * <pre>
 *   lr(t) = base * (startFactor + (1 - startFactor) * t / W)    for t &lt; W
 *   lr(t) = after.learningRate(base, t - W)                     for t >= W
 * </pre>
 * with W = warmupSteps. This is torch's {@code SequentialLR([LinearLR(start_factor, 1.0, W),
 * after], milestones=[W])}: the warm-up's last rate is base * (startFactor + (1 - startFactor)(W - 1)/W),
 * just below base, and the full base rate arrives at t = W as the first step of {@code after}
 * (which therefore sees t - W, so e.g. a {@link CosineSchedule} with tMax = total - W ends at the run's end).
 * It is the same as {@code new SequentialSchedule(List.of(new LinearSchedule(startFactor, 1, W), after),
 * new long[] {W})}, in one line.
 *
 * <p>Steps in the unit of {@code after}: {@link #perIteration()} is {@code after.perIteration()}, and
 * W counts that unit.
 *
 * @param startFactor the fraction of base at t = 0, in [0, 1]
 * @param warmupSteps W, >= 1
 * @param after       the schedule from t = W on, evaluated at t - W
 */
public record LinearWarmupSchedule(double startFactor, long warmupSteps, LearningRateSchedule after)
        implements LearningRateSchedule {

    /**
     * Validates the arguments; throws IllegalArgumentException when startFactor is outside [0, 1] or warmupSteps &lt;
     * 1, and NullPointerException when {@code after} is null.
     *
     * @param startFactor the fraction of base at t = 0, in [0, 1]
     * @param warmupSteps W, >= 1
     * @param after the schedule from t = W on, evaluated at t - W
     */
    public LinearWarmupSchedule {
        ScheduleChecks.unitInterval("LinearWarmupSchedule", "startFactor", startFactor);
        ScheduleChecks.atLeast("LinearWarmupSchedule", "warmupSteps", warmupSteps, 1);
        Objects.requireNonNull(after, "LinearWarmupSchedule: after must not be null");
    }

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("LinearWarmupSchedule", t);
        if (t < warmupSteps) {
            return base * (startFactor + (1 - startFactor) * t / warmupSteps);
        }
        return after.learningRate(base, t - warmupSteps);
    }

    @Override
    public boolean perIteration() {
        return after.perIteration();
    }
}
