package org.trainer.optim;

import java.util.Objects;

import org.trainer.core.train.LearningRateSchedule;

/**
 * Cyclical learning rates (Smith 2017), as torch.optim.lr_scheduler.CyclicLR with one base_lr and
 * one max_lr for all groups and without momentum cycling. With u = stepSizeUp, d = stepSizeDown,
 * T = u + d and r = u / T:
 * <pre>
 *   cycle(t) = floor(1 + t / T)
 *   x(t)     = 1 + t / T - cycle(t)                         (the position in the cycle, in [0, 1))
 *   h(t)     = x / r              if x &lt;= r                 (rising)
 *            = (x - 1) / (r - 1)  otherwise                  (falling)
 *   lr(t)    = baseLr + (maxLr - baseLr) * h(t) * scale(t)
 * </pre>
 * where scale is 1 for {@link Mode#TRIANGULAR}, 1 / 2^(cycle - 1) for {@link Mode#TRIANGULAR2}
 * (the amplitude halves every cycle) and gamma^t for {@link Mode#EXP_RANGE}.
 *
 * <p>Like torch, the rates are absolute: {@code base}, the group's initial rate, is ignored (torch
 * overwrites the optimizer's rate with base_lr). Inside a {@link ChainedSchedule} this schedule
 * therefore restarts the chain from its own rate.
 *
 * <p>Steps per iteration by default (t counts batches); {@link #perIteration(boolean)
 * perIteration(false)} makes t count epochs.
 *
 * @param baseLr       the lowest rate, finite and >= 0
 * @param maxLr        the peak of the first cycle, finite and >= baseLr
 * @param stepSizeUp   u, the steps from baseLr up to the peak, >= 1
 * @param stepSizeDown d, the steps from the peak back down, >= 0
 * @param mode         how the amplitude changes from cycle to cycle
 * @param gamma        the factor per step of {@link Mode#EXP_RANGE}, finite and > 0 (unused otherwise)
 * @param perIteration true when t counts iterations, false when it counts epochs
 */
public record CyclicSchedule(double baseLr, double maxLr, long stepSizeUp, long stepSizeDown, Mode mode, double gamma,
                             boolean perIteration) implements LearningRateSchedule {

    /** How the amplitude of a cycle changes, torch's {@code mode}. */
    public enum Mode {
        /** The same amplitude every cycle. */
        TRIANGULAR,
        /** The amplitude halves each cycle. */
        TRIANGULAR2,
        /** The amplitude is scaled by gamma^t. */
        EXP_RANGE
    }

    /**
     * Validates the arguments; throws IllegalArgumentException when baseLr is negative or not finite, maxLr is below
     * baseLr or infinite, stepSizeUp &lt; 1, stepSizeDown &lt; 0 or gamma is not finite and positive, and
     * NullPointerException when mode is null.
     *
     * @param baseLr the lowest rate, finite and >= 0
     * @param maxLr the peak of the first cycle, finite and >= baseLr
     * @param stepSizeUp u, the steps from baseLr up to the peak, >= 1
     * @param stepSizeDown d, the steps from the peak back down, >= 0
     * @param mode how the amplitude changes from cycle to cycle
     * @param gamma the factor per step of {@link Mode#EXP_RANGE}, finite and > 0 (unused otherwise)
     * @param perIteration true when t counts iterations, false when it counts epochs
     */
    public CyclicSchedule {
        ScheduleChecks.nonNegative("CyclicSchedule", "baseLr", baseLr);
        if (!(maxLr >= baseLr) || Double.isInfinite(maxLr)) {
            throw new IllegalArgumentException("CyclicSchedule: maxLr must be a finite value >= baseLr (" + baseLr
                    + "), got " + maxLr);
        }
        ScheduleChecks.atLeast("CyclicSchedule", "stepSizeUp", stepSizeUp, 1);
        ScheduleChecks.atLeast("CyclicSchedule", "stepSizeDown", stepSizeDown, 0);
        Objects.requireNonNull(mode, "CyclicSchedule: mode must not be null");
        ScheduleChecks.positive("CyclicSchedule", "gamma", gamma);
    }

    /**
     * A triangular cycle, up and down in stepSize steps each, per iteration (torch's defaults otherwise).
     *
     * @param baseLr the lowest rate
     * @param maxLr the peak rate
     * @param stepSize the steps up, and the steps down
     */
    public CyclicSchedule(double baseLr, double maxLr, long stepSize) {
        this(baseLr, maxLr, stepSize, stepSize, Mode.TRIANGULAR, 1.0, true);
    }

    /**
     * This schedule with another mode.
     *
     * @param m the mode
     * @return the changed schedule
     */
    public CyclicSchedule mode(Mode m) {
        return new CyclicSchedule(baseLr, maxLr, stepSizeUp, stepSizeDown, m, gamma, perIteration);
    }

    /**
     * This schedule in {@link Mode#EXP_RANGE} with the given gamma.
     *
     * @param g the factor per step, finite and positive
     * @return the changed schedule
     */
    public CyclicSchedule expRange(double g) {
        return new CyclicSchedule(baseLr, maxLr, stepSizeUp, stepSizeDown, Mode.EXP_RANGE, g, perIteration);
    }

    /**
     * This schedule, with t counting iterations (true) or epochs (false).
     *
     * @param on true when t counts iterations, false when it counts epochs
     * @return the changed schedule
     */
    public CyclicSchedule perIteration(boolean on) {
        return new CyclicSchedule(baseLr, maxLr, stepSizeUp, stepSizeDown, mode, gamma, on);
    }

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("CyclicSchedule", t);
        // The same floating-point steps as torch, so that the cycle boundaries fall on the same steps.
        double total = (double) stepSizeUp + (double) stepSizeDown;
        double ratio = stepSizeUp / total;
        double cycle = Math.floor(1 + t / total);
        double x = 1.0 + t / total - cycle;
        double height = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
        double scale = switch (mode) {
            case TRIANGULAR -> 1.0;
            case TRIANGULAR2 -> 1 / Math.pow(2.0, cycle - 1);
            case EXP_RANGE -> Math.pow(gamma, t);
        };
        return baseLr + (maxLr - baseLr) * height * scale;
    }
}
