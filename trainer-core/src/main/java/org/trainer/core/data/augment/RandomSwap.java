package org.trainer.core.data.augment;

import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * EDA random swap (Wei and Zou, 2019) on a token sequence [L] (see {@link Tokens}): n = max(1,
 * floor(alpha len)) times, two distinct positions chosen at random exchange their words. The
 * multiset of tokens, and the length, never change.
 */
public final class RandomSwap implements Transform {
    private final double alpha;
    private final int padId;

    /**
     * Swaps max(1, floor(alpha len)) times, alpha in [0, 1]; {@code padId} is the padding token.
     *
     * @param alpha the fraction of the length to swap
     * @param padId the padding token
     */
    public RandomSwap(double alpha, int padId) {
        this.alpha = Tokens.checkAlpha("RandomSwap", alpha);
        this.padId = padId;
    }

    @Override
    public Tensor apply(Tensor sequence, AugmentRandom random) {
        int[] words = Tokens.content("RandomSwap", sequence, padId);
        if (words.length < 2) {
            return sequence;
        }
        int n = Tokens.count(alpha, words.length);
        for (int k = 0; k < n; k++) {
            int a = random.nextInt(words.length);
            int b = random.nextInt(words.length - 1);
            if (b >= a) {
                b++; // uniform over the positions other than a
            }
            int t = words[a];
            words[a] = words[b];
            words[b] = t;
        }
        return Tokens.sequence(words, sequence.size(0), padId);
    }

    @Override
    public String toString() {
        return "RandomSwap(alpha=" + alpha + ", padId=" + padId + ")";
    }
}
