package org.trainer.optim;

import java.util.Arrays;

import org.trainer.core.train.LearningRateSchedule;

/**
 * Decay at chosen milestones, as torch.optim.lr_scheduler.MultiStepLR: with m(t) the number of
 * milestones &lt;= t,
 * <pre>
 *   lr(t) = base * gamma^m(t)
 * </pre>
 * A milestone given twice counts twice (gamma^2 there), as in torch. Steps per epoch by default;
 * {@link #perIteration(boolean) perIteration(true)} makes t (and the milestones) count iterations.
 */
public final class MultiStepSchedule implements LearningRateSchedule {
    private final long[] milestones;
    private final double gamma;
    private final boolean perIteration;

    /**
     * Decays per epoch.
     *
     * @param milestones steps at which the rate is multiplied by gamma, each >= 0, in any order
     * @param gamma      finite and > 0 (usually &lt; 1)
     */
    public MultiStepSchedule(long[] milestones, double gamma) {
        this(milestones, gamma, false);
    }

    /**
     * Multiplies the rate by gamma at each milestone, counting steps (perIteration) or epochs; throws
     * IllegalArgumentException when there is no milestone, a milestone is negative or gamma is not finite and positive.
     *
     * @param milestones steps at which the rate is multiplied by gamma, each at least 0
     * @param gamma finite and positive
     * @param perIteration true when t counts iterations, false when it counts epochs
     */
    public MultiStepSchedule(long[] milestones, double gamma, boolean perIteration) {
        if (milestones == null || milestones.length == 0) {
            throw new IllegalArgumentException("MultiStepSchedule: milestones must hold at least one step, got "
                    + Arrays.toString(milestones));
        }
        for (int i = 0; i < milestones.length; i++) {
            if (milestones[i] < 0) {
                throw new IllegalArgumentException("MultiStepSchedule: milestones[" + i + "] must be >= 0, got "
                        + milestones[i]);
            }
        }
        ScheduleChecks.positive("MultiStepSchedule", "gamma", gamma);
        this.milestones = milestones.clone();
        Arrays.sort(this.milestones);
        this.gamma = gamma;
        this.perIteration = perIteration;
    }

    /**
     * This schedule, with t counting iterations (true) or epochs (false).
     *
     * @param on true when t counts iterations, false when it counts epochs
     * @return the changed schedule
     */
    public MultiStepSchedule perIteration(boolean on) {
        return new MultiStepSchedule(milestones, gamma, on);
    }

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("MultiStepSchedule", t);
        return base * Math.pow(gamma, passed(t));
    }

    /** The number of milestones <= t (bisect_right). */
    private int passed(long t) {
        int lo = 0;
        int hi = milestones.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (milestones[mid] <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public boolean perIteration() {
        return perIteration;
    }

    /**
     * The milestones, sorted.
     *
     * @return a copy of the milestones
     */
    public long[] milestones() {
        return milestones.clone();
    }

    /**
     * The factor applied at each milestone.
     *
     * @return gamma
     */
    public double gamma() {
        return gamma;
    }

    @Override
    public String toString() {
        return "MultiStepSchedule[milestones=" + Arrays.toString(milestones) + ", gamma=" + gamma + ", perIteration="
                + perIteration + "]";
    }
}
