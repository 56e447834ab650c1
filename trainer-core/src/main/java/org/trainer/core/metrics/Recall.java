package org.trainer.core.metrics;

import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.train.checkpoint.Stateful;

/**
 * Macro-averaged recall over C classes, as scikit-learn's
 * {@code recall_score(average='macro', zero_division=0)}: recall_c = tp / (tp + fn), and 0 for a
 * class with no true samples. The average is the plain mean over the classes that occur among the
 * labels or the predictions (see {@link ConfusionMatrix} for the convention). The prediction is
 * scores [N, C] or INT32 predicted labels [N]; labels must lie in [0, C).
 */
public final class Recall implements Metric, Stateful {
    private final ConfusionMatrix counts;

    public Recall(int numClasses) {
        this.counts = new ConfusionMatrix(numClasses, "Recall");
    }

    @Override
    public String name() {
        return "recall";
    }

    @Override
    public void update(Tensor prediction, Tensor target) {
        counts.update(prediction, target);
    }

    @Override
    public double compute() {
        return counts.macroRecall();
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
        return "Recall(" + counts.numClasses() + " classes, " + counts.total() + " samples)";
    }
}
