package org.trainer.cuda;

import java.util.Arrays;

/**
 * An elementwise walk for the kernels: an output shape and one stride vector per operand, with
 * size-1 axes dropped and neighbouring axes that every operand walks contiguously merged, padded
 * to the kernels' fixed rank ({@link #MAX_RANK}, the Dims struct) . Merging keeps common cases at
 * rank 1 or 2 and lets any tensor whose walk merges to 8 axes or fewer run.
 */
final class Layout {
    static final int MAX_RANK = 8;

    final int rank;
    /** Padded to MAX_RANK. */
    final int[] shape;
    /** strides[operand], padded to MAX_RANK. */
    final int[][] strides;

    private Layout(int rank, int[] shape, int[][] strides) {
        this.rank = rank;
        this.shape = shape;
        this.strides = strides;
    }

    /** Operands broadcast to {@code out} (NumPy rules: every operand has out's rank, 1 or equal per axis). */
    static Layout broadcast(String primitive, int[] out, int[]... operands) {
        int r = out.length;
        int[][] strides = new int[operands.length][r];
        for (int q = 0; q < operands.length; q++) {
            int s = 1;
            for (int ax = r - 1; ax >= 0; ax--) {
                strides[q][ax] = operands[q][ax] == 1 && out[ax] != 1 ? 0 : s;
                s *= operands[q][ax];
            }
        }
        return strided(primitive, out, strides);
    }

    /** A walk over {@code shape} with explicit strides per operand. */
    static Layout strided(String primitive, int[] shape, int[]... operandStrides) {
        int n = operandStrides.length;
        int[] sh = new int[shape.length];
        int[][] st = new int[n][shape.length];
        int m = 0;
        for (int ax = 0; ax < shape.length; ax++) {
            if (shape[ax] == 1) {
                continue;
            }
            boolean merge = m > 0;
            for (int q = 0; q < n && merge; q++) {
                merge = st[q][m - 1] == (long) operandStrides[q][ax] * shape[ax];
            }
            if (merge) {
                sh[m - 1] *= shape[ax];
                for (int q = 0; q < n; q++) {
                    st[q][m - 1] = operandStrides[q][ax];
                }
            } else {
                sh[m] = shape[ax];
                for (int q = 0; q < n; q++) {
                    st[q][m] = operandStrides[q][ax];
                }
                m++;
            }
        }
        if (m == 0) {
            sh = new int[] {1};
            st = new int[n][1];
            m = 1;
        }
        if (m > MAX_RANK) {
            throw new UnsupportedOperationException("cuda backend: " + primitive + " over shape "
                    + Arrays.toString(shape) + " needs " + m + " axes after merging; the kernels support "
                    + MAX_RANK);
        }
        int[][] padded = new int[n][];
        for (int q = 0; q < n; q++) {
            padded[q] = Arrays.copyOf(st[q], MAX_RANK);
        }
        return new Layout(m, Arrays.copyOf(sh, MAX_RANK), padded);
    }
}
