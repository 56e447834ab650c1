package org.trainer.optim;

import java.util.List;

import org.trainer.core.train.LearningRateSchedule;

/**
 * Schedules applied one on top of another, as torch.optim.lr_scheduler.ChainedScheduler: each
 * schedule takes the previous one's rate as its base,
 * <pre>
 *   lr(t) = s_k.learningRate( ... s_1.learningRate(s_0.learningRate(base, t), t) ..., t)
 * </pre>
 * For schedules that scale base by a factor f_i(t) (step, multi-step, exponential, linear,
 * constant-factor, polynomial, lambda, cosine with etaMin = 0) this is the product
 * {@code base * f_0(t) * ... * f_k(t)}, which is what torch's chained stepping computes; e.g.
 * exponential x step decay is {@code new ChainedSchedule(List.of(new ExponentialSchedule(0.99),
 * new StepSchedule(30, 0.5)))}.
 *
 * <p><b>Where torch 1.13 differs.</b> torch's parts multiply the group's current rate step by step,
 * but LambdaLR, CyclicLR and OneCycleLR set the rate outright (LambdaLR as base_lr * f(t)): such a
 * part drops the factors of the parts before it and keeps only the <i>last step's</i> factor of the
 * parts after it. An affine part (cosine with eta_min > 0) mixes with the others
 * differently; the composition above is exact for every part and equals torch for the
 * factor-scaling ones. A SequentialLR inside a ChainedScheduler drops the other parts' factors at its
 * milestones in torch; here it does not.
 *
 * <p>Every part must count the same unit (all per iteration or all per epoch).
 */
public final class ChainedSchedule implements LearningRateSchedule {
    private final List<LearningRateSchedule> schedules;

    /** @param schedules s_0 .. s_k, at least one, none null, all with the same {@link #perIteration()} */
    public ChainedSchedule(List<? extends LearningRateSchedule> schedules) {
        if (schedules == null || schedules.isEmpty()) {
            throw new IllegalArgumentException("ChainedSchedule: schedules must hold at least one schedule, got "
                    + schedules);
        }
        ScheduleChecks.parts("ChainedSchedule", schedules);
        this.schedules = List.copyOf(schedules);
    }

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("ChainedSchedule", t);
        double lr = base;
        for (LearningRateSchedule s : schedules) {
            lr = s.learningRate(lr, t);
        }
        return lr;
    }

    @Override
    public boolean perIteration() {
        return schedules.get(0).perIteration();
    }

    /**
     * The parts, in order of application.
     *
     * @return the parts
     */
    public List<LearningRateSchedule> schedules() {
        return schedules;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChainedSchedule c && schedules.equals(c.schedules);
    }

    @Override
    public int hashCode() {
        return schedules.hashCode();
    }

    @Override
    public String toString() {
        return "ChainedSchedule" + schedules;
    }
}
