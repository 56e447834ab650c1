package org.trainer.core.data.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/** The invariants every split and every set of folds must keep. */
final class SplitInvariants {
    private SplitInvariants() {
    }

    /** The parts are disjoint and together hold each of 0..n-1 exactly once. */
    static void partition(int n, int[]... parts) {
        int[] seen = new int[n];
        for (int[] part : parts) {
            for (int i : part) {
                assertTrue(i >= 0 && i < n, "index " + i + " out of range for " + n);
                seen[i]++;
            }
        }
        for (int i = 0; i < n; i++) {
            assertEquals(1, seen[i], "sample " + i + " used " + seen[i] + " times");
        }
    }

    /** Each fold partitions 0..n-1, and the validation parts of all folds partition it too. */
    static void folds(int n, List<Fold> folds) {
        int[][] validations = new int[folds.size()][];
        for (int j = 0; j < folds.size(); j++) {
            partition(n, folds.get(j).train(), folds.get(j).validation());
            validations[j] = folds.get(j).validation();
        }
        partition(n, validations);
    }

    static int count(int[] labels, int[] part, int label) {
        int c = 0;
        for (int i : part) {
            c += labels[i] == label ? 1 : 0;
        }
        return c;
    }

    static int count(int[] labels, int label) {
        int c = 0;
        for (int y : labels) {
            c += y == label ? 1 : 0;
        }
        return c;
    }
}
