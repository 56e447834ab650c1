package org.trainer.optim;

import java.util.Objects;
import java.util.function.LongToDoubleFunction;

import org.trainer.core.train.LearningRateSchedule;

/**
 * The initial rate times a factor of the step computed by a function, as
 * torch.optim.lr_scheduler.LambdaLR:
 * <pre>
 *   lr(t) = base * factor(t)
 * </pre>
 * The function should be pure (the same t, the same factor): the trainer may evaluate it more than
 * once per step and after a resume. A factor that is not finite is refused when it is computed,
 * naming t, so that a NaN never reaches the weights.
 *
 * @param factor       t -> the factor at step t
 * @param perIteration true when t counts iterations, false when it counts epochs
 */
public record LambdaSchedule(LongToDoubleFunction factor, boolean perIteration) implements LearningRateSchedule {

    /**
     * Checks that the factor function is given.
     *
     * @param factor t -> the factor at step t
     * @param perIteration true when t counts iterations, false when it counts epochs
     */
    public LambdaSchedule {
        Objects.requireNonNull(factor, "LambdaSchedule: factor must not be null");
    }

    /**
     * Per epoch.
     *
     * @param factor epoch t to the factor at t
     */
    public LambdaSchedule(LongToDoubleFunction factor) {
        this(factor, false);
    }

    /**
     * This schedule, with t counting iterations (true) or epochs (false).
     *
     * @param on true when t counts iterations, false when it counts epochs
     * @return the changed schedule
     */
    public LambdaSchedule perIteration(boolean on) {
        return new LambdaSchedule(factor, on);
    }

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("LambdaSchedule", t);
        double f = factor.applyAsDouble(t);
        if (!Double.isFinite(f)) {
            throw new IllegalArgumentException("LambdaSchedule: factor(" + t + ") must be finite, got " + f);
        }
        return base * f;
    }
}
