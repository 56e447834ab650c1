package org.trainer.hpo.gp;

/**
 * What the sampler maximizes over the GP posterior N(mu, sigma^2) of the (standardized) loss at a
 * candidate, with f* the best loss observed so far.
 */
public enum Acquisition {
    /**
     * log EI(x) = log E[max(f* - f(x), 0)] = log h((f* - mu) / sigma) + log sigma, computed stably
     * ({@link LogEi}); the default. Where plain EI underflows to zero and gives a flat surface,
     * its log keeps a useful gradient.
     */
    LOG_EI,
    /**
     * The upper confidence bound on the improvement, -mu + sqrt(beta) sigma (the lower confidence
     * bound of the loss, negated); larger beta explores more.
     */
    UCB
}
