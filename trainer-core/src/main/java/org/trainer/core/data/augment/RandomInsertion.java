package org.trainer.core.data.augment;

import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * EDA random insertion (Wei and Zou, 2019) on a token sequence [L] (see {@link Tokens}), n =
 * max(1, floor(alpha len)) times: pick a random word of the current sentence that has synonyms (up
 * to 10 tries, else skip this insertion), and insert one of its synonyms, chosen at random, at a
 * random position in [0, len - 1]. The result is cut at L tokens.
 */
public final class RandomInsertion implements Transform {
    private final Map<Integer, int[]> synonyms;
    private final double alpha;
    private final int padId;

    /**
     * Insertions drawn from this synonym map (token id to synonym ids), alpha in [0, 1]; {@code padId} is the padding
     * token.
     *
     * @param synonyms token id to synonym ids
     * @param alpha the fraction of the length to insert
     * @param padId the padding token
     */
    public RandomInsertion(Map<Integer, int[]> synonyms, double alpha, int padId) {
        this.synonyms = Tokens.synonyms("RandomInsertion", synonyms, padId);
        this.alpha = Tokens.checkAlpha("RandomInsertion", alpha);
        this.padId = padId;
    }

    @Override
    public Tensor apply(Tensor sequence, AugmentRandom random) {
        int[] words = Tokens.content("RandomInsertion", sequence, padId);
        if (words.length == 0) {
            return sequence;
        }
        int n = Tokens.count(alpha, words.length);
        int[] out = words;
        for (int k = 0; k < n; k++) {
            int[] choices = null;
            for (int tries = 0; tries < 10 && choices == null; tries++) {
                choices = synonyms.get(out[random.nextInt(out.length)]);
            }
            if (choices == null) {
                continue;
            }
            int word = choices[random.nextInt(choices.length)];
            int at = random.nextInt(out.length);
            int[] next = new int[out.length + 1];
            System.arraycopy(out, 0, next, 0, at);
            next[at] = word;
            System.arraycopy(out, at, next, at + 1, out.length - at);
            out = next;
        }
        return Tokens.sequence(out, sequence.size(0), padId);
    }

    @Override
    public String toString() {
        return "RandomInsertion(alpha=" + alpha + ", " + synonyms.size() + " words with synonyms, padId=" + padId + ")";
    }
}
