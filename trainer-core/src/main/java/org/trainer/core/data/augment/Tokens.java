package org.trainer.core.data.augment;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.trainer.core.DType;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/**
 * The token layout the text transforms share: an INT32 sequence [L] of token ids whose content
 * ends at the first {@code padId} (or runs to L); the rest is padding. A transform works on the
 * content and writes back a sequence of the same length L, padding a shorter result with padId and
 * cutting a longer one at L.
 */
final class Tokens {
    private Tokens() {
    }

    /** The content tokens of a sequence [L]. */
    static int[] content(String op, Tensor sequence, int padId) {
        if (sequence == null || sequence.dtype() != DType.INT32 || sequence.rank() != 1) {
            throw new IllegalArgumentException(op + ": a sample must be an INT32 token sequence [L], got "
                    + (sequence == null ? "null" : sequence.dtype() + " of shape " + Shapes.str(sequence.shape())));
        }
        int[] ids = sequence.toIntArray();
        int n = 0;
        while (n < ids.length && ids[n] != padId) {
            n++;
        }
        return Arrays.copyOf(ids, n);
    }

    /** The tokens padded with padId, or cut, to length {@code length}, as INT32 [length]. */
    static Tensor sequence(int[] tokens, int length, int padId) {
        int[] out = Arrays.copyOf(tokens, length);
        for (int i = tokens.length; i < length; i++) {
            out[i] = padId;
        }
        return Tensor.fromArray(out, length);
    }

    /** A defensive copy of a synonym map, refusing null entries, empty lists and the pad id. */
    static Map<Integer, int[]> synonyms(String op, Map<Integer, int[]> synonyms, int padId) {
        if (synonyms == null) {
            throw new IllegalArgumentException(op + ": synonyms is null, expected a map token id -> synonym ids");
        }
        Map<Integer, int[]> copy = new HashMap<>();
        for (Map.Entry<Integer, int[]> e : synonyms.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException(op + ": synonyms has a null key or value (key " + e.getKey() + ")");
            }
            for (int s : e.getValue()) {
                if (s == padId) {
                    throw new IllegalArgumentException(op + ": synonyms of token " + e.getKey() + " include the pad id "
                            + padId + ", which would end the sequence");
                }
            }
            if (e.getValue().length > 0) {
                copy.put(e.getKey(), e.getValue().clone());
            }
        }
        return copy;
    }

    /** EDA's count of words to change: max(1, floor(alpha n)). */
    static int count(double alpha, int n) {
        return Math.max(1, (int) (alpha * n));
    }

    static double checkAlpha(String op, double alpha) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException(op + ": alpha must be in [0, 1], got " + alpha);
        }
        return alpha;
    }
}
