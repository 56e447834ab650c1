package org.trainer.hpo;

import java.util.List;
import java.util.Map;

/**
 * Proposes the hyperparameters of the next trial. One contract for every strategy (grid,
 * random, Bayesian): given the space, the study's trials so far and the direction, return one
 * value per parameter of the space, each {@link Range#contains legal} for its range.
 *
 * <p>Determinism: the proposal must be a pure function of (space, trials, direction, seed); the
 * study passes a seed derived from its own seed and the new trial's number, so a study repeated
 * with the same seed proposes the same points. {@code trials} holds every trial of the study,
 * including RUNNING ones (pending points that a model-based sampler should account for) and
 * FAILED ones (to be skipped, or avoided).
 *
 * <p>Warm start: a study started from earlier studies' observations ({@link WarmStart}) passes
 * them first in {@code trials}, as COMPLETE trials numbered -k, ..., -1 (the study's own trials
 * are numbered from 0); their parameters are values of {@code space}. A model-based sampler
 * uses them as data like any COMPLETE trial; a sampler that walks a fixed sequence (a grid)
 * counts only trials numbered from 0.
 */
public interface Sampler {

    /**
     * The parameters of a new trial.
     *
     * @param space     the ranges to propose values for (not empty)
     * @param trials    the study's trials so far, in number order (not modified)
     * @param direction whether lower or higher objective values are better
     * @param seed      the seed for this proposal
     * @return a value for every parameter of {@code space}, in its declaration order
     */
    Map<String, Object> sample(SearchSpace space, List<FrozenTrial> trials, Direction direction, long seed);
}
