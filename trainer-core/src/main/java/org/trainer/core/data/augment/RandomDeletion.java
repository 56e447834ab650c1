package org.trainer.core.data.augment;

import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * EDA random deletion (Wei and Zou, 2019) on a token sequence [L] (see {@link Tokens}): each word
 * is removed independently with probability p; if none would remain, one word chosen at random is
 * kept. A one-word sentence is left alone. The result is padded back to L.
 */
public final class RandomDeletion implements Transform {
    private final double p;
    private final int padId;

    /**
     * Deletes each word with probability p in [0, 1]; {@code padId} is the padding token.
     *
     * @param p the probability of deleting a word
     * @param padId the padding token
     */
    public RandomDeletion(double p, int padId) {
        Images.checkProbability("RandomDeletion", p);
        this.p = p;
        this.padId = padId;
    }

    @Override
    public Tensor apply(Tensor sequence, AugmentRandom random) {
        int[] words = Tokens.content("RandomDeletion", sequence, padId);
        if (words.length <= 1) {
            return sequence;
        }
        int[] kept = new int[words.length];
        int n = 0;
        for (int w : words) {
            if (!random.nextBoolean(p)) {
                kept[n++] = w;
            }
        }
        if (n == 0) {
            kept[n++] = words[random.nextInt(words.length)];
        }
        return Tokens.sequence(java.util.Arrays.copyOf(kept, n), sequence.size(0), padId);
    }

    @Override
    public String toString() {
        return "RandomDeletion(p=" + p + ", padId=" + padId + ")";
    }
}
