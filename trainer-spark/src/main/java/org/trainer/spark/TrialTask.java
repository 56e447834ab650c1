package org.trainer.spark;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.spark.api.java.function.Function;
import org.trainer.hpo.TrialPruned;

/**
 * The body of one trial's Spark task: runs the objective on the trial's parameters with a
 * {@link TaskTrial} that reports to the coordinator, and returns its value, or that it was pruned.
 * An exception of the objective fails the task (and so the Spark job), which the driver retries.
 */
final class TrialTask implements Function<Integer, TaskOutcome> {
    private static final long serialVersionUID = 1L;

    private final RemoteObjective objective;
    private final String endpoint;
    private final TrialTokens.Ticket ticket;
    private final long seed;
    private final int attempt;
    private final LinkedHashMap<String, Object> params;

    TrialTask(RemoteObjective objective, String endpoint, TrialTokens.Ticket ticket, long seed, int attempt,
              Map<String, Object> params) {
        this.objective = objective;
        this.endpoint = endpoint;
        this.ticket = ticket;
        this.seed = seed;
        this.attempt = attempt;
        this.params = new LinkedHashMap<>(params);
    }

    @Override
    public TaskOutcome call(Integer ignored) throws Exception {
        TaskTrial trial = new TaskTrial(endpoint, ticket.resolve(), ticket.number(), seed, attempt, params);
        double value;
        try {
            value = objective.evaluate(trial);
        } catch (TrialPruned e) {
            return new TaskOutcome(Double.NaN, true, trial.lastStep());
        }
        return trial.shouldPrune() ? new TaskOutcome(Double.NaN, true, trial.lastStep())
                : new TaskOutcome(value, false, trial.lastStep());
    }
}
