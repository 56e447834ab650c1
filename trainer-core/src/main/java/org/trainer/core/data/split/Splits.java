package org.trainer.core.data.split;

import java.util.Arrays;

import org.trainer.core.data.Shuffle;

/**
 * Train/validation/test splits by fractions: random, stratified by class, or chronological. Each is
 * a pure function of its arguments and the seed, so a split can be rebuilt from its seed instead
 * of being stored.
 *
 * <p>Fractions must each lie in [0, 1], train must be positive, and they must sum to 1 (to 1e-9);
 * validation or test may be 0 for a two-way split. The part sizes are whole numbers by the
 * largest-remainder rule: each is floor or ceil of N x fraction, and they sum to N. Every sample
 * lands in exactly one part.
 */
public final class Splits {
    /** The default fractions: 70% train, 15% validation, 15% test. */
    public static final double TRAIN = 0.70;
    /** The default validation fraction. */
    public static final double VALIDATION = 0.15;
    /** The default test fraction. */
    public static final double TEST = 0.15;

    private Splits() {
    }

    /**
     * {@link #random(int, double, double, double, long)} with 70/15/15.
     *
     * @param n the number of samples
     * @param seed the seed of the shuffle
     * @return the split
     */
    public static Split random(int n, long seed) {
        return random(n, TRAIN, VALIDATION, TEST, seed);
    }

    /**
     * A uniformly random split of samples 0..n-1: the first parts of {@link Shuffle#permutation
     * permutation(n, seed, 0)} in turn go to train, validation and test. Each part's indices are
     * in ascending order.
     *
     * @param n the number of samples
     * @param train the training fraction
     * @param validation the validation fraction
     * @param test the test fraction
     * @param seed the seed of the shuffle
     * @return the split
     * @throws IllegalArgumentException if n &lt; 1, the fractions are invalid, or n is too small to
     *     give every part with a non-zero fraction at least one sample
     */
    public static Split random(int n, double train, double validation, double test, long seed) {
        String op = "Splits.random";
        double[] f = Fractions.check(op, train, validation, test);
        if (n < 1) {
            throw new IllegalArgumentException(op + ": n must be >= 1 sample, got " + n);
        }
        int[] counts = Fractions.nonEmpty(op, n, f);
        int[][] parts = cut(Shuffle.permutation(n, seed, 0), counts);
        for (int[] p : parts) {
            Arrays.sort(p);
        }
        return new Split(parts[0], parts[1], parts[2]);
    }

    /**
     * {@link #stratified(int[], double, double, double, long)} with 70/15/15.
     *
     * @param labels one class label per sample
     * @param seed the seed of the shuffle
     * @return the split
     */
    public static Split stratified(int[] labels, long seed) {
        return stratified(labels, TRAIN, VALIDATION, TEST, seed);
    }

    /**
     * A random split that keeps each class's share in every part: the samples of class c (count
     * n_c), in a seeded random order, are cut into parts of floor or ceil of n_c x fraction (largest
     * remainder), so every part holds each class to within one sample of its exact share. Each
     * part's indices are in ascending order. Labels may be any ints; each distinct value is a class.
     *
     * @param labels one class label per sample
     * @param train the training fraction
     * @param validation the validation fraction
     * @param test the test fraction
     * @param seed the seed of the shuffle
     * @return the split
     * @throws IllegalArgumentException if the fractions are invalid, or a class has too few samples
     *     to put at least one in every part with a non-zero fraction (n_c x fraction &lt; 1 for some
     *     part): a stratified split cannot keep such a class's share, and saying so beats a part
     *     that silently lacks the class
     */
    public static Split stratified(int[] labels, double train, double validation, double test, long seed) {
        String op = "Splits.stratified";
        double[] f = Fractions.check(op, train, validation, test);
        Classes classes = Classes.of(op, labels);
        int[][] parts = new int[3][labels.length];
        int[] filled = new int[3];
        for (int k = 0; k < classes.labels.length; k++) {
            int count = classes.members[k].length;
            for (int p = 0; p < 3; p++) {
                if (f[p] > 0 && count * f[p] < 1 - 1e-9) {
                    throw new IllegalArgumentException(op + ": class " + classes.labels[k] + " has " + count
                            + " sample" + (count == 1 ? "" : "s") + ", too few for a " + Fractions.PARTS[p]
                            + " fraction of " + f[p] + ": every part needs at least one sample of every class,"
                            + " which takes at least " + (int) Math.ceil(1 / f[p] - 1e-9) + " samples per class");
                }
            }
            int[][] cut = cut(classes.shuffled(k, seed), Fractions.counts(count, f, k));
            for (int p = 0; p < 3; p++) {
                System.arraycopy(cut[p], 0, parts[p], filled[p], cut[p].length);
                filled[p] += cut[p].length;
            }
        }
        for (int p = 0; p < 3; p++) {
            parts[p] = Arrays.copyOf(parts[p], filled[p]);
            Arrays.sort(parts[p]);
        }
        return new Split(parts[0], parts[1], parts[2]);
    }

