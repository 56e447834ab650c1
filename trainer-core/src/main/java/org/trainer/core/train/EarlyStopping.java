package org.trainer.core.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.Tensor;
import org.trainer.core.train.checkpoint.StateEntries;
import org.trainer.core.train.checkpoint.Stateful;

/**
 * Stops training when a monitored figure stops improving, as Keras's {@code EarlyStopping}.
 *
 * <p>At the end of each epoch the figure v (default "val_loss") is compared with the best so far:
 * in MIN mode it improves when v &lt; best - minDelta, in MAX mode when v &gt; best + minDelta. An
 * improvement resets the wait counter; otherwise the counter grows, and training stops once it
 * reaches {@code patience} (after epoch e* + patience, e* being the best epoch). With
 * {@code restoreBestWeights}, the model's parameters and buffers at the best epoch are copied
 * aside and put back when training ends, whether it stopped early or ran all its epochs.
 * A figure missing from the epoch's logs is an error (a misspelt name would otherwise never stop).
 *
 * <p>It is {@link Stateful}, so a run resumed from a checkpoint stops and restores exactly as one
 * that never stopped: the state holds "best", "best_epoch", "wait", "stopped_epoch" (epochs 0-based,
 * -1 for none) and, once there is one, the best epoch's weights under "best_state." + their name.
 */
public final class EarlyStopping implements Callback, Stateful {
    private static final String OWNER = "EarlyStopping";
    private static final String BEST_STATE = "best_state.";
    private static final Logger LOG = LoggerFactory.getLogger(EarlyStopping.class);

    /** Whether smaller (MIN, for losses) or larger (MAX, for accuracies) is better. */
    public enum Mode {
        /** Lower is better (a loss). */
        MIN,
        /** Higher is better (an accuracy). */
        MAX
    }

    private final String monitor;
    private final Mode mode;
    private final int patience;
    private final double minDelta;
    private final boolean restoreBestWeights;

    private double best;
    private int bestEpoch;
    private int wait;
    private int stoppedEpoch;
    private Map<String, Tensor> bestState;

    /** Watches "val_loss" (MIN), patience 5, no min delta, restoring the best weights. */
    public EarlyStopping() {
        this("val_loss", Mode.MIN, 5, 0, true);
    }

