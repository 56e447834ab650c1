package org.trainer.core.metrics;

/**
 * Macro-averaged recall over C classes, as scikit-learn's
 * {@code recall_score(average='macro', zero_division=0)}: recall_c = tp / (tp + fn), and 0 for a
 * class with no true samples. The average is the plain mean over the classes that occur among the
 * labels or the predictions (see {@link ConfusionMatrix} for the convention). The prediction is
 * scores [N, C] or INT32 predicted labels [N]; labels must lie in [0, C).
 */
public final class Recall extends MacroAveraged {

    /**
     * The macro-averaged recall over labels 0 .. numClasses - 1.
     *
     * @param numClasses the number of classes
     */
    public Recall(int numClasses) {
        super(numClasses);
    }

    @Override
    public String name() {
        return "recall";
    }

    @Override
    public double compute() {
        return counts.macroRecall();
    }
}
