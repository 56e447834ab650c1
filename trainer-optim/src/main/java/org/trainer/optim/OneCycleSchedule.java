package org.trainer.optim;

import java.util.Objects;

import org.trainer.core.train.LearningRateSchedule;

/**
 * The one-cycle policy (Smith and Topin 2018), as torch.optim.lr_scheduler.OneCycleLR with one
 * max_lr for all groups and without momentum cycling. With peak M = maxLr, initial rate
 * I = M / divFactor, final rate F = I / finalDivFactor, n = totalSteps and p = pctStart, the cycle is
 * a chain of phases, each annealing from a start rate to an end rate between two steps:
 * <pre>
 *   two phases (threePhase false):   I -> M over [0, pn - 1],   M -> F over [pn - 1, n - 1]
 *   three phases (threePhase true):  I -> M over [0, pn - 1],   M -> I over [pn - 1, 2pn - 2],
 *                                    I -> F over [2pn - 2, n - 1]
 *   lr(t) = anneal(start, end, (t - s) / (e - s))   in the first phase [s, e] with t &lt;= e (else the last)
 *   anneal(a, b, q) = b + (a - b) * (1 + cos(pi q)) / 2     for {@link Anneal#COS}
 *   anneal(a, b, q) = a + (b - a) * q                       for {@link Anneal#LINEAR}
 * </pre>
 * Phases share their boundary step (each starts where the previous ends), as in torch. A phase of
 * no length (pn = 1 makes the first end at step 0, where torch divides by zero) yields its end rate.
 * Past the last step (t >= n) the rate stays at F, where torch raises an error.
 *
 * <p>Like torch, the rates are absolute: {@code base}, the group's initial rate, is ignored (torch
 * overwrites the group's initial rate with M / divFactor). Groups that need different peaks need
 * their own optimizers; inside a {@link ChainedSchedule} this schedule restarts the chain from its
 * own rate.
 *
 * <p>Steps per iteration by default (t counts batches and totalSteps = epochs x batches per epoch);
 * {@link #perIteration(boolean) perIteration(false)} makes t count epochs.
 *
 * @param maxLr          M, the peak rate, finite and > 0
 * @param totalSteps     n, the length of the cycle, >= 1
 * @param pctStart       p, the fraction of the cycle spent rising, in [0, 1]
 * @param anneal         the shape of each phase
 * @param divFactor      M / I, finite and > 0
 * @param finalDivFactor I / F, finite and > 0
 * @param threePhase     true to come back down to I before annealing to F (fast.ai's original form)
 * @param perIteration   true when t counts iterations, false when it counts epochs
 */
public record OneCycleSchedule(double maxLr, long totalSteps, double pctStart, Anneal anneal, double divFactor,
                               double finalDivFactor, boolean threePhase, boolean perIteration)
        implements LearningRateSchedule {

    /** The shape of each phase, torch's {@code anneal_strategy}. */
    public enum Anneal {
        /** Half a cosine from the start rate to the end rate ('cos'). */
        COS,
        /** A straight line ('linear'). */
        LINEAR
    }

    /**
     * Validates the arguments; throws IllegalArgumentException when maxLr, divFactor or finalDivFactor is not finite
     * and positive, totalSteps &lt; 1 or pctStart is outside [0, 1], and NullPointerException when anneal is null.
     *
     * @param maxLr M, the peak rate, finite and > 0
     * @param totalSteps n, the length of the cycle, >= 1
     * @param pctStart p, the fraction of the cycle spent rising, in [0, 1]
     * @param anneal the shape of each phase
     * @param divFactor M / I, finite and > 0
     * @param finalDivFactor I / F, finite and > 0
     * @param threePhase true to come back down to I before annealing to F (fast.ai's original form)
     * @param perIteration true when t counts iterations, false when it counts epochs
     */
    public OneCycleSchedule {
        ScheduleChecks.positive("OneCycleSchedule", "maxLr", maxLr);
        ScheduleChecks.atLeast("OneCycleSchedule", "totalSteps", totalSteps, 1);
        ScheduleChecks.unitInterval("OneCycleSchedule", "pctStart", pctStart);
        Objects.requireNonNull(anneal, "OneCycleSchedule: anneal must not be null");
        ScheduleChecks.positive("OneCycleSchedule", "divFactor", divFactor);
        ScheduleChecks.positive("OneCycleSchedule", "finalDivFactor", finalDivFactor);
    }

    /**
     * torch's defaults: pctStart 0.3, cosine, divFactor 25, finalDivFactor 1e4, two phases, per iteration.
     *
     * @param maxLr the peak rate
     * @param totalSteps the length of the cycle in iterations
     */
    public OneCycleSchedule(double maxLr, long totalSteps) {
        this(maxLr, totalSteps, 0.3, Anneal.COS, 25, 1e4, false, true);
    }

    /**
     * A two-phase cosine cycle per iteration.
     *
     * @param maxLr M, the peak rate
     * @param totalSteps n, the length of the cycle in iterations
     * @param pctStart the fraction of the cycle spent rising
     * @param divFactor M / I
     * @param finalDivFactor I / F
     */
    public OneCycleSchedule(double maxLr, long totalSteps, double pctStart, double divFactor, double finalDivFactor) {
        this(maxLr, totalSteps, pctStart, Anneal.COS, divFactor, finalDivFactor, false, true);
    }

    /**
     * This cycle with another phase shape.
     *
     * @param a the phase shape
     * @return the changed schedule
     */
    public OneCycleSchedule anneal(Anneal a) {
        return new OneCycleSchedule(maxLr, totalSteps, pctStart, a, divFactor, finalDivFactor, threePhase, perIteration);
    }

    /**
     * This cycle in three phases (true) or two (false).
     *
     * @param on true for three phases
     * @return the changed schedule
     */
    public OneCycleSchedule threePhase(boolean on) {
        return new OneCycleSchedule(maxLr, totalSteps, pctStart, anneal, divFactor, finalDivFactor, on, perIteration);
    }

    /**
     * This schedule, with t counting iterations (true) or epochs (false).
     *
     * @param on true when t counts iterations, false when it counts epochs
     * @return the changed schedule
     */
    public OneCycleSchedule perIteration(boolean on) {
        return new OneCycleSchedule(maxLr, totalSteps, pctStart, anneal, divFactor, finalDivFactor, threePhase, on);
    }

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("OneCycleSchedule", t);
        double initial = maxLr / divFactor;
        double last = initial / finalDivFactor;
        double step = Math.min(t, totalSteps - 1);
        double riseEnd = pctStart * totalSteps - 1;
        if (threePhase) {
            double fallEnd = 2 * pctStart * totalSteps - 2;
            if (step <= riseEnd) {
                return phase(initial, maxLr, step, 0, riseEnd);
            }
            if (step <= fallEnd) {
                return phase(maxLr, initial, step, riseEnd, fallEnd);
            }
            return phase(initial, last, step, fallEnd, totalSteps - 1);
        }
        if (step <= riseEnd) {
            return phase(initial, maxLr, step, 0, riseEnd);
        }
        return phase(maxLr, last, step, riseEnd, totalSteps - 1);
    }

    private double phase(double from, double to, double step, double start, double end) {
        double pct = end > start ? (step - start) / (end - start) : 1;
        return switch (anneal) {
            case COS -> to + (from - to) / 2.0 * (Math.cos(Math.PI * pct) + 1);
            case LINEAR -> (to - from) * pct + from;
        };
    }
}
