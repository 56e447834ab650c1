package org.trainer.hpo;

/** How a {@link TuningJob} chooses hyperparameters (SageMaker's strategies). */
public enum Strategy {
    /** Every combination of the grid points, in {@link GridSampler}'s order. */
    GRID,
    /** Independent seeded random draws ({@link RandomSampler}). */
    RANDOM,
    /** A Gaussian-process model of the objective proposes the next point. */
    BAYESIAN,
    /** Random draws run under Hyperband's brackets of successive halving ({@link HyperbandPruner}). */
    HYPERBAND
}
