package org.trainer.core.backend.cpu;

/**
 * Products whose operands both run along k in memory, C = A B^T with A stored [m, k] and B stored
 * [n, k], computed as blocks of dot products read straight from A and B, without packing. It pays
 * when C is small and k is long, e.g. a convolution's weight gradient (C is [OC, C*KH*KW], k is
 * N*OH*OW): packing would copy both operands, transposing B, to produce very few outputs.
 *
 * <p>k is cut into chunks whose boundaries depend on k alone, and each element of C is the sum of
 * its chunks in order, each chunk reduced in a fixed order; so, as for {@link SgemmKernel}, the
 * result does not depend on how C is split across threads.
 */
interface SgemmDotKernel {
    /** Rows of C per register block; splits of the row range should be multiples of it. */
    int rowBlock();

    /** Columns of C per register block; splits of the column range should be multiples of it. */
    int colBlock();

    /**
     * Computes {@code C[i, j] = (accumulate ? C[i, j] : 0) + sum_{s < segments} sum_{p < k} A_s[i, p] * B_s[j, p]}
     * for i in [i0, i1) and j in [j0, j1), where {@code A_s[i, p] = a[aOff + s*aSeg + i*lda + p]},
     * {@code B_s[j, p] = b[bOff + s*bSeg + j*ldb + p]} and {@code C[i, j] = c[cOff + i*ldc + j]}: the
     * product of A and B^T whose k axis is cut into {@code segments} pieces of length k, each stored
     * apart (a batch of images, say). The arguments are already validated, with k > 0 and
     * segments > 0. Only that rectangle of {@code c} is modified.
     */
    void run(int m, int n, int k, int segments, float[] a, int aOff, int lda, int aSeg, float[] b, int bOff, int ldb,
             int bSeg, float[] c, int cOff, int ldc, boolean accumulate, int i0, int i1, int j0, int j1);
}