    /**
     * @param monitor            the figure in the epoch logs, e.g. "val_loss" or "val_accuracy"
     * @param mode               MIN or MAX
     * @param patience           epochs without improvement before stopping, >= 1
     * @param minDelta           the least change that counts as an improvement, >= 0
     * @param restoreBestWeights put the best epoch's weights back when training ends
     */
    public EarlyStopping(String monitor, Mode mode, int patience, double minDelta, boolean restoreBestWeights) {
        if (monitor == null || monitor.isEmpty()) {
            throw new IllegalArgumentException("EarlyStopping: monitor must name a figure, got '" + monitor + "'");
        }
        if (mode == null) {
            throw new IllegalArgumentException("EarlyStopping: mode is null, expected MIN or MAX");
        }
        if (patience < 1) {
            throw new IllegalArgumentException("EarlyStopping: patience must be >= 1, got " + patience);
        }
        if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
            throw new IllegalArgumentException("EarlyStopping: minDelta must be a finite value >= 0, got " + minDelta);
        }
        this.monitor = monitor;
        this.mode = mode;
        this.patience = patience;
        this.minDelta = minDelta;
        this.restoreBestWeights = restoreBestWeights;
    }

    @Override
    public void onTrainBegin(TrainingContext ctx) {
        best = mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        bestEpoch = -1;
        wait = 0;
        stoppedEpoch = -1;
        bestState = null;
    }

    @Override
    public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
        Double v = logs.get(monitor);
        if (v == null) {
            throw new IllegalArgumentException("EarlyStopping: the epoch logs have no '" + monitor + "'; have "
                    + logs.keySet() + " (validation figures need a validation loader)");
        }
        if (improves(v)) {
            best = v;
            bestEpoch = epoch;
            wait = 0;
            if (restoreBestWeights) {
                bestState = snapshot(ctx);
            }
            return;
        }
        wait++;
        if (wait >= patience) {
            stoppedEpoch = epoch;
            ctx.requestStop();
            LOG.info("early stopping after epoch {}: {} has not improved on {} (epoch {}) for {} epochs",
                    epoch + 1, monitor, best, bestEpoch + 1, patience);
        }
    }

    private boolean improves(double v) {
        if (Double.isNaN(v)) {
            return false;
        }
        return mode == Mode.MIN ? v < best - minDelta : v > best + minDelta;
    }

    private static Map<String, Tensor> snapshot(TrainingContext ctx) {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        ctx.model().stateDict().forEach((k, t) -> copy.put(k, copyOf(t)));
        return copy;
    }

    private static Tensor copyOf(Tensor t) {
        // zeros + copyFrom rather than copy(): buffers may be int (batch norm's num_batches_tracked).
        return Tensor.zeros(t.backend(), t.dtype(), t.shape()).copyFrom(t);
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("best", StateEntries.scalar(best));
        state.put("best_epoch", StateEntries.scalar(bestEpoch));
        state.put("wait", StateEntries.scalar(wait));
        state.put("stopped_epoch", StateEntries.scalar(stoppedEpoch));
        if (bestState != null) {
            bestState.forEach((k, t) -> state.put(BEST_STATE + k, copyOf(t)));
        }
        return state;
    }

    /**
     * Restores a state from {@link #stateDict()}; a state without "best_state." entries leaves no best
     * weights to restore.
     *
     * @throws IllegalArgumentException naming the key when an entry is missing, unexpected or out of
     *                                  range; nothing is changed then
     */
    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        TreeSet<String> unexpected = new TreeSet<>();
        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(BEST_STATE) && k.length() > BEST_STATE.length()) {
                weights.put(k.substring(BEST_STATE.length()), copyOf(e.getValue()));
            } else if (!k.equals("best") && !k.equals("best_epoch") && !k.equals("wait")
                    && !k.equals("stopped_epoch")) {
                unexpected.add(k);
            }
        }
        if (!unexpected.isEmpty()) {
            throw new IllegalArgumentException(OWNER + ".loadStateDict: unexpected " + unexpected
                    + " (expected best, best_epoch, wait, stopped_epoch and " + BEST_STATE + "* entries)");
        }
        double b = StateEntries.readScalar(OWNER, state, "best");
        int be = epochOrNone(state, "best_epoch");
        long w = StateEntries.readCount(OWNER, state, "wait");
        int se = epochOrNone(state, "stopped_epoch");
        if (w > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(OWNER + ".loadStateDict: 'wait' is beyond the int range, got " + w);
        }
        if (!weights.isEmpty() && !restoreBestWeights) {
            throw new IllegalArgumentException(OWNER + ".loadStateDict: '" + BEST_STATE + weights.keySet().iterator()
                    .next() + "' holds best weights, but this EarlyStopping does not restore them");
        }
        best = b;
        bestEpoch = be;
        wait = (int) w;
        stoppedEpoch = se;
        bestState = weights.isEmpty() ? null : weights;
    }

    private static int epochOrNone(Map<String, Tensor> state, String key) {
        double v = StateEntries.readScalar(OWNER, state, key);
        if (!(v >= -1 && v == Math.rint(v) && v <= Integer.MAX_VALUE)) {
            throw new IllegalArgumentException(OWNER + ".loadStateDict: '" + key
                    + "' must be an epoch >= 0 or -1 for none, got " + v);
        }
        return (int) v;
    }

    @Override
    public void onTrainEnd(TrainingContext ctx) {
        if (restoreBestWeights && bestState != null) {
            ctx.model().loadStateDict(bestState, true);
            LOG.info("restored the weights of epoch {} ({} = {})", bestEpoch + 1, monitor, best);
        }
    }

    /**
     * The best value of the monitored figure so far (infinite before the first epoch).
     *
     * @return the best value
     */
    public double best() {
        return best;
    }

    /**
     * The 0-based epoch of the best value, or -1 before the first epoch.
     *
     * @return the epoch, or -1
     */
    public int bestEpoch() {
        return bestEpoch;
    }

    /**
     * The 0-based epoch after which training was stopped, or -1 when it ran every epoch.
     *
     * @return the epoch, or -1
     */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    /**
     * The name of the watched figure in the epoch logs (e.g. "val_loss").
     *
     * @return the figure's name
     */
    public String monitor() {
        return monitor;
    }
}
