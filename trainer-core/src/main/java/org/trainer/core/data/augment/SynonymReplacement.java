package org.trainer.core.data.augment;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;

import org.trainer.core.Tensor;
import org.trainer.core.data.AugmentRandom;
import org.trainer.core.data.Transform;

/**
 * EDA synonym replacement (Wei and Zou, 2019) on a token sequence [L] (see {@link Tokens} for the
 * padding convention): n = max(1, floor(alpha len)) distinct words that have synonyms, chosen at
 * random, are each replaced, at every occurrence, by one of their synonyms chosen at random.
 * Synonyms come from the user's map token id -> synonym ids; words without an entry stay.
 */
public final class SynonymReplacement implements Transform {
    private final Map<Integer, int[]> synonyms;
    private final double alpha;
    private final int padId;

    /**
     * Replacements drawn from this synonym map (token id to synonym ids), alpha in [0, 1]; {@code padId} is the padding
     * token.
     *
     * @param synonyms token id to synonym ids
     * @param alpha the fraction of the length to replace
     * @param padId the padding token
     */
    public SynonymReplacement(Map<Integer, int[]> synonyms, double alpha, int padId) {
        this.synonyms = Tokens.synonyms("SynonymReplacement", synonyms, padId);
        this.alpha = Tokens.checkAlpha("SynonymReplacement", alpha);
        this.padId = padId;
    }

    @Override
    public Tensor apply(Tensor sequence, AugmentRandom random) {
        int[] words = Tokens.content("SynonymReplacement", sequence, padId);
        int n = Tokens.count(alpha, words.length);
        LinkedHashSet<Integer> distinct = new LinkedHashSet<>();
        for (int w : words) {
            if (synonyms.containsKey(w)) {
                distinct.add(w);
            }
        }
        int[] candidates = distinct.stream().mapToInt(Integer::intValue).toArray();
        for (int i = candidates.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = candidates[i];
            candidates[i] = candidates[j];
            candidates[j] = t;
        }
        int[] out = words.clone();
        for (int k = 0; k < Math.min(n, candidates.length); k++) {
            int word = candidates[k];
            int[] choices = synonyms.get(word);
            int replacement = choices[random.nextInt(choices.length)];
            for (int i = 0; i < out.length; i++) {
                if (words[i] == word) {
                    out[i] = replacement;
                }
            }
        }
        return Arrays.equals(out, words) ? sequence : Tokens.sequence(out, sequence.size(0), padId);
    }

    @Override
    public String toString() {
        return "SynonymReplacement(alpha=" + alpha + ", " + synonyms.size() + " words with synonyms, padId=" + padId + ")";
    }
}
