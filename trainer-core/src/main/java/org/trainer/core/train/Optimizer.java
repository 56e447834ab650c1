package org.trainer.core.train;

import java.util.List;
import java.util.Map;

import org.trainer.core.Tensor;

/**
 * Updates parameters from their gradients. Implementations (in trainer-optim) document their
 * update rule; {@link #step()} skips parameters that are frozen or have no gradient yet.
 */
public interface Optimizer {

    /** Applies one update to every trainable parameter with a gradient. */
    void step();

    /**
     * The parameter groups, each with its own learning rate.
     *
     * @return the groups, in order
     */
    List<ParameterGroup> groups();

    /**
     * The optimizer's state (moments, step counts, current learning rates) by name, as copies: what a
     * checkpoint saves so that a resumed run continues exactly.
     *
     * @return the state by name
     */
    Map<String, Tensor> stateDict();

    /**
     * Restores a state saved by {@link #stateDict()}; refuses a state that does not fit, changing nothing.
     *
     * @param state a state from {@link #stateDict()} of an optimizer over the same parameters
     */
    void loadStateDict(Map<String, Tensor> state);

    /** Zeroes the gradients of every parameter this optimizer updates. */
    default void zeroGrad() {
        for (ParameterGroup g : groups()) {
            g.parameters().forEach(p -> p.zeroGrad());
        }
    }

    /**
     * Sets every group's learning rate from its initial rate through a schedule at step t.
     *
     * @param schedule the schedule
     * @param t the iteration or epoch, from 0
     */
    default void applySchedule(LearningRateSchedule schedule, long t) {
        for (ParameterGroup g : groups()) {
            g.setLearningRate(schedule.learningRate(g.initialLearningRate(), t));
        }
    }
}
