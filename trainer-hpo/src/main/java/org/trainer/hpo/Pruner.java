package org.trainer.hpo;

import java.util.List;

/**
 * Decides whether a running trial should stop early. Called after the trial reports an
 * intermediate value; {@code trial.intermediate()} holds every value reported so far and its last
 * key is the step just reported. {@code trials} holds the study's trials (every state), including
 * {@code trial} itself as last reported. Implementations are stateless functions of their
 * arguments, so they are safe from several threads and give the same answer on a replayed study.
 */
public interface Pruner {

    /**
     * @param trials    the study's trials, in number order
     * @param trial     the trial asking, with its intermediate values up to the current step
     * @param direction whether lower or higher values are better
     * @return true to stop the trial now
     */
    boolean prune(List<FrozenTrial> trials, FrozenTrial trial, Direction direction);

    /**
     * The pruner that never prunes (one shared instance).
     *
     * @return the pruner
     */
    static Pruner none() {
        return NoPruner.INSTANCE;
    }

    /**
     * Whether this pruner may stop trials: false only for {@link #none()}.
     *
     * @return whether trials may be stopped
     */
    default boolean prunes() {
        return true;
    }
}
