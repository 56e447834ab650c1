package org.trainer.optim;

import org.trainer.core.train.LearningRateSchedule;

/**
 * Cosine annealing with warm restarts (SGDR, Loshchilov and Hutter 2017), as
 * torch.optim.lr_scheduler.CosineAnnealingWarmRestarts stepped once per step: cycle i lasts
 * T_i = t0 * tMult^i steps; with T_cur the steps since the last restart,
 * <pre>
 *   lr(t) = etaMin + (base - etaMin) * (1 + cos(pi T_cur / T_i)) / 2
 * </pre>
 * so the rate jumps back to base at t = t0, t0 (1 + tMult), t0 (1 + tMult + tMult^2), ...
 * T_cur and T_i are found with integer arithmetic (no logarithm), so restarts fall exactly on their step.
 *
 * <p>Steps per epoch by default; {@link #perIteration(boolean) perIteration(true)} makes t (and the
 * cycle lengths) count iterations.
 *
 * @param t0           length of the first cycle, >= 1
 * @param tMult        growth factor of the cycle length, >= 1
 * @param etaMin       the lowest rate, finite and >= 0
 * @param perIteration true when t counts iterations, false when it counts epochs
 */
public record CosineWarmRestartsSchedule(long t0, long tMult, double etaMin, boolean perIteration)
        implements LearningRateSchedule {

    /**
     * Validates the arguments; throws IllegalArgumentException when t0 &lt; 1, tMult &lt; 1 or etaMin is negative, NaN
     * or infinite.
     *
     * @param t0 length of the first cycle, >= 1
     * @param tMult growth factor of the cycle length, >= 1
     * @param etaMin the lowest rate, finite and >= 0
     * @param perIteration true when t counts iterations, false when it counts epochs
     */
    public CosineWarmRestartsSchedule {
        ScheduleChecks.atLeast("CosineWarmRestartsSchedule", "t0", t0, 1);
        ScheduleChecks.atLeast("CosineWarmRestartsSchedule", "tMult", tMult, 1);
        ScheduleChecks.nonNegative("CosineWarmRestartsSchedule", "etaMin", etaMin);
    }

    /**
     * Restarts per epoch.
     *
     * @param t0 length of the first cycle, at least 1
     * @param tMult growth factor of the cycle length, at least 1
     * @param etaMin the lowest rate, finite and at least 0
     */
    public CosineWarmRestartsSchedule(long t0, long tMult, double etaMin) {
        this(t0, tMult, etaMin, false);
    }

    /**
     * This schedule, with t counting iterations (true) or epochs (false).
     *
     * @param on true when t counts iterations, false when it counts epochs
     * @return the changed schedule
     */
    public CosineWarmRestartsSchedule perIteration(boolean on) {
        return new CosineWarmRestartsSchedule(t0, tMult, etaMin, on);
    }

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("CosineWarmRestartsSchedule", t);
        long tCur;
        long tI;
        if (tMult == 1) {
            tCur = t % t0;
            tI = t0;
        } else {
            // Cycles grow geometrically, so this loop runs O(log t) times.
            tCur = t;
            tI = t0;
            while (tCur >= tI) {
                tCur -= tI;
                tI = tI > Long.MAX_VALUE / tMult ? Long.MAX_VALUE : tI * tMult;
            }
        }
        return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * tCur / tI)) / 2;
    }
}
