package org.trainer.optim;

import java.util.Arrays;
import java.util.List;

import org.trainer.core.train.LearningRateSchedule;

/**
 * Schedules one after another, switching at milestones, as torch.optim.lr_scheduler.SequentialLR:
 * with schedules s_0 .. s_k and milestones m_1 &lt; ... &lt; m_k (and m_0 = 0),
 * <pre>
 *   lr(t) = s_i.learningRate(base, t - m_i)    for m_i &lt;= t &lt; m_(i+1)
 * </pre>
 * Each later schedule starts its own step count afresh at its milestone and starts from the
 * group's initial rate, not from where the previous one ended. Linear warm-up then cosine is
 * {@code new SequentialSchedule(List.of(new LinearSchedule(0.1, 1, w), new CosineSchedule(n - w)),
 * new long[] {w})}, torch's {@code SequentialLR([LinearLR, CosineAnnealingLR], milestones=[w])}.
 *
 * <p><b>Where torch 1.13 differs.</b> At a milestone torch calls {@code scheduler.step(0)}, which gives
 * the closed form at step 0 for the schedulers that have one (step, multi-step, constant, linear,
 * exponential, polynomial, cosine), as here. For the others it evaluates the stepped form from the
 * group's current rate: MultiplicativeLR then continues from the previous scheduler's last rate, and a
 * ChainedScheduler inside a SequentialLR raises a TypeError; here every part restarts from base.
 * torch also accepts unsorted milestones and a milestone at 0 (whose part then starts one step late,
 * from the previous part's rate); here milestones must increase strictly from 1.
 *
 * <p>Every part must count the same unit (all per iteration or all per epoch); the milestones count
 * that unit.
 */
public final class SequentialSchedule implements LearningRateSchedule {
    private final List<LearningRateSchedule> schedules;
    private final long[] milestones;

    /**
     * @param schedules  s_0 .. s_k, at least one, none null, all with the same {@link #perIteration()}
     * @param milestones m_1 .. m_k (one fewer than schedules), each >= 1 and greater than the one before
     */
    public SequentialSchedule(List<? extends LearningRateSchedule> schedules, long[] milestones) {
        if (schedules == null || schedules.isEmpty()) {
            throw new IllegalArgumentException("SequentialSchedule: schedules must hold at least one schedule, got "
                    + schedules);
        }
        ScheduleChecks.parts("SequentialSchedule", schedules);
        if (milestones == null || milestones.length != schedules.size() - 1) {
            throw new IllegalArgumentException("SequentialSchedule: milestones must hold " + (schedules.size() - 1)
                    + " steps (one fewer than the " + schedules.size() + " schedules), got "
                    + Arrays.toString(milestones));
        }
        for (int i = 0; i < milestones.length; i++) {
            long min = i == 0 ? 1 : milestones[i - 1] + 1;
            if (milestones[i] < min) {
                throw new IllegalArgumentException("SequentialSchedule: milestones[" + i + "] must be >= " + min
                        + (i == 0 ? "" : " (greater than milestones[" + (i - 1) + "])") + ", got " + milestones[i]);
            }
        }
        this.schedules = List.copyOf(schedules);
        this.milestones = milestones.clone();
    }

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("SequentialSchedule", t);
        int i = milestones.length;
        while (i > 0 && milestones[i - 1] > t) {
            i--;
        }
        long start = i == 0 ? 0 : milestones[i - 1];
        return schedules.get(i).learningRate(base, t - start);
    }

    @Override
    public boolean perIteration() {
        return schedules.get(0).perIteration();
    }

    /**
     * The parts, in order.
     *
     * @return the parts
     */
    public List<LearningRateSchedule> schedules() {
        return schedules;
    }

    /**
     * The milestones, m_1 .. m_k.
     *
     * @return a copy of the milestones
     */
    public long[] milestones() {
        return milestones.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequentialSchedule s && schedules.equals(s.schedules)
                && Arrays.equals(milestones, s.milestones);
    }

    @Override
    public int hashCode() {
        return 31 * schedules.hashCode() + Arrays.hashCode(milestones);
    }

    @Override
    public String toString() {
        return "SequentialSchedule[schedules=" + schedules + ", milestones=" + Arrays.toString(milestones) + "]";
    }
}
