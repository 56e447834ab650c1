/**
 * Bayesian optimization with a Gaussian process: {@link org.trainer.hpo.gp.GaussianProcessSampler}
 * and its parts, the Matern 5/2 kernel, the GP posterior and its log marginal likelihood (EJML
 * for the Cholesky factor, triangular solves and log-determinant), a compact L-BFGS, a stable
 * log expected improvement, and the map between a search space and the unit cube.
 */
package org.trainer.hpo.gp;
