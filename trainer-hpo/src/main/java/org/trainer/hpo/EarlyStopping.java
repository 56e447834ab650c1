package org.trainer.hpo;

/** Whether a {@link TuningJob} stops unpromising trials early (SageMaker's TrainingJobEarlyStoppingType). */
public enum EarlyStopping {
    /** Every trial runs to the end. */
    OFF,
    /** The median stopping rule ({@link MedianPruner}); HYPERBAND uses its own brackets instead. */
    AUTO
}
