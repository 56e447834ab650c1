package org.trainer.hpo;

import java.util.Map;
import java.util.Objects;

import org.trainer.core.train.Callback;
import org.trainer.core.train.TrainingContext;

/**
 * Connects a {@link org.trainer.core.train.Trainer} to a trial: after each epoch e it reports the
 * epoch's {@code metric} (e.g. "val_accuracy") at step e + 1 (epochs done), and asks the trainer to
 * stop when the study's pruner says so (the trial is then recorded PRUNED).
 */
public final class PruningCallback implements Callback {
    private final Trial trial;
    private final String metric;

    /**
     * Reports {@code metric} of each epoch to {@code trial}.
     *
     * @param trial the trial
     * @param metric the figure, e.g. "val_accuracy"
     */
    public PruningCallback(Trial trial, String metric) {
        this.trial = Objects.requireNonNull(trial, "PruningCallback: trial");
        this.metric = Objects.requireNonNull(metric, "PruningCallback: metric");
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
        Double v = logs.get(metric);
        if (v == null) {
            throw new IllegalArgumentException("PruningCallback: no metric '" + metric + "' in the epoch's logs " + logs.keySet());
        }
        trial.report(epoch + 1, v);
        if (trial.shouldPrune()) {
            ctx.requestStop();
        }
    }
}
