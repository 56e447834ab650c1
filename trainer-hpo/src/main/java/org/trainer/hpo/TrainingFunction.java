package org.trainer.hpo;

import java.util.Map;

/**
 * A training job as a {@link TuningJob} runs it: train with the trial's hyperparameters
 * ({@link Trial#params()}, or {@code trial.suggest...}) and seed ({@link Trial#seed()}), and
 * return the final metrics by name; the job reads its objective metric from them. Report
 * per-epoch values for early stopping with a {@link PruningCallback} (or {@link Trial#report}).
 */
@FunctionalInterface
public interface TrainingFunction {

    /**
     * Trains with the trial's hyperparameters and returns the final metrics by name.
     *
     * @param trial the trial
     * @return the final metrics by name
     * @throws Exception anything training throws: the trial is recorded FAILED (PRUNED for {@link TrialPruned})
     */
    Map<String, Double> train(Trial trial) throws Exception;
}
