package org.trainer.core.metrics;

import java.util.Map;
import java.util.Set;

import org.trainer.core.Tensor;
import org.trainer.core.train.checkpoint.StateEntries;
import org.trainer.core.train.checkpoint.Stateful;

/**
 * Fraction of samples whose predicted class equals the label: (1/N) sum_i [argmax_c x[i, c] == y_i].
 * The prediction is scores [N, C] or INT32 predicted labels [N]; labels must lie in [0, C).
 */
public final class Accuracy implements Metric, Stateful {
    private long correct;
    private long total;

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
        for (int i = 0; i < p.length; i++) {
            if (p[i] == y[i]) {
                correct++;
            }
        }
        total += p.length;
    }

    @Override
    public double compute() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    @Override
    public void reset() {
        correct = 0;
        total = 0;
    }

    /** The counts so far: "correct" and "total" (float64 scalars), for a checkpoint taken mid-epoch. */
    @Override
    public Map<String, Tensor> stateDict() {
        return Map.of("correct", StateEntries.scalar(correct), "total", StateEntries.scalar(total));
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        StateEntries.expectKeys("Accuracy", state, Set.of("correct", "total"));
        long c = StateEntries.readCount("Accuracy", state, "correct");
        long t = StateEntries.readCount("Accuracy", state, "total");
        if (c > t) {
            throw new IllegalArgumentException("Accuracy.loadStateDict: correct (" + c + ") exceeds total (" + t + ")");
        }
        correct = c;
        total = t;
    }

    @Override
    public String toString() {
        return "Accuracy(" + correct + "/" + total + ")";
    }
}
