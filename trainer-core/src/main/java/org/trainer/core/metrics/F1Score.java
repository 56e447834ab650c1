package org.trainer.core.metrics;

import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.train.checkpoint.Stateful;

/**
 * Macro-averaged F1 over C classes, as scikit-learn's
 * {@code f1_score(average='macro', zero_division=0)}: F1_c = 2 tp / (2 tp + fp + fn), 0 when that
 * denominator is 0, averaged as the plain mean of the per-class F1 (not the F1 of the macro
 * precision and recall) over the classes that occur among the labels or the predictions (see
 * {@link ConfusionMatrix} for the convention). The prediction is scores [N, C] or INT32 predicted
 * labels [N]; labels must lie in [0, C).
 */
public final class F1Score implements Metric, Stateful {
    private final ConfusionMatrix counts;

    public F1Score(int numClasses) {
        this.counts = new ConfusionMatrix(numClasses, "F1Score");
    }

    @Override
    public String name() {
        return "f1";
    }

    @Override
    public void update(Tensor prediction, Tensor target) {
        counts.update(prediction, target);
    }

    @Override
    public double compute() {
        return counts.macroF1();
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
        return "F1Score(" + counts.numClasses() + " classes, " + counts.total() + " samples)";
    }
}
