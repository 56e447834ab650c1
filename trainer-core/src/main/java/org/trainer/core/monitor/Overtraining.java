package org.trainer.core.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.trainer.core.Tensor;
import org.trainer.core.train.Finding;
import org.trainer.core.train.checkpoint.StateEntries;

/**
 * More training makes the model worse on validation data: reports (WARNING), once per decline, when
 * a validation metric (default "val_accuracy", higher is better) has been worse than its best by more
 * than the fraction {@code minDelta} of it (default 0.02: 0.975 to under 0.9555 for accuracy; a
 * healthy run's validation accuracy wanders by a sample or two in a few hundred) for
 * {@code patience} epochs in a row (default 3), while the model fits its training data better than
 * new data: the same figure without "val_" (e.g. "accuracy"), where logged, better than the
 * validation one by more than that fraction too, and at least as good as the validation's best. A
 * model at chance (nothing learned) is no better on its training data than its validation figure
 * ever was, so it is never reported. Epochs without the metric are skipped. Keep the best epoch's
 * weights ({@link org.trainer.core.train.EarlyStopping} with restoreBestWeights) and train fewer
 * epochs. For a validation set of under about 200 samples raise minDelta: one sample is already
 * half a percent.
 */
public final class Overtraining implements Rule {
    private final String metric;
    private final String training;
    private final boolean higherIsBetter;
    private final int patience;
    private final double minDelta;
    private double best = Double.NaN;
    private long since;

    /** On "val_accuracy" (higher is better) with patience 3 and minDelta 0.02. */
    public Overtraining() {
        this("val_accuracy", true, 3, 0.02);
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
        if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
            throw new IllegalArgumentException("Overtraining: minDelta must be a fraction >= 0, got " + minDelta);
        }
        this.metric = metric;
        this.training = metric.startsWith("val_") ? metric.substring("val_".length()) : null;
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
        double margin = minDelta * Math.abs(best);
        since = -gain > margin && fitsTrainingBetter(e, v, margin) ? since + 1 : 0;
        if (since != patience) {
            return List.of();
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put(metric, v);
        values.put("best_" + metric, best);
        return List.of(new Finding(name(), Finding.Severity.WARNING, e.epoch(), e.iteration(), String.format(
                "%s has been over %.0f%% worse than its best %.4g for %d epochs (now %.4g): more training is making "
                        + "the model worse; keep the best epoch's weights and train fewer epochs", metric,
                100 * minDelta, best, patience, v), values));
    }

    /**
     * Whether the training figure, where logged, is better than the validation one {@code v} by over
     * {@code margin} and at least as good as the validation's best.
     */
    private boolean fitsTrainingBetter(EpochFigures e, double v, double margin) {
        double t = training == null ? Double.NaN : e.get(training);
        if (Double.isNaN(t)) {
            return true;
        }
        double overNow = higherIsBetter ? t - v : v - t;
        double overBest = higherIsBetter ? t - best : best - t;
        return overNow > margin && overBest >= 0;
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
