package org.trainer.core.metrics;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

import org.trainer.core.Tensor;
import org.trainer.core.train.checkpoint.StateEntries;
import org.trainer.core.train.checkpoint.Stateful;

/**
 * Counts of (true class, predicted class) pairs: m[t][p] is the number of samples of class t
 * predicted as p (rows = true class, columns = predicted class, as scikit-learn's
 * {@code confusion_matrix}). {@link #compute()} gives the accuracy, trace(m) / sum(m); the
 * per-class and macro-averaged precision, recall and F1 are read from the same counts.
 *
 * <p>For class c: tp = m[c][c], fp = column sum - tp, fn = row sum - tp, and
 * <pre>
 *   precision_c = tp / (tp + fp)    recall_c = tp / (tp + fn)    F1_c = 2 tp / (2 tp + fp + fn)
 * </pre>
 * A zero denominator gives 0, as scikit-learn's {@code zero_division=0}: a class never predicted
 * has precision 0, a class with no true samples has recall 0. The macro average is the plain mean
 * over the classes that occur among the labels or the predictions; a class absent from both says
 * nothing about the model and is left out, as scikit-learn does when it infers the labels from the
 * data. With no samples at all the averages are NaN.
 */
public final class ConfusionMatrix implements Metric, Stateful {
    private final String owner;
    private final int numClasses;
    private final long[][] counts;

    /**
     * An empty matrix for labels 0 .. numClasses - 1.
     *
     * @param numClasses the number of classes, at least 1
     */
    public ConfusionMatrix(int numClasses) {
        this(numClasses, "ConfusionMatrix");
    }

    /** For the metrics that read their figure off a confusion matrix: errors then carry their name. */
    ConfusionMatrix(int numClasses, String owner) {
        this.owner = owner;
        this.numClasses = ClassLabels.checkClassCount(owner, numClasses);
        this.counts = new long[numClasses][numClasses];
    }

    /**
     * The number of classes k (the matrix is k x k).
     *
     * @return k
     */
    public int numClasses() {
        return numClasses;
    }

    @Override
    public String name() {
        return "confusion_accuracy";
    }

    /** Adds a batch: scores [N, C] (or INT32 predicted labels [N]) against labels [N], all in [0, C). */
    @Override
    public void update(Tensor prediction, Tensor target) {
        int[] p = ClassLabels.predicted(owner, prediction, numClasses);
        int[] y = ClassLabels.labels(owner, target, p.length, numClasses);
        for (int i = 0; i < p.length; i++) {
            counts[y[i]][p[i]]++;
        }
    }

    /** Accuracy: the fraction of samples on the diagonal (NaN with no samples). */
    @Override
    public double compute() {
        long diagonal = 0;
        for (int c = 0; c < numClasses; c++) {
            diagonal += counts[c][c];
        }
        long total = total();
        return total == 0 ? Double.NaN : (double) diagonal / total;
    }

    @Override
    public void reset() {
        for (long[] row : counts) {
            Arrays.fill(row, 0);
        }
    }

    /** The counts as "counts", float64 [C, C], for a checkpoint taken mid-epoch. */
    @Override
    public Map<String, Tensor> stateDict() {
        double[] v = new double[numClasses * numClasses];
        for (int t = 0; t < numClasses; t++) {
            for (int p = 0; p < numClasses; p++) {
                v[t * numClasses + p] = counts[t][p];
            }
        }
        return Map.of("counts", Tensor.fromArray(v, numClasses, numClasses));
    }

    @Override
    public void loadStateDict(Map<String, Tensor> state) {
        StateEntries.expectKeys(owner, state, Set.of("counts"));
        double[] v = StateEntries.read(owner, state, "counts", numClasses, numClasses);
        for (double x : v) {
            if (!(x >= 0 && x == Math.rint(x) && x <= 0x1p53)) {
                throw new IllegalArgumentException(owner + ".loadStateDict: 'counts' must hold whole numbers >= 0, got "
                        + x);
            }
        }
        for (int t = 0; t < numClasses; t++) {
            for (int p = 0; p < numClasses; p++) {
                counts[t][p] = (long) v[t * numClasses + p];
            }
        }
    }

