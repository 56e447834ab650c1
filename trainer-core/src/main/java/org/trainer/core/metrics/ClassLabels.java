package org.trainer.core.metrics;

import org.trainer.core.DType;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/** Reads the class predictions and labels of a batch back to the host, refusing malformed input. */
final class ClassLabels {
    private ClassLabels() {
    }

    /** Refuses a non-positive class count given to a metric's constructor. */
    static int checkClassCount(String metric, int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException(metric + ": numClasses must be >= 1, got " + numClasses);
        }
        return numClasses;
    }

    /**
     * Scores [N, C] as a host array, checked for shape, batch size and NaN. With {@code numClasses}
     * > 0, C must equal it.
     */
    static float[] scores(String metric, Tensor prediction, int numClasses) {
        if (prediction == null || !prediction.dtype().isFloating() || prediction.rank() != 2) {
            throw new IllegalArgumentException(metric + ": prediction must be floating scores of shape [N, C], got "
                    + describe(prediction));
        }
        int c = prediction.size(1);
        if (numClasses > 0 && c != numClasses) {
            throw new IllegalArgumentException(metric + ": prediction has " + c + " class scores (shape "
                    + Shapes.str(prediction.shape()) + "), expected " + numClasses);
        }
        if (c == 0) {
            throw new IllegalArgumentException(metric + ": prediction of shape " + Shapes.str(prediction.shape())
                    + " has no classes");
        }
        float[] s = prediction.toFloatArray();
        for (int i = 0; i < s.length; i++) {
            if (Float.isNaN(s[i])) {
                throw new IllegalArgumentException(metric + ": prediction is NaN at row " + i / c + ", column "
                        + i % c);
            }
        }
        return s;
    }

    /**
     * The predicted class of each sample: the argmax of scores [N, C] (the first on ties), or INT32
     * labels [N] taken as they are. With {@code numClasses} > 0 every class must lie in [0, numClasses).
     */
    static int[] predicted(String metric, Tensor prediction, int numClasses) {
        if (prediction != null && prediction.dtype() == DType.INT32) {
            if (prediction.rank() != 1) {
                throw new IllegalArgumentException(metric + ": predicted labels must have shape [N], got "
                        + describe(prediction));
            }
            return checkRange(metric, "predicted label", prediction.toIntArray(), numClasses);
        }
        float[] s = scores(metric, prediction, numClasses);
        int c = prediction.size(1);
        int n = prediction.size(0);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < c; j++) {
                if (s[i * c + j] > s[i * c + best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /**
     * The true labels [n], each in [0, numClasses) (or only >= 0 when numClasses is 0). Probability
     * targets [n, C], C >= 2 (soft labels, e.g. from Mixup or CutMix), count as their most probable class,
     * the first on ties.
     */
    static int[] labels(String metric, Tensor target, int n, int numClasses) {
        if (target != null && target.dtype().isFloating() && target.rank() == 2 && target.size(0) == n
                && target.size(1) >= 2) {
            return checkRange(metric, "label", predicted(metric, target, 0), numClasses);
        }
        if (target == null || target.rank() != 1 || target.size(0) != n) {
            throw new IllegalArgumentException(metric + ": target must be labels of shape [" + n
                    + "] (one per prediction row), got " + describe(target));
        }
        if (target.dtype() == DType.INT32) {
            return checkRange(metric, "label", target.toIntArray(), numClasses);
        }
        double[] v = target.toDoubleArray();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            if (v[i] != Math.rint(v[i]) || Math.abs(v[i]) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(metric + ": label at position " + i + " is " + v[i]
                        + ", expected a whole number (a class index)");
            }
            out[i] = (int) v[i];
        }
        return checkRange(metric, "label", out, numClasses);
    }

    private static int[] checkRange(String metric, String what, int[] labels, int numClasses) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || (numClasses > 0 && labels[i] >= numClasses)) {
                throw new IllegalArgumentException(metric + ": " + what + " at position " + i + " is " + labels[i]
                        + ", expected a class in [0, " + (numClasses > 0 ? String.valueOf(numClasses) : "C") + ")");
            }
        }
        return labels;
    }

    static String describe(Tensor t) {
        return t == null ? "null" : t.dtype() + " of shape " + Shapes.str(t.shape());
    }
}
