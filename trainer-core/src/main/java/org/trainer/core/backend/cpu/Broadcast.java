package org.trainer.core.backend.cpu;

/**
 * Iteration plan for an elementwise op over operands broadcast to one output shape. Adjacent axes
 * that every operand walks contiguously are merged, so the common cases (equal shapes, a scalar,
 * a bias row) become one long inner loop.
 */
final class Broadcast {
    /** Merged output shape; the last axis is the inner loop. */
    final int[] shape;
    /** strides[operand][axis]: 0 on broadcast axes. */
    final int[][] strides;
    final int inner;
    final int outer;

    private Broadcast(int[] shape, int[][] strides) {
        this.shape = shape;
        this.strides = strides;
        this.inner = shape.length == 0 ? 1 : shape[shape.length - 1];
        int o = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            o *= shape[i];
        }
        this.outer = shape.length == 0 ? 1 : o;
    }

    /** Plans a walk over {@code out}; each operand shape has the output's rank and is 1 or equal per axis. */
    static Broadcast of(int[] out, int[]... operands) {
        int r = out.length;
        int[][] full = new int[operands.length][r];
        for (int q = 0; q < operands.length; q++) {
            int s = 1;
            for (int ax = r - 1; ax >= 0; ax--) {
                full[q][ax] = operands[q][ax] == 1 && out[ax] != 1 ? 0 : s;
                s *= operands[q][ax];
            }
        }
        // Drop size-1 axes, then merge neighbours that every operand walks as one.
        int[] shape = new int[r];
        int[][] strides = new int[operands.length][r];
        int m = 0;
        for (int ax = 0; ax < r; ax++) {
            if (out[ax] == 1) {
                continue;
            }
            boolean merge = m > 0;
            for (int q = 0; q < operands.length && merge; q++) {
                merge = strides[q][m - 1] == full[q][ax] * out[ax];
            }
            if (merge) {
                shape[m - 1] *= out[ax];
                for (int q = 0; q < operands.length; q++) {
                    strides[q][m - 1] = full[q][ax];
                }
            } else {
                shape[m] = out[ax];
                for (int q = 0; q < operands.length; q++) {
                    strides[q][m] = full[q][ax];
                }
                m++;
            }
        }
        if (m == 0) {
            return new Broadcast(new int[] {1}, new int[operands.length][1]);
        }
        int[][] trimmed = new int[operands.length][];
        for (int q = 0; q < operands.length; q++) {
            trimmed[q] = java.util.Arrays.copyOf(strides[q], m);
        }
        return new Broadcast(java.util.Arrays.copyOf(shape, m), trimmed);
    }

    /** Offset of operand q at the start of outer row {@code row}. */
    int offset(int q, int row) {
        int off = 0;
        for (int ax = shape.length - 2; ax >= 0; ax--) {
            int idx = row % shape[ax];
            row /= shape[ax];
            off += idx * strides[q][ax];
        }
        return off;
    }

    int innerStride(int q) {
        return strides[q][shape.length - 1];
    }
}
