package org.trainer.core.data.augment;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

import org.trainer.core.DType;
import org.trainer.core.SplitMix64;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataChecks;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.data.split.Split;

/**
 * SMOTE, synthetic minority oversampling (Chawla, Bowyer, Hall and Kegelmeyer, 2002): new samples
 * of a rare class, each on the segment between a real sample of that class and one of its k
 * nearest neighbours of the same class. For tabular features [N, F] and int32 labels [N].
 *
 * <p>One synthetic sample: draw a member x_i of class c uniformly, one of its k nearest neighbours
 * x_j within class c uniformly (Euclidean distance, ties to the lower index), and u uniform in
 * [0, 1); the sample is x_i + u (x_j - x_i), labelled c. The draws of class c come from SplitMix64
 * seeded with {@code seed ^ mix64(c)}: the result is a pure function of the data, k, the seed and
 * the counts asked for.
 *
 * <p><b>Training data only.</b> Synthetic samples are interpolations of the data they are made
 * from: made before a split, they would put near-copies of validation and test samples into
 * training and inflate every held-out figure. So SMOTE takes a training set and returns a new,
 * larger training set (the original samples first, in order, then the synthetic ones, class by
 * class); {@link #balance(TensorDataset, Split)} reads only the split's training samples. Validation
 * and test sets are never oversampled.
 */
public final class Smote {
    /** The usual neighbour count (imbalanced-learn's default). */
    public static final int DEFAULT_K = 5;

    private final int k;
    private final long seed;

    /**
     * @param k neighbours per sample to interpolate towards, at least 1
     * @param seed drives every random draw
     */
    public Smote(int k, long seed) {
        if (k < 1) {
            throw new IllegalArgumentException("Smote: k must be >= 1 neighbour, got " + k);
        }
        this.k = k;
        this.seed = seed;
    }

    /**
     * k = {@value #DEFAULT_K}.
     *
     * @param seed the seed of the draws
     */
    public Smote(long seed) {
        this(DEFAULT_K, seed);
    }

    /**
     * A new training set in which every class has as many samples as the largest class: each
     * smaller class c gets (max count - n_c) synthetic samples. A class with no samples stays
     * absent (there is nothing to interpolate).
     *
     * @param train the training set, features [N, F] and int32 labels [N]
     * @return the balanced training set
     * @throws IllegalArgumentException if the data is not [N, F] finite float32 features with int32 [N]
     *     labels, or a class to oversample has k or fewer samples
     */
    public TensorDataset balance(TensorDataset train) {
        Data d = Data.of(train);
        int max = Arrays.stream(d.counts).max().orElse(0);
        int[] extra = new int[d.counts.length];
        for (int c = 0; c < extra.length; c++) {
            extra[c] = d.counts[c] == 0 ? 0 : max - d.counts[c];
        }
        return oversample(d, extra);
    }

    /**
     * {@link #balance(TensorDataset)} applied to the training part of a split: only the samples
     * at {@code split.train()} are read, so no validation or test sample can leak into training.
     *
     * @param all the whole dataset
     * @param split the split whose training part is balanced
     * @return the balanced training set
     */
    public TensorDataset balance(TensorDataset all, Split split) {
        Objects.requireNonNull(split, "split");
        return balance(split.trainSet(all));
    }

