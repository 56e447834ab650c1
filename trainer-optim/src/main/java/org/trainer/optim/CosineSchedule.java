package org.trainer.optim;

import org.trainer.core.train.LearningRateSchedule;

/**
 * Cosine annealing from the initial rate down to {@code etaMin} over {@code tMax} steps, the closed
 * form of torch.optim.lr_scheduler.CosineAnnealingLR:
 * <pre>
 *   lr(t) = etaMin + (base - etaMin) * (1 + cos(pi t / tMax)) / 2
 * </pre>
 * lr(0) = base and lr(tMax) = etaMin. <b>After tMax</b> the same formula goes on, as torch's
 * scheduler does when stepped further: the rate climbs back along the cosine and reaches base again
 * at 2 tMax (a period of 2 tMax). To hold etaMin, choose tMax as the length of the run; for restarts
 * from the top use {@link CosineWarmRestartsSchedule}.
 *
 * <p>Steps per epoch by default; {@link #perIteration(boolean) perIteration(true)} makes t (and tMax)
 * count iterations.
 *
 * @param tMax         steps from base down to etaMin, >= 1
 * @param etaMin       the lowest rate, finite and >= 0
 * @param perIteration true when t counts iterations, false when it counts epochs
 */
public record CosineSchedule(long tMax, double etaMin, boolean perIteration) implements LearningRateSchedule {

    /**
     * Validates the arguments; throws IllegalArgumentException when tMax &lt; 1 or etaMin is negative, NaN or infinite.
     *
     * @param tMax steps from base down to etaMin, >= 1
     * @param etaMin the lowest rate, finite and >= 0
     * @param perIteration true when t counts iterations, false when it counts epochs
     */
    public CosineSchedule {
        ScheduleChecks.atLeast("CosineSchedule", "tMax", tMax, 1);
        ScheduleChecks.nonNegative("CosineSchedule", "etaMin", etaMin);
    }

    /**
     * Anneals to 0, per epoch.
     *
     * @param tMax epochs from base down to 0, at least 1
     */
    public CosineSchedule(long tMax) {
        this(tMax, 0, false);
    }

    /**
     * Anneals to etaMin, per epoch.
     *
     * @param tMax epochs from base down to etaMin, at least 1
     * @param etaMin the lowest rate, finite and at least 0
     */
    public CosineSchedule(long tMax, double etaMin) {
        this(tMax, etaMin, false);
    }

    /**
     * This schedule, with t counting iterations (true) or epochs (false).
     *
     * @param on true when t counts iterations, false when it counts epochs
     * @return the changed schedule
     */
    public CosineSchedule perIteration(boolean on) {
        return new CosineSchedule(tMax, etaMin, on);
    }

    @Override
    public double learningRate(double base, long t) {
        ScheduleChecks.step("CosineSchedule", t);
        return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * t / tMax)) / 2;
    }
}
