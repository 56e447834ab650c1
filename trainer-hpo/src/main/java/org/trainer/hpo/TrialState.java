package org.trainer.hpo;

/** Where a trial stands. Only COMPLETE trials carry an objective value that samplers model. */
public enum TrialState {
    /** Proposed and being evaluated: a pending point for samplers that account for them. */
    RUNNING,
    /** Finished with an objective value. */
    COMPLETE,
    /** Stopped early by a pruner; its intermediate values are kept. */
    PRUNED,
    /** The objective threw or returned a non-finite value; the error is kept. */
    FAILED
}
