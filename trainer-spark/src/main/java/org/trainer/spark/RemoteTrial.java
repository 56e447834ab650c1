package org.trainer.spark;

import java.util.Map;

/**
 * A trial as a {@link RemoteObjective} sees it inside a Spark task: the parameters the coordinator's
 * sampler chose (all declared up front), the trial's seed and number, and a channel back to the
 * coordinator for intermediate values and its pruning decisions.
 */
public interface RemoteTrial {

    /**
     * The trial's number in its study, from 0.
     *
     * @return the number
     */
    int number();

    /**
     * The trial's own seed (seed the model, data order and dropout from it).
     *
     * @return the seed
     */
    long seed();

    /**
     * Which run of this trial this is: 0 first, 1 when the executor retries it after a failed
     * task. A retried trial reports its steps again; the coordinator keeps the values of the
     * first report of each step. Spark's own retries of a task inside one job
     * ({@code spark.task.maxFailures}) keep this number; {@code TaskContext.get().attemptNumber()}
     * counts those.
     *
     * @return the attempt, from 0
     */
    int attempt();

    /**
     * The hyperparameters, by name, in the study's declared order (Double, Integer or a category).
     *
     * @return the values by name
     */
    Map<String, Object> params();

    /**
     * Sends the objective's value at {@code step} (epochs done) to the coordinator, which records
     * it and answers whether its pruner says to stop; that answer is what {@link #shouldPrune()}
     * returns until the next report. Blocks for one round trip.
     *
     * @param step the step
     * @param value the objective's value there
     * @throws java.io.UncheckedIOException if the coordinator cannot be reached (the task fails)
     */
    void report(int step, double value);

    /**
     * Whether the coordinator's pruner said to stop at the last {@link #report} (false before the
     * first report). Once true it stays true; the objective should then return or throw
     * {@link org.trainer.hpo.TrialPruned}.
     *
     * @return whether to stop
     */
    boolean shouldPrune();
}
