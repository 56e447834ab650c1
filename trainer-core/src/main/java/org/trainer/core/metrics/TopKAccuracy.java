package org.trainer.core.metrics;

import org.trainer.core.Tensor;

/**
 * Fraction of samples whose label is among the k highest-scoring classes, as scikit-learn's
 * {@code top_k_accuracy_score}: sample i counts when fewer than k classes score strictly higher
 * than its label, #{c : x[i, c] &gt; x[i, y_i]} &lt; k. (A tie with the label's score is resolved
 * in the label's favour.) The prediction must be scores [N, C] with k &lt;= C.
 */
public final class TopKAccuracy extends HitRate {
    private final int k;

    /**
     * The fraction of samples whose label is among the k highest scores; throws IllegalArgumentException when k &lt; 1.
     *
     * @param k the number of highest scores that count, at least 1
     */
    public TopKAccuracy(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("TopKAccuracy: k must be >= 1, got " + k);
        }
        this.k = k;
    }

    /**
     * How many of the highest scores count as a hit.
     *
     * @return k
     */
    public int k() {
        return k;
    }

    /** "top" + k + "_accuracy", as Keras names it. */
    @Override
    public String name() {
        return "top" + k + "_accuracy";
    }

    @Override
    public void update(Tensor prediction, Tensor target) {
        float[] s = ClassLabels.scores("TopKAccuracy", prediction, 0);
        int n = prediction.size(0);
        int c = prediction.size(1);
        if (k > c) {
            throw new IllegalArgumentException("TopKAccuracy: k = " + k + " exceeds the " + c
                    + " classes of a prediction of shape [" + n + ", " + c + "] (expected k <= C)");
        }
        int[] y = ClassLabels.labels("TopKAccuracy", target, n, c);
        long hits = 0;
        for (int i = 0; i < n; i++) {
            float own = s[i * c + y[i]];
            int higher = 0;
            for (int j = 0; j < c; j++) {
                if (s[i * c + j] > own) {
                    higher++;
                }
            }
            if (higher < k) {
                hits++;
            }
        }
        count(hits, n);
    }

    @Override
    public String toString() {
        return "TopKAccuracy(k=" + k + ", " + counts() + ")";
    }
}
