package org.trainer.core.monitor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.trainer.core.Tensor;
import org.trainer.core.train.Finding;
import org.trainer.core.train.checkpoint.StateEntries;

/**
 * The model learns the training set at the expense of new data: the validation loss rises while
 * the training loss falls. Reports (WARNING), once per rise, when for {@code patience} epochs in a
 * row (default 3)
 * <ul>
 *   <li>"val_loss" is above its best by more than the fraction {@code minRise} of it (default 0.05:
 *       a healthy run's validation loss wanders by a percent or two around its best), and</li>
 *   <li>"loss" is below what it was at that best epoch, and</li>
 *   <li>the model fits its training data better than new data: "accuracy" above "val_accuracy" by
 *       more than {@code minGap} (default 0.05) where both are logged; else "loss" below half the
 *       first epoch's. A model at chance accuracy (nothing learned) does no better on its training
 *       data than on new data, so it is never reported.</li>
 * </ul>
 * Epochs without "val_loss" are skipped. Regularize, add data or stop earlier
 * ({@link org.trainer.core.train.EarlyStopping}).
 */
public final class Overfit implements Rule {
    private final int patience;
    private final double minRise;
    private final double minGap;
    private double bestVal = Double.NaN;
    private double lossAtBest = Double.NaN;
    private double firstLoss = Double.NaN;
    private long since;

    /** With the defaults patience 3, minRise 0.05, minGap 0.05. */
    public Overfit() {
        this(3, 0.05, 0.05);
    }

    /**
     * Reports after {@code patience} (at least 1) epochs with "val_loss" more than the fraction
     * {@code minRise} above its best, while training accuracy leads validation accuracy by at least
     * {@code minGap} (without accuracies: while the training loss has at least halved).
     *
     * @param patience epochs in a row
     * @param minRise  the relative rise above the best validation loss that counts
     * @param minGap   the lead of training over validation accuracy that counts
     */
    public Overfit(int patience, double minRise, double minGap) {
        StreakRule.checkPatience("Overfit", patience);
        if (!(minRise >= 0) || Double.isInfinite(minRise)) {
            throw new IllegalArgumentException("Overfit: minRise must be a fraction >= 0, got " + minRise);
        }
        if (!(minGap >= 0 && minGap < 1)) {
            throw new IllegalArgumentException("Overfit: minGap must be in [0, 1), got " + minGap);
        }
        this.patience = patience;
        this.minRise = minRise;
        this.minGap = minGap;
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
        if (Double.isNaN(firstLoss)) {
            firstLoss = loss;
        }
        if (Double.isNaN(bestVal) || val <= bestVal) {
            bestVal = val;
            lossAtBest = loss;
            since = 0;
            return List.of();
        }
        boolean rising = val > bestVal + minRise * Math.abs(bestVal) && loss < lossAtBest;
        since = rising && fitsTrainingBetter(e, loss) ? since + 1 : 0;
        if (since != patience) {
            return List.of();
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("val_loss", val);
        values.put("best_val_loss", bestVal);
        values.put("loss", loss);
        values.put("loss_at_best", lossAtBest);
        return List.of(new Finding(name(), Finding.Severity.WARNING, e.epoch(), e.iteration(), String.format(
                "the validation loss has stayed over %.0f%% above its best %.4g for %d epochs (now %.4g) while the "
                        + "training loss fell from %.4g to %.4g: the model is overfitting; regularize, add data or "
                        + "stop earlier", 100 * minRise, bestVal, patience, val, lossAtBest, loss), values));
    }

    /** Whether the model does clearly better on its training data than on new data (not at chance). */
    private boolean fitsTrainingBetter(EpochFigures e, double loss) {
        double acc = e.get("accuracy");
        double valAcc = e.get("val_accuracy");
        if (!Double.isNaN(acc) && !Double.isNaN(valAcc)) {
            return acc - valAcc > minGap;
        }
        return loss < 0.5 * firstLoss;
    }

    @Override
    public Map<String, Tensor> stateDict() {
        return Map.of("best_val", StateEntries.scalar(bestVal), "loss_at_best", StateEntries.scalar(lossAtBest),
                "first_loss", StateEntries.scalar(firstLoss), "since", StateEntries.scalar(since));
    }

    /** Restores a state; one saved before "first_loss" was kept restarts that figure from the next epoch. */
    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        boolean old = !state.containsKey("first_loss");
        StateEntries.expectKeys(name(), state, old ? Set.of("best_val", "loss_at_best", "since")
                : Set.of("best_val", "loss_at_best", "first_loss", "since"));
        double b = StateEntries.readScalar(name(), state, "best_val");
        double l = StateEntries.readScalar(name(), state, "loss_at_best");
        double f = old ? Double.NaN : StateEntries.readScalar(name(), state, "first_loss");
        since = StateEntries.readCount(name(), state, "since");
        bestVal = b;
        lossAtBest = l;
        firstLoss = f;
    }
}
