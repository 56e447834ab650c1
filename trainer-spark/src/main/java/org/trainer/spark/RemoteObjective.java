package org.trainer.spark;

import java.io.Serializable;

import org.trainer.hpo.Objective;
import org.trainer.hpo.TrialPruned;

/**
 * What a {@link SparkTrialExecutor} runs in each Spark task: trains with the trial's parameters
 * ({@link RemoteTrial#params()}) and seed, and returns the objective value. It is Java-serialized
 * into the task, so it must capture only serializable values (paths as strings, numbers): a lambda
 * in a static method that does so qualifies; an anonymous class inside an instance method drags its
 * enclosing object along.
 *
 * <p>It may report intermediate values with {@link RemoteTrial#report} and stop when
 * {@link RemoteTrial#shouldPrune()} turns true, by throwing {@link TrialPruned} or by returning: the
 * trial is recorded PRUNED either way. Any other exception fails the task (the executor retries the
 * trial, then records it FAILED with the error).
 */
@FunctionalInterface
public interface RemoteObjective extends Serializable {

    /**
     * Trains with the trial's hyperparameters on an executor and returns the objective value.
     *
     * @param trial the trial
     * @return the objective value
     * @throws Exception anything training throws: the task fails and the trial is retried or recorded FAILED
     */
    double evaluate(RemoteTrial trial) throws Exception;

    /**
     * This objective as an in-process {@link Objective}: its trials run on the caller's threads (e.g.
     * a {@link org.trainer.hpo.ThreadPoolTrialExecutor}) and see the live trial through a
     * {@link RemoteTrial} whose {@link RemoteTrial#attempt()} is 0. Handy to debug a remote objective
     * without Spark, or to compare the two executors.
     *
     * @return the in-process objective
     */
    default Objective toObjective() {
        RemoteObjective self = this;
        return trial -> self.evaluate(new LocalTrial(trial));
    }
}
