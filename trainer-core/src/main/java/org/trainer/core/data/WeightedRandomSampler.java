package org.trainer.core.data;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

import org.trainer.core.SplitMix64;

/**
 * Draws sample i with probability proportional to its weight w_i, as PyTorch's
 * {@code WeightedRandomSampler(weights, num_samples, replacement)}: the usual answer to class
 * imbalance on the sampling side, with per-sample weights from {@link #sampleWeights(int[],
 * double[])} (e.g. the {@link ClassWeights#balanced balanced} class weights, which make every class
 * equally likely per draw).
 *
 * <p>With replacement each of the {@code numSamples} draws is independent: P(i) = w_i / sum w
 * (inverse-CDF on a running sum). Without replacement the draws are successive, each from the
 * samples not yet drawn with probability proportional to their weights; this is computed in one
 * pass with Efraimidis and Spirakis's keys k_i = log(u_i) / w_i (u_i uniform in (0, 1]), taking the
 * {@code numSamples} largest in descending order. A zero weight is never drawn.
 *
 * <p>The random stream of epoch e is SplitMix64 seeded with {@code seed ^ mix64(e)}, as in
 * {@link Shuffle}: the indices are a pure function of (weights, numSamples, replacement, seed, e).
 */
public final class WeightedRandomSampler implements Sampler {
    private static final double UNIT = 0x1.0p-53;

    private final double[] weights;
    private final double[] cumulative;
    private final int numSamples;
    private final boolean replacement;
    private final long seed;

    /**
     * @param weights one non-negative finite weight per sample, not all zero (copied; need not sum to 1)
     * @param numSamples indices per epoch, at least 1; without replacement at most the number of
     *     positive weights
     * @param replacement whether a sample may be drawn more than once per epoch
     * @param seed the seed of the draws
     * @throws IllegalArgumentException naming the first bad weight, or a bad numSamples
     */
    public WeightedRandomSampler(double[] weights, int numSamples, boolean replacement, long seed) {
        Objects.requireNonNull(weights, "weights");
        String name = "WeightedRandomSampler";
        if (weights.length == 0) {
            throw new IllegalArgumentException(name + ": weights is empty, expected one weight per sample");
        }
        int positive = 0;
        double[] cumulative = new double[weights.length];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            if (!(weights[i] >= 0 && weights[i] < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException(name + ": weights[" + i + "] is " + weights[i]
                        + ", expected a finite weight >= 0");
            }
            positive += weights[i] > 0 ? 1 : 0;
            sum += weights[i];
            cumulative[i] = sum;
        }
        if (positive == 0) {
            throw new IllegalArgumentException(name + ": all " + weights.length + " weights are 0, expected at least one > 0");
        }
        if (numSamples < 1) {
            throw new IllegalArgumentException(name + ": numSamples must be >= 1, got " + numSamples);
        }
        if (!replacement && numSamples > positive) {
            throw new IllegalArgumentException(name + ": numSamples " + numSamples + " without replacement exceeds the "
                    + positive + " samples of positive weight");
        }
        this.weights = weights.clone();
        this.cumulative = cumulative;
        this.numSamples = numSamples;
        this.replacement = replacement;
        this.seed = seed;
    }

    /**
     * Per-sample weights w_i = classWeights[labels[i]], e.g. for
     * {@code new WeightedRandomSampler(sampleWeights(labels, ClassWeights.balanced(labels, k)), n, true, seed)}.
     *
     * @param labels one class label per sample
     * @param classWeights one weight per class
     * @return one weight per sample
     * @throws IllegalArgumentException if a label is outside [0, classWeights.length), naming it
     */
    public static double[] sampleWeights(int[] labels, double[] classWeights) {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(classWeights, "classWeights");
        double[] w = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classWeights.length) {
                throw new IllegalArgumentException("sampleWeights: labels[" + i + "] is " + labels[i]
                        + ", expected a class in [0, " + classWeights.length + ")");
            }
            w[i] = classWeights[labels[i]];
        }
        return w;
    }

    @Override
    public int[] indices(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("WeightedRandomSampler.indices: epoch must be >= 0, got " + epoch);
        }
        SplitMix64 rng = new SplitMix64(seed ^ SplitMix64.mix64(epoch));
        return replacement ? withReplacement(rng) : withoutReplacement(rng);
    }

    private int[] withReplacement(SplitMix64 rng) {
        double total = cumulative[cumulative.length - 1];
        int[] out = new int[numSamples];
        for (int s = 0; s < numSamples; s++) {
            double u = (rng.nextLong() >>> 11) * UNIT * total;
            // The first i with cumulative[i] > u: zero-weight samples have no interval and are never hit.
            int lo = 0;
            int hi = cumulative.length - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] > u) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            out[s] = lo;
        }
        return out;
    }

    private int[] withoutReplacement(SplitMix64 rng) {
        int n = weights.length;
        double[] key = new double[n];
        for (int i = 0; i < n; i++) {
            double u = ((rng.nextLong() >>> 11) + 1) * UNIT; // (0, 1]: log(u) is finite
            key[i] = weights[i] > 0 ? Math.log(u) / weights[i] : Double.NEGATIVE_INFINITY;
        }
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> key[i]).reversed());
        int[] out = new int[numSamples];
        for (int s = 0; s < numSamples; s++) {
            out[s] = order[s];
        }
        return out;
    }

    @Override
    public int length() {
        return numSamples;
    }

    @Override
    public String toString() {
        return "WeightedRandomSampler(" + weights.length + " weights, numSamples " + numSamples + ", replacement "
                + replacement + ", seed " + seed + ")";
    }
}
