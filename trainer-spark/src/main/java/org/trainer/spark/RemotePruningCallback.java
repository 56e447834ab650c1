package org.trainer.spark;

import java.util.Map;
import java.util.Objects;

import org.trainer.core.train.Callback;
import org.trainer.core.train.TrainingContext;

/**
 * Connects a {@link org.trainer.core.train.Trainer} inside a Spark task to its trial's coordinator,
 * as {@link org.trainer.hpo.PruningCallback} does in-process: after each epoch e it reports the
 * epoch's {@code metric} (e.g. "val_accuracy") at step e + 1 (epochs done), and asks the trainer to
 * stop when the coordinator's pruner says so (the trial is then recorded PRUNED).
 */
public final class RemotePruningCallback implements Callback {
    private final RemoteTrial trial;
    private final String metric;

    /**
     * Reports {@code metric} of each epoch to {@code trial}.
     *
     * @param trial the trial
     * @param metric the figure, e.g. "val_accuracy"
     */
    public RemotePruningCallback(RemoteTrial trial, String metric) {
        this.trial = Objects.requireNonNull(trial, "RemotePruningCallback: trial");
        this.metric = Objects.requireNonNull(metric, "RemotePruningCallback: metric");
    }

    /** Reports the epoch's metric; requests a stop on the training context when told to prune. */
    @Override
    public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
        Double v = logs.get(metric);
        if (v == null) {
            throw new IllegalArgumentException("RemotePruningCallback: no metric '" + metric + "' in the epoch's logs "
                    + logs.keySet());
        }
        trial.report(epoch + 1, v);
        if (trial.shouldPrune()) {
            ctx.requestStop();
        }
    }
}
