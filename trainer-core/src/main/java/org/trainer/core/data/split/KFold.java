package org.trainer.core.data.split;

import java.util.ArrayList;
import java.util.List;

import org.trainer.core.data.Shuffle;

/**
 * K-fold cross-validation: the samples are dealt into k disjoint validation folds that together
 * hold every sample exactly once; fold j trains on all samples outside validation fold j. Fold
 * sizes differ by at most one (the first n mod k folds get the extra sample, as scikit-learn's
 * {@code KFold}). Indices within each fold are in ascending order.
 */
public final class KFold {
    private KFold() {
    }

    /**
     * Plain k-fold in sample order: validation fold j is a contiguous block of samples.
     *
     * @param n the number of samples
     * @param k the number of folds
     * @return the k folds
     */
    public static List<Fold> split(int n, int k) {
        checkK("KFold.split", n, k);
        return folds(assign(Shuffle.identity(n), n, k), k);
    }

    /**
     * Plain k-fold after a seeded shuffle ({@link Shuffle#permutation permutation(n, seed, 0)}).
     *
     * @param n the number of samples
     * @param k the number of folds
     * @param seed the seed of the shuffle
     * @return the k folds
     */
    public static List<Fold> split(int n, int k, long seed) {
        checkK("KFold.split", n, k);
        return folds(assign(Shuffle.permutation(n, seed, 0), n, k), k);
    }

    /**
     * Stratified k-fold: each class's samples, in a seeded random order, are dealt round-robin to
     * the folds, continuing where the previous class stopped. So every validation fold holds
     * floor or ceil of n_c / k samples of each class c (its share to within one sample), and the
     * fold sizes differ by at most one.
     *
     * @param labels one class label per sample
     * @param k the number of folds
     * @param seed the seed of the shuffle
     * @return the k folds
     * @throws IllegalArgumentException if k &lt; 2, or a class has fewer than k samples: some fold
     *     would then lack the class, which is an error rather than a silent imbalance
     */
    public static List<Fold> stratified(int[] labels, int k, long seed) {
        String op = "KFold.stratified";
        Classes classes = Classes.of(op, labels);
        checkK(op, labels.length, k);
        int[] fold = new int[labels.length];
        int next = 0;
        for (int c = 0; c < classes.labels.length; c++) {
            int[] members = classes.shuffled(c, seed);
            if (members.length < k) {
                throw new IllegalArgumentException(op + ": class " + classes.labels[c] + " has " + members.length
                        + " sample" + (members.length == 1 ? "" : "s") + ", fewer than k = " + k
                        + " folds: every fold needs at least one sample of every class");
            }
            for (int m : members) {
                fold[m] = next;
                next = (next + 1) % k;
            }
        }
        return folds(fold, k);
    }

    private static void checkK(String op, int n, int k) {
        if (k < 2) {
            throw new IllegalArgumentException(op + ": k must be >= 2 folds, got " + k);
        }
        if (n < k) {
            throw new IllegalArgumentException(op + ": k = " + k + " folds need at least " + k + " samples, got " + n);
        }
    }

    /** fold[i]: the fold of sample i, by contiguous blocks of {@code order}. */
    private static int[] assign(int[] order, int n, int k) {
        int[] fold = new int[n];
        int from = 0;
        for (int j = 0; j < k; j++) {
            int size = n / k + (j < n % k ? 1 : 0);
            for (int i = from; i < from + size; i++) {
                fold[order[i]] = j;
            }
            from += size;
        }
        return fold;
    }

    private static List<Fold> folds(int[] fold, int k) {
        int n = fold.length;
        int[] sizes = new int[k];
        for (int f : fold) {
            sizes[f]++;
        }
        List<Fold> out = new ArrayList<>(k);
        for (int j = 0; j < k; j++) {
            int[] train = new int[n - sizes[j]];
            int[] validation = new int[sizes[j]];
            int t = 0;
            int v = 0;
            for (int i = 0; i < n; i++) {
                if (fold[i] == j) {
                    validation[v++] = i;
                } else {
                    train[t++] = i;
                }
            }
            out.add(new Fold(train, validation));
        }
        return List.copyOf(out);
    }
}
