package org.trainer.core.train;

/**
 * A learning rate as a pure function of the step: {@code learningRate(base, t)} for a group whose
 * initial rate is {@code base}. Whether t counts iterations (batches) or epochs is the schedule's
 * {@link #perIteration()}; the trainer advances it accordingly.
 */
@FunctionalInterface
public interface LearningRateSchedule {

    /**
     * The learning rate at step t (t = 0 before the first update).
     *
     * @param base the group's initial learning rate
     * @param t the iteration or epoch, from 0
     * @return the learning rate
     */
    double learningRate(double base, long t);

    /**
     * True when t counts iterations, false when it counts epochs (the default).
     *
     * @return whether t counts iterations
     */
    default boolean perIteration() {
        return false;
    }
}
