/**
 * Hyperparameter optimization over repeated training runs: a {@code Study} of {@code Trial}s over
 * a search space, samplers that propose the next point (grid, random, Bayesian with a Gaussian
 * process), pruners that stop unpromising trials early (Hyperband, median), storage that lets a
 * study survive a crash, and a tuning-job facade in SageMaker's terms.
 */
package org.trainer.hpo;
