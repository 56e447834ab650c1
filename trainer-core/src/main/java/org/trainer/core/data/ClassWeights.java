package org.trainer.core.data;

import java.util.Objects;

/**
 * Class weights from label frequencies, to counter class imbalance in the loss
 * ({@link org.trainer.core.loss.CrossEntropyLoss#withWeights(float[])}) or in sampling
 * ({@link WeightedRandomSampler#sampleWeights(int[], double[])}).
 */
public final class ClassWeights {
    private ClassWeights() {
    }

    /**
     * How many labels name each class 0..numClasses-1.
     *
     * @param labels the class labels
     * @param numClasses the number of classes k
     * @return k counts
     * @throws IllegalArgumentException if numClasses &lt; 1 or a label is outside [0, numClasses),
     *     naming its position
     */
    public static long[] counts(int[] labels, int numClasses) {
        return counts("ClassWeights.counts", labels, numClasses);
    }

    /**
     * The "balanced" weights w_c = n / (k x n_c) for n labels, k classes and n_c labels of class c,
     * as scikit-learn's {@code compute_class_weight('balanced')}. Every class then carries the same
     * total weight n / k, as if the classes were equally frequent: a class half as frequent weighs
     * twice as much.
     *
     * @param labels the class labels
     * @param numClasses the number of classes k
     * @return k weights
     * @throws IllegalArgumentException if a label is outside [0, numClasses), or a class has no
     *     label (its weight would be infinite)
     */
    public static double[] balanced(int[] labels, int numClasses) {
        String op = "ClassWeights.balanced";
        long[] counts = counts(op, labels, numClasses);
        double[] w = new double[numClasses];
        for (int c = 0; c < numClasses; c++) {
            if (counts[c] == 0) {
                throw new IllegalArgumentException(op + ": class " + c + " has no samples among the " + labels.length
                        + " labels; a balanced weight n / (k x count) needs every class present");
            }
            w[c] = (double) labels.length / ((double) numClasses * counts[c]);
        }
        return w;
    }

    /**
     * The weights as float32, the form {@link org.trainer.core.loss.CrossEntropyLoss#withWeights} takes.
     *
     * @param weights the weights
     * @return the same weights as floats
     */
    public static float[] asFloats(double[] weights) {
        Objects.requireNonNull(weights, "weights");
        float[] f = new float[weights.length];
        for (int c = 0; c < f.length; c++) {
            f[c] = (float) weights[c];
        }
        return f;
    }

    private static long[] counts(String op, int[] labels, int numClasses) {
        Objects.requireNonNull(labels, "labels");
        if (numClasses < 1) {
            throw new IllegalArgumentException(op + ": numClasses must be >= 1, got " + numClasses);
        }
        long[] counts = new long[numClasses];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException(op + ": labels[" + i + "] is " + labels[i] + ", expected a class in [0, "
                        + numClasses + ")");
            }
            counts[labels[i]]++;
        }
        return counts;
    }
}
