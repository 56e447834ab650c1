package org.trainer.hpo;

/**
 * Whether a {@link TuningJob} stops unpromising trials early (SageMaker's
 * TrainingJobEarlyStoppingType). Not to be confused with the training callback
 * {@link org.trainer.core.train.EarlyStopping}, which stops one training run.
 */
public enum EarlyStoppingType {
    /** Every trial runs to the end. */
    OFF,
    /** The median stopping rule ({@link MedianPruner}); HYPERBAND uses its own brackets instead. */
    AUTO
}
