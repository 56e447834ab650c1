package org.trainer.hpo.gp;

/** What the sampler learns from FAILED trials (the objective threw or returned a non-finite value). */
public enum FailedTrialPolicy {
    /** Failed trials are left out of the model; the default (a failure may have nothing to do with the point). */
    SKIP,
    /**
     * Each failed trial's point is added with the worst loss observed among the COMPLETE trials,
     * steering proposals away from regions where training fails (a learning rate that diverges).
     */
    IMPUTE_WORST
}
