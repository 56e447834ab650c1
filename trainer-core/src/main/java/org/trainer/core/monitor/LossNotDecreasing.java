package org.trainer.core.monitor;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.trainer.core.Tensor;
import org.trainer.core.train.checkpoint.StateEntries;

/**
 * The training loss has stopped going down: reports (WARNING) when the epoch's "loss" has not
 * fallen below best x (1 - {@code minDelta}) (default minDelta 1e-3, a 0.1% improvement) for
 * {@code patience} epochs in a row (default 3), once per stall. The learning rate may be too
 * small (or too large), or the model too small for the data.
 */
public final class LossNotDecreasing implements Rule {
    private final int patience;
    private final double minDelta;
    private double best = Double.NaN;
    private long since;

    /** With the defaults patience 3, minDelta 1e-3. */
    public LossNotDecreasing() {
        this(3, 1e-3);
    }

    /**
     * Reports after {@code patience} (at least 1) epochs without a relative improvement of {@code minDelta} in [0, 1).
     *
     * @param patience epochs in a row
     * @param minDelta the relative improvement that counts
     */
    public LossNotDecreasing(int patience, double minDelta) {
        StreakRule.checkPatience("LossNotDecreasing", patience);
        if (!(minDelta >= 0 && minDelta < 1)) {
            throw new IllegalArgumentException("LossNotDecreasing: minDelta must be in [0, 1), got " + minDelta);
        }
        this.patience = patience;
        this.minDelta = minDelta;
    }

    @Override
    public String name() {
        return "LossNotDecreasing";
    }

    @Override
    public List<Finding> onEpoch(EpochFigures e) {
        double loss = e.get("loss");
        if (Double.isNaN(loss)) {
            return List.of();
        }
        if (Double.isNaN(best) || loss < best - Math.abs(best) * minDelta) {
            best = loss;
            since = 0;
            return List.of();
        }
        since++;
        if (since != patience) {
            return List.of();
        }
        return List.of(new Finding(name(), Finding.Severity.WARNING, e.epoch(), e.iteration(), String.format(
                "the training loss has not improved on %.4g by %.1g%% for %d epochs (now %.4g): adjust the learning "
                        + "rate or give the model more capacity", best, 100 * minDelta, patience, loss),
                Map.of("loss", loss, "best_loss", best)));
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
