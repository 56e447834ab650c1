package org.trainer.core.monitor;

import java.util.Map;
import java.util.List;
import java.util.Set;

import org.trainer.core.Tensor;
import org.trainer.core.train.Finding;
import org.trainer.core.train.checkpoint.StateEntries;

/**
 * The training loss has stopped going down: reports (WARNING) when the epoch's "loss" has not
 * fallen below best x (1 - {@code minDelta}) (default minDelta 1e-3, a 0.1% improvement) for
 * {@code patience} epochs in a row (default 3), once per stall, unless the best loss is already under
 * {@code converged} (default 0.1) times the first epoch's: a loss that fell tenfold and then levels
 * off has converged, and its epoch-to-epoch noise is no stall. The learning rate may be too small
 * (or too large), or the model too small for the data.
 */
public final class LossNotDecreasing implements Rule {
    private final int patience;
    private final double minDelta;
    private final double converged;
    private double best = Double.NaN;
    private double first = Double.NaN;
    private long since;

    /** With the defaults patience 3, minDelta 1e-3, converged 0.1. */
    public LossNotDecreasing() {
        this(3, 1e-3);
    }

    /** With converged 0.1. */
    public LossNotDecreasing(int patience, double minDelta) {
        this(patience, minDelta, 0.1);
    }

    public LossNotDecreasing(int patience, double minDelta, double converged) {
        StreakRule.checkPatience("LossNotDecreasing", patience);
        if (!(minDelta >= 0 && minDelta < 1)) {
            throw new IllegalArgumentException("LossNotDecreasing: minDelta must be in [0, 1), got " + minDelta);
        }
        if (!(converged >= 0 && converged < 1)) {
            throw new IllegalArgumentException("LossNotDecreasing: converged must be in [0, 1), got " + converged);
        }
        this.patience = patience;
        this.minDelta = minDelta;
        this.converged = converged;
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
        if (Double.isNaN(first)) {
            first = loss;
        }
        if (Double.isNaN(best) || loss < best - Math.abs(best) * minDelta) {
            best = loss;
            since = 0;
            return List.of();
        }
        since++;
        if (since != patience || (first > 0 && best < converged * first)) {
            return List.of();
        }
        return List.of(new Finding(name(), Finding.Severity.WARNING, e.epoch(), e.iteration(), String.format(
                "the training loss has not improved on %.4g by %.1g%% for %d epochs (now %.4g): adjust the learning "
                        + "rate or give the model more capacity", best, 100 * minDelta, patience, loss),
                Map.of("loss", loss, "best_loss", best)));
    }

    @Override
    public Map<String, Tensor> stateDict() {
        return Map.of("best", StateEntries.scalar(best), "first", StateEntries.scalar(first),
                "since", StateEntries.scalar(since));
    }

    /** Restores a state; one saved before "first" was kept (only "best" and "since") judges without it. */
    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        boolean old = !state.containsKey("first");
        StateEntries.expectKeys(name(), state, old ? Set.of("best", "since") : Set.of("best", "first", "since"));
        double b = StateEntries.readScalar(name(), state, "best");
        double f = old ? Double.NaN : StateEntries.readScalar(name(), state, "first");
        since = StateEntries.readCount(name(), state, "since");
        best = b;
        first = f;
    }
}