    /**
     * A chronological split by sample order, for data already sorted by time: train is samples
     * [0, a), validation [a, b), test [b, n), so every validation sample comes after every training
     * sample and every test sample after both. No shuffling, no seed.
     *
     * @param n the number of samples
     * @param train the training fraction
     * @param validation the validation fraction
     * @param test the test fraction
     * @return the split
     * @throws IllegalArgumentException if n &lt; 1, the fractions are invalid, or a part with a
     *     non-zero fraction would be empty
     */
    public static Split chronological(int n, double train, double validation, double test) {
        String op = "Splits.chronological";
        double[] f = Fractions.check(op, train, validation, test);
        if (n < 1) {
            throw new IllegalArgumentException(op + ": n must be >= 1 sample, got " + n);
        }
        int[][] parts = cut(Shuffle.identity(n), Fractions.nonEmpty(op, n, f));
        return new Split(parts[0], parts[1], parts[2]);
    }

    /**
     * A chronological split by a time column: samples sorted by {@code times} (a stable sort, so
     * equal times keep their sample order) are cut by the fractions, and then each cut moves later
     * past any samples that share the time just before it, so that samples of one time stay in one
     * part. Hence every validation time is strictly after every training time, and every test time
     * strictly after every validation time. Each part lists its samples in time order.
     *
     * @param times one time per sample, finite
     * @param train the training fraction
     * @param validation the validation fraction
     * @param test the test fraction
     * @return the split
     * @throws IllegalArgumentException if a time is NaN or infinite (naming the sample), the
     *     fractions are invalid, or keeping equal times together leaves a part with a non-zero
     *     fraction empty
     */
    public static Split chronological(double[] times, double train, double validation, double test) {
        String op = "Splits.chronological";
        double[] f = Fractions.check(op, train, validation, test);
        int[] order = TimeOrder.of(op, times);
        int n = order.length;
        int[] counts = Fractions.nonEmpty(op, n, f);
        int a = tieFree(times, order, counts[0]);
        int b = tieFree(times, order, Math.max(a, counts[0] + counts[1]));
        int[] bounds = {0, a, b, n};
        int[][] parts = new int[3][];
        for (int p = 0; p < 3; p++) {
            parts[p] = Arrays.copyOfRange(order, bounds[p], bounds[p + 1]);
            if (f[p] > 0 && parts[p].length == 0) {
                throw new IllegalArgumentException(op + ": the " + Fractions.PARTS[p] + " part is empty: its "
                        + counts[p] + " sample(s) share a time with the part before it (time "
                        + times[order[Math.max(0, bounds[p] - 1)]] + "), and samples of one time stay in one part");
            }
        }
        return new Split(parts[0], parts[1], parts[2]);
    }

    /** The first cut at or after {@code cut} that does not separate two samples of equal time. */
    private static int tieFree(double[] times, int[] order, int cut) {
        while (cut > 0 && cut < order.length && times[order[cut]] == times[order[cut - 1]]) {
            cut++;
        }
        return cut;
    }

    private static int[][] cut(int[] order, int[] counts) {
        int[][] parts = new int[counts.length][];
        int from = 0;
        for (int p = 0; p < counts.length; p++) {
            parts[p] = Arrays.copyOfRange(order, from, from + counts[p]);
            from += counts[p];
        }
        return parts;
    }
}
