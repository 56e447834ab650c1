package org.trainer.core.metrics;

import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.train.checkpoint.Stateful;

/**
 * Macro-averaged precision over C classes, as scikit-learn's
 * {@code precision_score(average='macro', zero_division=0)}: precision_c = tp / (tp + fp), and 0
 * for a class that was never predicted. The average is the plain mean over the classes that occur
 * among the labels or the predictions (see {@link ConfusionMatrix} for the convention). The
 * prediction is scores [N, C] or INT32 predicted labels [N]; labels must lie in [0, C).
 */
public final class Precision implements Metric, Stateful {
    private final ConfusionMatrix counts;

    public Precision(int numClasses) {
        this.counts = new ConfusionMatrix(numClasses, "Precision");
    }

    @Override
    public String name() {
        return "precision";
    }

    @Override
    public void update(Tensor prediction, Tensor target) {
        counts.update(prediction, target);
    }

    @Override
    public double compute() {
        return counts.macroPrecision();
    }

    @Override
    public void reset() {
        counts.reset();
    }

    /** The confusion counts so far ("counts", float64 [C, C]), for a checkpoint taken mid-epoch. */
    @Override
    public Map<String, Tensor> stateDict() {
        return counts.stateDict();
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        counts.loadStateDict(state);
    }

    @Override
    public String toString() {
        return "Precision(" + counts.numClasses() + " classes, " + counts.total() + " samples)";
    }
}
