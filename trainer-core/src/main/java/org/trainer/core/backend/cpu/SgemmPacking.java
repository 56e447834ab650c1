package org.trainer.core.backend.cpu;

/**
 * Copies blocks of op(A) and op(B) into the contiguous micro-panel layout that {@link SgemmKernel}
 * reads. Packing is where the transpositions are absorbed: the kernel always sees the same layout,
 * and the one-off copy turns strided reads into unit-stride streams the kernel reuses many times.
 * Panels are padded with zeros up to a whole micro-panel so that the kernel never needs a bounds
 * special case.
 */
final class SgemmPacking {
    private SgemmPacking() {
    }

    /**
     * Packs the block {@code op(A)[i0 .. i0+rows, p0 .. p0+kc]} into {@code dst} as consecutive
     * micro-panels of {@code mr} rows; in each, element (i, p) sits at {@code p*mr + i}. A is stored
     * [m, k] with row stride {@code lda}, or [k, m] when {@code transA}. Only {@code dst} is modified.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int rows, int p0, int kc,
                      int mr, float[] dst) {
        packA(transA, a, aOff, lda, i0, rows, p0, kc, mr, dst, 0);
    }

    /**
     * {@link #packA} into {@code dst} from {@code dstOff}. Whole micro-panels and the short last one
     * are packed by separate methods: C2 shapes a method's loops by the trip counts it has seen, and
     * one method for both was recompiled several times as training met the shapes the warm-up had
     * not (and back), each time on the one C2 thread that the other kernels wait for.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int rows, int p0, int kc,
                      int mr, float[] dst, int dstOff) {
        int full = rows / mr * mr;
        int d = dstOff;
        for (int ir = 0; ir < full; ir += mr, d += mr * kc) {
            if (transA) {
                packPanelTransposed(a, aOff + p0 * lda + i0 + ir, lda, kc, mr, dst, d);
            } else {
                packPanel(a, aOff + (i0 + ir) * lda + p0, lda, kc, mr, dst, d);
            }
        }
        if (full < rows) {
            packEdge(transA, a, aOff, lda, i0 + full, rows - full, p0, kc, mr, dst, d);
        }
    }

    /**
     * One whole A micro-panel from a row-major A: each of the mr rows is read once, front to back,
     * into every mr-th slot (reading the rows in step, one element of each per k step, ran 2x
     * slower on a [2048 x 128] activation).
     */
    private static void packPanel(float[] a, int src, int lda, int kc, int mr, float[] dst, int d) {
        for (int i = 0; i < mr; i++, src += lda) {
            for (int p = 0, out = d + i; p < kc; p++, out += mr) {
                dst[out] = a[src + p];
            }
        }
    }

    /**
     * One whole A micro-panel from a transposed A: each stored row holds one k step for mr
     * consecutive output rows, a short contiguous copy. The vector kernel's six-row panel is written
     * out (six loads, six stores per k step): the general loop over the rows ran 2.7x slower.
     */
    private static void packPanelTransposed(float[] a, int src, int lda, int kc, int mr, float[] dst, int d) {
        if (mr == 6) {
            for (int p = 0, out = d; p < kc; p++, out += 6, src += lda) {
                float v0 = a[src];
                float v1 = a[src + 1];
                float v2 = a[src + 2];
                float v3 = a[src + 3];
                float v4 = a[src + 4];
                float v5 = a[src + 5];
                dst[out] = v0;
                dst[out + 1] = v1;
                dst[out + 2] = v2;
                dst[out + 3] = v3;
                dst[out + 4] = v4;
                dst[out + 5] = v5;
            }
            return;
        }
        for (int p = 0; p < kc; p++, src += lda) {
            int out = d + p * mr;
            for (int i = 0; i < mr; i++) {
                dst[out + i] = a[src + i];
            }
        }
    }

    /** The last micro-panel, of {@code r < mr} rows from row {@code i0}, padded with zeros. */
    private static void packEdge(boolean transA, float[] a, int aOff, int lda, int i0, int r, int p0, int kc,
                                 int mr, float[] dst, int d) {
        for (int p = 0; p < kc; p++) {
            int out = d + p * mr;
            for (int i = 0; i < r; i++) {
                dst[out + i] = transA ? a[aOff + (p0 + p) * lda + i0 + i] : a[aOff + (i0 + i) * lda + p0 + p];
            }
            java.util.Arrays.fill(dst, out + r, out + mr, 0f);
        }
    }

    /**
     * Packs the block {@code op(B)[p0 .. p0+kc, j0 .. j0+cols]} into {@code dst} as consecutive
     * micro-panels of {@code nr} columns; in each, element (p, j) sits at {@code p*nr + j}. B is
     * stored [k, n] with row stride {@code ldb}, or [n, k] when {@code transB}. Only {@code dst} is
     * modified.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int cols,
                      int nr, float[] dst) {
        if (!transB) {
            packRows(b, bOff + p0 * ldb + j0, ldb, kc, cols, nr, dst);
            return;
        }
        int d = 0;
        for (int jr = 0; jr < cols; jr += nr, d += nr * kc) {
            packTransposed(b, bOff + (j0 + jr) * ldb + p0, ldb, kc, Math.min(nr, cols - jr), nr, dst, d);
        }
    }

    /**
     * Scatters kc rows of {@code cols} floats (row stride {@code ldb}) into micro-panels. Walking
     * B row by row keeps its reads sequential, which the hardware prefetcher follows; walking one
     * panel at a time would jump a whole row of B on every k step.
     */
    private static void packRows(float[] b, int src, int ldb, int kc, int cols, int nr, float[] dst) {
        int full = cols / nr * nr;
        int panel = nr * kc;
        for (int p = 0; p < kc; p++, src += ldb) {
            int out = p * nr;
            for (int jr = 0; jr < full; jr += nr, out += panel) {
                System.arraycopy(b, src + jr, dst, out, nr);
            }
            if (full < cols) {
                int w = cols - full;
                System.arraycopy(b, src + full, dst, out, w);
                java.util.Arrays.fill(dst, out + w, out + nr, 0f);
            }
        }
    }

    /**
     * Transposes {@code w} stored rows of length {@code kc} (row stride {@code ldb}) into one B
     * micro-panel. It walks four k steps at a time so that each source line is read once while its
     * four destination rows are still in L1.
     */
    private static void packTransposed(float[] b, int src, int ldb, int kc, int w, int nr, float[] dst, int d) {
        int p = 0;
        for (; p + 4 <= kc; p += 4) {
            int out = d + p * nr;
            for (int j = 0; j < w; j++) {
                int s = src + j * ldb + p;
                dst[out + j] = b[s];
                dst[out + nr + j] = b[s + 1];
                dst[out + 2 * nr + j] = b[s + 2];
                dst[out + 3 * nr + j] = b[s + 3];
            }
        }
        for (; p < kc; p++) {
            int out = d + p * nr;
            for (int j = 0; j < w; j++) {
                dst[out + j] = b[src + j * ldb + p];
            }
        }
        if (w < nr) {
            for (p = 0; p < kc; p++) {
                java.util.Arrays.fill(dst, d + p * nr + w, d + (p + 1) * nr, 0f);
            }
        }
    }
}
