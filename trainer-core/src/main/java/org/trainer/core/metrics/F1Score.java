package org.trainer.core.metrics;

/**
 * Macro-averaged F1 over C classes, as scikit-learn's
 * {@code f1_score(average='macro', zero_division=0)}: F1_c = 2 tp / (2 tp + fp + fn), 0 when that
 * denominator is 0, averaged as the plain mean of the per-class F1 (not the F1 of the macro
 * precision and recall) over the classes that occur among the labels or the predictions (see
 * {@link ConfusionMatrix} for the convention). The prediction is scores [N, C] or INT32 predicted
 * labels [N]; labels must lie in [0, C).
 */
public final class F1Score extends MacroAveraged {

    /**
     * The macro-averaged F1 score over labels 0 .. numClasses - 1.
     *
     * @param numClasses the number of classes
     */
    public F1Score(int numClasses) {
        super(numClasses);
    }

    @Override
    public String name() {
        return "f1";
    }

    @Override
    public double compute() {
        return counts.macroF1();
    }
}
