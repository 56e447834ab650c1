package org.trainer.core.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.trainer.core.Tensor;
import org.trainer.core.train.checkpoint.StateEntries;

/**
 * The model learns the training set at the expense of new data: the validation loss rises while
 * the training loss falls. Reports (WARNING) when "val_loss" has stayed above its best by more
 * than {@code minDelta} (absolute, default 0) for {@code patience} epochs in a row (default 3)
 * while "loss" is below what it was at that best epoch; once per rise. Epochs without "val_loss"
 * are skipped. Regularize, add data or stop earlier ({@link org.trainer.core.train.EarlyStopping}).
 */
public final class Overfit implements Rule {
    private final int patience;
    private final double minDelta;
    private double bestVal = Double.NaN;
    private double lossAtBest = Double.NaN;
    private long since;

    /** With the defaults patience 3, minDelta 0. */
    public Overfit() {
        this(3, 0);
    }

    /**
     * Reports after {@code patience} (at least 1) epochs with "val_loss" more than {@code minDelta} (at least 0) above
     * its best.
     *
     * @param patience epochs in a row
     * @param minDelta the margin above the best
     */
    public Overfit(int patience, double minDelta) {
        StreakRule.checkPatience("Overfit", patience);
        if (!(minDelta >= 0)) {
            throw new IllegalArgumentException("Overfit: minDelta must be >= 0, got " + minDelta);
        }
        this.patience = patience;
        this.minDelta = minDelta;
    }

    @Override
    public String name() {
        return "Overfit";
    }

    @Override
    public List<Finding> onEpoch(EpochFigures e) {
        double val = e.get("val_loss");
        double loss = e.get("loss");
        if (Double.isNaN(val) || Double.isNaN(loss)) {
            return List.of();
        }
        if (Double.isNaN(bestVal) || val <= bestVal) {
            bestVal = val;
            lossAtBest = loss;
            since = 0;
            return List.of();
        }
        since = val > bestVal + minDelta && loss < lossAtBest ? since + 1 : 0;
        if (since != patience) {
            return List.of();
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("val_loss", val);
        values.put("best_val_loss", bestVal);
        values.put("loss", loss);
        values.put("loss_at_best", lossAtBest);
        return List.of(new Finding(name(), Finding.Severity.WARNING, e.epoch(), e.iteration(), String.format(
                "the validation loss has risen from %.4g to %.4g over %d epochs while the training loss fell from "
                        + "%.4g to %.4g: the model is overfitting; regularize, add data or stop earlier",
                bestVal, val, patience, lossAtBest, loss), values));
    }

    @Override
    public Map<String, Tensor> stateDict() {
        return Map.of("best_val", StateEntries.scalar(bestVal), "loss_at_best", StateEntries.scalar(lossAtBest),
                "since", StateEntries.scalar(since));
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        StateEntries.expectKeys(name(), state, Set.of("best_val", "loss_at_best", "since"));
        double b = StateEntries.readScalar(name(), state, "best_val");
        double l = StateEntries.readScalar(name(), state, "loss_at_best");
        since = StateEntries.readCount(name(), state, "since");
        bestVal = b;
        lossAtBest = l;
    }
}
