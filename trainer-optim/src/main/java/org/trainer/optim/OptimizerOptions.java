package org.trainer.optim;

/**
 * The hyperparameters of one parameter group of an optimizer, as an entry of PyTorch's
 * {@code param_groups} holds them: immutable, each changed by a named {@code withX(...)} that
 * returns a copy and checks the new value at once. Every optimizer has a learning rate and a weight
 * decay; the rest is the optimizer's own (momentum, betas, eps, ...).
 *
 * @param <O> the implementing type, which each {@code withX} returns
 */
public interface OptimizerOptions<O extends OptimizerOptions<O>> {

    /** The group's initial learning rate; schedules scale from it, and change the group's current rate. */
    double lr();

    /** The group's weight decay (added to the gradient or decoupled, as the optimizer's rule says). */
    double weightDecay();

    /**
     * True when the group ascends its objective instead of descending it (PyTorch's maximize): the
     * gradient is negated before the update. False unless the options say otherwise.
     */
    default boolean maximize() {
        return false;
    }

    /** These options with another initial learning rate, a finite value >= 0. */
    O withLr(double lr);

    /** These options with another weight decay, a finite value >= 0. */
    O withWeightDecay(double weightDecay);
}
