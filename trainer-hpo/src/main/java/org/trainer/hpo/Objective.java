package org.trainer.hpo;

/**
 * What a study optimizes: trains with the trial's hyperparameters (asked for with
 * {@code trial.suggest...}, define-by-run, or read from {@link Trial#params()} when the study
 * declared its ranges) and returns the objective value. It may report intermediate values with
 * {@link Trial#report} and stop early when {@link Trial#shouldPrune()} says so, by throwing
 * {@link TrialPruned} (or returning: a trial told to stop is recorded PRUNED either way). Any
 * other exception, or a non-finite value, records the trial FAILED with the error; the study
 * goes on.
 */
@FunctionalInterface
public interface Objective {

    /**
     * Trains with the trial's hyperparameters and returns the objective value.
     *
     * @param trial the trial
     * @return the objective value
     * @throws Exception anything training throws: the trial is recorded FAILED (PRUNED for {@link TrialPruned})
     */
    double evaluate(Trial trial) throws Exception;
}