    /**
     * A copy of the counts, rows = true class, columns = predicted class.
     *
     * @return the k x k counts
     */
    public int[][] matrix() {
        int[][] m = new int[numClasses][numClasses];
        for (int t = 0; t < numClasses; t++) {
            for (int p = 0; p < numClasses; p++) {
                m[t][p] = Math.toIntExact(counts[t][p]);
            }
        }
        return m;
    }

    /**
     * The number of samples seen.
     *
     * @return the number of samples
     */
    public long total() {
        long total = 0;
        for (long[] row : counts) {
            for (long v : row) {
                total += v;
            }
        }
        return total;
    }

    /**
     * Precision of each class, 0 where the class was never predicted.
     *
     * @return k values
     */
    public double[] precisionPerClass() {
        double[] out = new double[numClasses];
        for (int c = 0; c < numClasses; c++) {
            out[c] = ratio(counts[c][c], columnSum(c));
        }
        return out;
    }

    /**
     * Recall of each class, 0 where the class has no true samples.
     *
     * @return k values
     */
    public double[] recallPerClass() {
        double[] out = new double[numClasses];
        for (int c = 0; c < numClasses; c++) {
            out[c] = ratio(counts[c][c], rowSum(c));
        }
        return out;
    }

    /**
     * F1 of each class, 2 tp / (2 tp + fp + fn), 0 where that denominator is 0.
     *
     * @return k values
     */
    public double[] f1PerClass() {
        double[] out = new double[numClasses];
        for (int c = 0; c < numClasses; c++) {
            long tp = counts[c][c];
            out[c] = ratio(2 * tp, rowSum(c) + columnSum(c));
        }
        return out;
    }

    /**
     * Macro-averaged precision over the classes present in labels or predictions.
     *
     * @return the macro average, NaN without samples
     */
    public double macroPrecision() {
        return macro(precisionPerClass());
    }

    /**
     * Macro-averaged recall over the classes present in labels or predictions.
     *
     * @return the macro average, NaN without samples
     */
    public double macroRecall() {
        return macro(recallPerClass());
    }

    /**
     * Macro-averaged F1 (the mean of the per-class F1, not the F1 of the means).
     *
     * @return the macro average, NaN without samples
     */
    public double macroF1() {
        return macro(f1PerClass());
    }

    private double macro(double[] perClass) {
        double sum = 0;
        int present = 0;
        for (int c = 0; c < numClasses; c++) {
            if (rowSum(c) + columnSum(c) > 0) {
                sum += perClass[c];
                present++;
            }
        }
        return present == 0 ? Double.NaN : sum / present;
    }

    private long rowSum(int c) {
        long s = 0;
        for (int p = 0; p < numClasses; p++) {
            s += counts[c][p];
        }
        return s;
    }

    private long columnSum(int c) {
        long s = 0;
        for (int t = 0; t < numClasses; t++) {
            s += counts[t][c];
        }
        return s;
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0 : (double) numerator / denominator;
    }

    /** The counts as a table, rows = true class, columns = predicted class. */
    @Override
    public String toString() {
        String corner = "true\\pred";
        int width = 1;
        for (long[] row : counts) {
            for (long v : row) {
                width = Math.max(width, Long.toString(v).length());
            }
        }
        width = Math.max(width, Integer.toString(numClasses - 1).length());
        StringBuilder sb = new StringBuilder("ConfusionMatrix(").append(numClasses)
                .append(" classes; rows = true class, columns = predicted class)\n");
        sb.append(pad(corner, corner.length()));
        for (int p = 0; p < numClasses; p++) {
            sb.append(' ').append(pad(Integer.toString(p), width));
        }
        for (int t = 0; t < numClasses; t++) {
            sb.append('\n').append(pad(Integer.toString(t), corner.length()));
            for (int p = 0; p < numClasses; p++) {
                sb.append(' ').append(pad(Long.toString(counts[t][p]), width));
            }
        }
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }
}
