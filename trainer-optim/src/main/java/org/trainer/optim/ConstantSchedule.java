package org.trainer.optim;

import org.trainer.core.train.LearningRateSchedule;

/**
 * The learning rate stays at the group's initial rate: {@code lr(t) = base}. The unit of t does not
 * matter; it declares per epoch ({@link #perIteration()} false), so the trainer sets it once an epoch.
 * Useful as the inner schedule of a {@link LinearWarmupSchedule} (warm-up, then constant). torch's
 * ConstantLR (a reduced rate for the first steps) is {@link ConstantFactorSchedule}.
 */
public record ConstantSchedule() implements LearningRateSchedule {

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("ConstantSchedule", t);
        return base;
    }
}
