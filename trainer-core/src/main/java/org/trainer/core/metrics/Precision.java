package org.trainer.core.metrics;

/**
 * Macro-averaged precision over C classes, as scikit-learn's
 * {@code precision_score(average='macro', zero_division=0)}: precision_c = tp / (tp + fp), and 0
 * for a class that was never predicted. The average is the plain mean over the classes that occur
 * among the labels or the predictions (see {@link ConfusionMatrix} for the convention). The
 * prediction is scores [N, C] or INT32 predicted labels [N]; labels must lie in [0, C).
 */
public final class Precision extends MacroAveraged {

    /**
     * The macro-averaged precision over labels 0 .. numClasses - 1.
     *
     * @param numClasses the number of classes
     */
    public Precision(int numClasses) {
        super(numClasses);
    }

    @Override
    public String name() {
        return "precision";
    }

    @Override
    public double compute() {
        return counts.macroPrecision();
    }
}
