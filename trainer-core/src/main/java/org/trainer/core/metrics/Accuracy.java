package org.trainer.core.metrics;

import org.trainer.core.Tensor;

/**
 * Fraction of samples whose predicted class equals the label: (1/N) sum_i [argmax_c x[i, c] == y_i].
 * The prediction is scores [N, C] or INT32 predicted labels [N]; labels must lie in [0, C).
 */
public final class Accuracy extends HitRate {

    @Override
    public String name() {
        return "accuracy";
    }

    @Override
    public void update(Tensor prediction, Tensor target) {
        boolean scores = prediction != null && prediction.dtype().isFloating() && prediction.rank() == 2;
        int c = scores ? prediction.size(1) : 0;
        int[] p = ClassLabels.predicted("Accuracy", prediction, 0);
        int[] y = ClassLabels.labels("Accuracy", target, p.length, c);
        long hits = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == y[i]) {
                hits++;
            }
        }
        count(hits, p.length);
    }

    @Override
    public String toString() {
        return "Accuracy(" + counts() + ")";
    }
}
