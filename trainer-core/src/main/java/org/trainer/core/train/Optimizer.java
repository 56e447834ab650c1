package org.trainer.core.train;

import java.util.List;

/**
 * Updates parameters from their gradients. Implementations (in trainer-optim) document their
 * update rule; {@link #step()} skips parameters that are frozen or have no gradient yet.
 */
public interface Optimizer {

    /** Applies one update to every trainable parameter with a gradient. */
    void step();

    /** The parameter groups, each with its own learning rate. */
    List<ParameterGroup> groups();

    /** Zeroes the gradients of every parameter this optimizer updates. */
    default void zeroGrad() {
        for (ParameterGroup g : groups()) {
            g.parameters().forEach(p -> p.zeroGrad());
        }
    }

    /** Sets every group's learning rate from its initial rate through a schedule at step t. */
    default void applySchedule(LearningRateSchedule schedule, long t) {
        for (ParameterGroup g : groups()) {
            g.setLearningRate(schedule.learningRate(g.initialLearningRate(), t));
        }
    }
}
