package org.trainer.core.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.trainer.core.Tensor;
import org.trainer.core.train.checkpoint.StateEntries;

/**
 * More training makes the model worse on validation data: reports (WARNING) when a validation
 * metric (default "val_accuracy", higher is better) has been worse than its best by more than
 * {@code minDelta} (default 0) for {@code patience} epochs in a row (default 3); once per decline.
 * Epochs without the metric are skipped. Keep the best epoch's weights
 * ({@link org.trainer.core.train.EarlyStopping} with restoreBestWeights) and train fewer epochs.
 */
public final class Overtraining implements Rule {
    private final String metric;
    private final boolean higherIsBetter;
    private final int patience;
    private final double minDelta;
    private double best = Double.NaN;
    private long since;

    /** On "val_accuracy" (higher is better) with patience 3 and minDelta 0. */
    public Overtraining() {
        this("val_accuracy", true, 3, 0);
    }

    /**
     * Reports after {@code patience} (at least 1) epochs with {@code metric} worse than its best by more than {@code
     * minDelta} (at least 0).
     *
     * @param metric the validation figure, e.g. "val_accuracy"
     * @param higherIsBetter whether larger values are better
     * @param patience epochs in a row
     * @param minDelta the margin below the best
     */
    public Overtraining(String metric, boolean higherIsBetter, int patience, double minDelta) {
        if (metric == null || metric.isEmpty()) {
            throw new IllegalArgumentException("Overtraining: metric must be a figure's name, got '" + metric + "'");
        }
        StreakRule.checkPatience("Overtraining", patience);
        if (!(minDelta >= 0)) {
            throw new IllegalArgumentException("Overtraining: minDelta must be >= 0, got " + minDelta);
        }
        this.metric = metric;
        this.higherIsBetter = higherIsBetter;
        this.patience = patience;
        this.minDelta = minDelta;
    }

    @Override
    public String name() {
        return "Overtraining";
    }

    @Override
    public List<Finding> onEpoch(EpochFigures e) {
        double v = e.get(metric);
        if (Double.isNaN(v)) {
            return List.of();
        }
        double gain = higherIsBetter ? v - best : best - v;
        if (Double.isNaN(best) || gain >= 0) {
            best = Double.isNaN(best) || gain > 0 ? v : best;
            since = 0;
            return List.of();
        }
        since = -gain > minDelta ? since + 1 : 0;
        if (since != patience) {
            return List.of();
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put(metric, v);
        values.put("best_" + metric, best);
        return List.of(new Finding(name(), Finding.Severity.WARNING, e.epoch(), e.iteration(), String.format(
                "%s has been worse than its best %.4g for %d epochs (now %.4g): more training is making the model "
                        + "worse; keep the best epoch's weights and train fewer epochs", metric, best, patience, v),
                values));
    }

    @Override
    public Map<String, Tensor> stateDict() {
        return Map.of("best", StateEntries.scalar(best), "since", StateEntries.scalar(since));
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        StateEntries.expectKeys(name(), state, Set.of("best", "since"));
        double b = StateEntries.readScalar(name(), state, "best");
        since = StateEntries.readCount(name(), state, "since");
        best = b;
    }
}
