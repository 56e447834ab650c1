package org.trainer.cuda;

import java.util.Arrays;

/**
 * The positions of an index vector grouped by the row they name, for a scatter-add without
 * atomics: rows() are the distinct rows in increasing order, and row rows()[u] receives positions
 * positions()[start()[u] .. start()[u+1]) in increasing order, the order the CPU adds them in.
 */
record IndexGroups(int[] rows, int[] start, int[] positions) {

    static IndexGroups of(int[] index, int m) {
        Integer[] order = new Integer[m];
        for (int j = 0; j < m; j++) {
            order[j] = j;
        }
        // Stable: equal rows keep increasing positions.
        Arrays.sort(order, (p, q) -> Integer.compare(index[p], index[q]));
        int[] positions = new int[m];
        int[] rows = new int[m];
        int[] start = new int[m + 1];
        int u = -1;
        for (int t = 0; t < m; t++) {
            int j = order[t];
            positions[t] = j;
            if (u < 0 || rows[u] != index[j]) {
                u++;
                rows[u] = index[j];
                start[u] = t;
            }
        }
        int unique = u + 1;
        start[unique] = m;
        return new IndexGroups(Arrays.copyOf(rows, unique), Arrays.copyOf(start, unique + 1), positions);
    }
}
