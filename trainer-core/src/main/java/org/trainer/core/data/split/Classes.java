package org.trainer.core.data.split;

import java.util.Arrays;
import java.util.Objects;
import java.util.TreeMap;

import org.trainer.core.data.Shuffle;

/** The sample indices of each class, classes in ascending order of label. */
final class Classes {
    final int[] labels;
    final int[][] members;

    private Classes(int[] labels, int[][] members) {
        this.labels = labels;
        this.members = members;
    }

    static Classes of(String op, int[] labels) {
        Objects.requireNonNull(labels, "labels");
        if (labels.length == 0) {
            throw new IllegalArgumentException(op + ": labels is empty, expected at least one sample");
        }
        TreeMap<Integer, int[]> count = new TreeMap<>();
        for (int y : labels) {
            count.computeIfAbsent(y, k -> new int[1])[0]++;
        }
        int[] classes = new int[count.size()];
        int[][] members = new int[count.size()][];
        int c = 0;
        for (var e : count.entrySet()) {
            classes[c] = e.getKey();
            members[c++] = new int[e.getValue()[0]];
        }
        int[] filled = new int[classes.length];
        for (int i = 0; i < labels.length; i++) {
            int k = Arrays.binarySearch(classes, labels[i]);
            members[k][filled[k]++] = i;
        }
        return new Classes(classes, members);
    }

    /** Class k's members in a seeded random order, a pure function of (seed, class label). */
    int[] shuffled(int k, long seed) {
        int[] m = members[k];
        int[] p = Shuffle.permutation(m.length, seed, labels[k]);
        int[] out = new int[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[p[i]];
        }
        return out;
    }
}