    /**
     * A new training set with {@code count} synthetic samples of class {@code label} added.
     *
     * @param train the training set
     * @param label the class to add samples to
     * @param count the number of synthetic samples
     * @return the enlarged training set
     * @throws IllegalArgumentException if count &lt; 0, or the class has k or fewer samples
     */
    public TensorDataset oversample(TensorDataset train, int label, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("Smote.oversample: count must be >= 0, got " + count);
        }
        Data d = Data.of(train);
        if (label < 0 || label >= d.counts.length || d.counts[label] == 0) {
            throw new IllegalArgumentException("Smote.oversample: class " + label + " has no samples in the training set");
        }
        int[] extra = new int[d.counts.length];
        extra[label] = count;
        return oversample(d, extra);
    }

    private TensorDataset oversample(Data d, int[] extra) {
        int total = Arrays.stream(extra).sum();
        int n = d.labels.length;
        int f = d.width;
        float[] x = Arrays.copyOf(d.x, (n + total) * f);
        int[] y = Arrays.copyOf(d.labels, n + total);
        int row = n;
        for (int c = 0; c < extra.length; c++) {
            if (extra[c] == 0) {
                continue;
            }
            int[] members = d.members(c);
            if (members.length <= k) {
                throw new IllegalArgumentException("Smote: class " + c + " has " + members.length + " sample"
                        + (members.length == 1 ? "" : "s") + ", need at least k + 1 = " + (k + 1)
                        + " (a sample and its k nearest neighbours of the same class)");
            }
            int[][] neighbours = new int[members.length][];
            SplitMix64 rng = new SplitMix64(seed ^ SplitMix64.mix64(c));
            for (int s = 0; s < extra[c]; s++, row++) {
                int i = rng.nextInt(members.length);
                if (neighbours[i] == null) {
                    neighbours[i] = nearest(d, members, i);
                }
                int j = neighbours[i][rng.nextInt(k)];
                double u = (rng.nextLong() >>> 11) * 0x1.0p-53;
                int a = members[i] * f;
                int b = j * f;
                for (int q = 0; q < f; q++) {
                    x[row * f + q] = (float) (d.x[a + q] + u * (d.x[b + q] - d.x[a + q]));
                }
                y[row] = c;
            }
        }
        return new TensorDataset(Tensor.fromArray(x, n + total, f), Tensor.fromArray(y, n + total));
    }

    /** The sample indices of member i's k nearest other members, nearest first (ties: lower index). */
    private int[] nearest(Data d, int[] members, int i) {
        int f = d.width;
        int a = members[i] * f;
        double[] dist = new double[members.length];
        Integer[] order = new Integer[members.length];
        for (int m = 0; m < members.length; m++) {
            int b = members[m] * f;
            double s = 0;
            for (int q = 0; q < f; q++) {
                double diff = d.x[a + q] - d.x[b + q];
                s += diff * diff;
            }
            dist[m] = s;
            order[m] = m;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer m) -> dist[m]).thenComparingInt(m -> m));
        int[] out = new int[k];
        for (int r = 0, o = 0; r < k; o++) {
            if (order[o] != i) {
                out[r++] = members[order[o]];
            }
        }
        return out;
    }

    /** The training set as arrays, after checking its shapes. */
    private record Data(float[] x, int width, int[] labels, int[] counts) {
        static Data of(TensorDataset train) {
            Objects.requireNonNull(train, "train");
            Tensor features = train.features();
            Tensor targets = train.targets();
            if (features.rank() != 2 || features.dtype() != DType.FLOAT32) {
                // FLOAT32 only: the synthetic samples are float32, and a FLOAT64 set would come back narrowed.
                throw new IllegalArgumentException("Smote: features must be tabular FLOAT32 [N, F] (convert with "
                        + "Tensor.to(DType.FLOAT32)), got " + features.dtype() + " " + Arrays.toString(features.shape()));
            }
            if (targets.dtype() != DType.INT32 || targets.rank() != 1) {
                throw new IllegalArgumentException("Smote: targets must be INT32 class labels [N], got "
                        + targets.dtype() + " " + Arrays.toString(targets.shape()));
            }
            DataChecks.finite("Smote", "feature", features); // a NaN would poison every neighbour search
            int[] labels = targets.toIntArray();
            int classes = 0;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] < 0) {
                    throw new IllegalArgumentException("Smote: sample " + i + ": label " + labels[i]
                            + " is negative, expected a class index >= 0");
                }
                classes = Math.max(classes, labels[i] + 1);
            }
            int[] counts = new int[classes];
            for (int y : labels) {
                counts[y]++;
            }
            return new Data(features.toFloatArray(), features.size(1), labels, counts);
        }

        int[] members(int c) {
            int[] m = new int[counts[c]];
            for (int i = 0, j = 0; i < labels.length; i++) {
                if (labels[i] == c) {
                    m[j++] = i;
                }
            }
            return m;
        }
    }

    @Override
    public String toString() {
        return "Smote(k " + k + ", seed " + seed + ")";
    }
}
