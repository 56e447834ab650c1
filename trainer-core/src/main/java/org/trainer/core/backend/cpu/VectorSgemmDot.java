package org.trainer.core.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API {@link SgemmDotKernel}: a 4 x 5 block of C held as twenty vector accumulators
 * along k. Each step loads four vectors of A rows and five of B rows and issues twenty fused
 * multiply-adds, so loads stay under half the arithmetic. k is walked in chunks of {@link #KD}, so
 * that the chunk of all A rows stays in L2 while the column blocks sweep it; each block's
 * accumulators are kept in a per-thread array between chunks (C is small when this kernel is
 * chosen), and only at the end are each accumulator's lanes summed, by a fixed pairwise tree (not
 * {@code reduceLanes}, whose order the API leaves open), followed by the elements of k past the last
 * whole vector, one by one. A block at the edge of C reads clamped (repeated) rows and writes only
 * its valid elements, so every element is computed by the same operations wherever its block lies.
 *
 * <p>Loaded only through {@link Sgemm} after it has checked that {@code jdk.incubator.vector} is in
 * the boot layer.
 */
final class VectorSgemmDot implements SgemmDotKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int RA = 4;
    private static final int RB = 5;
    /**
     * Chunk of k in floats, a multiple of every vector length: 16 KiB of each row. Measured on
     * [32 x 36864] x [36864 x 25]: 256 was 1.5x slower (accumulator traffic), 4096 to all of k alike.
     */
    static final int KD = 4096;

    /** Per-thread vector accumulators of every block, kept between chunks; grown on demand. */
    private static final ThreadLocal<float[]> ACCUMULATORS = ThreadLocal.withInitial(() -> new float[0]);

    /** Public so that {@link Sgemm} can create it reflectively. */
    public VectorSgemmDot() {
    }

    @Override
    public int rowBlock() {
        return RA;
    }

    @Override
    public int colBlock() {
        return RB;
    }

    @Override
    public void run(int m, int n, int k, int segments, float[] a, int aOff, int lda, int aSeg, float[] b, int bOff,
                    int ldb, int bSeg, float[] c, int cOff, int ldc, boolean accumulate, int i0, int i1, int j0,
                    int j1) {
        int blocksI = (i1 - i0 + RA - 1) / RA;
        int blocksJ = (j1 - j0 + RB - 1) / RB;
        int blockSize = RA * RB * L;
        float[] acc = ACCUMULATORS.get();
        if (acc.length < blocksI * blocksJ * blockSize) {
            acc = new float[blocksI * blocksJ * blockSize];
            ACCUMULATORS.set(acc);
        }
        int kv = k / L * L;
        for (int seg = 0; seg < segments; seg++) {
            int as = aOff + seg * aSeg;
            int bs = bOff + seg * bSeg;
            for (int p0 = 0; p0 < kv; p0 += KD) {
                int p1 = Math.min(kv, p0 + KD);
                boolean resume = seg > 0 || p0 > 0;
                for (int bj = 0; bj < blocksJ; bj++) {
                    for (int bi = 0; bi < blocksI; bi++) {
                        block(m, n, lda, ldb, a, as, b, bs, i0 + bi * RA, j0 + bj * RB, p0, p1, acc,
                                (bj * blocksI + bi) * blockSize, resume);
                    }
                }
            }
        }
        for (int bj = 0; bj < blocksJ; bj++) {
            for (int bi = 0; bi < blocksI; bi++) {
                int i = i0 + bi * RA;
                int j = j0 + bj * RB;
                int base = (bj * blocksI + bi) * blockSize;
                int rows = Math.min(RA, i1 - i);
                int cols = Math.min(RB, j1 - j);
                for (int q = 0; q < rows; q++) {
                    for (int t = 0; t < cols; t++) {
                        float sum = kv == 0 ? 0f : laneSum(acc, base + (q * RB + t) * L);
                        for (int seg = 0; kv < k && seg < segments; seg++) {
                            sum += tail(a, aOff + seg * aSeg + (i + q) * lda, b, bOff + seg * bSeg + (j + t) * ldb,
                                    kv, k);
                        }
                        int at = cOff + (i + q) * ldc + j + t;
                        c[at] = accumulate ? c[at] + sum : sum;
                    }
                }
            }
        }
    }

    /**
     * Accumulates A rows i..i+3 against B rows j..j+4 over the vectors of [p0, p1), into the twenty
     * accumulators stored in {@code acc} from {@code off} (block element (q, s) at
     * {@code off + (q*RB + s)*L}), which start from zero unless {@code resume}. Rows past the end of
     * A or B repeat the last one.
     */
    private static void block(int m, int n, int lda, int ldb, float[] a, int aOff, float[] b, int bOff, int i, int j,
                              int p0, int p1, float[] acc, int off, boolean resume) {
        int ra0 = aOff + i * lda;
        int ra1 = aOff + Math.min(i + 1, m - 1) * lda;
        int ra2 = aOff + Math.min(i + 2, m - 1) * lda;
        int ra3 = aOff + Math.min(i + 3, m - 1) * lda;
        int rb0 = bOff + j * ldb;
        int rb1 = bOff + Math.min(j + 1, n - 1) * ldb;
        int rb2 = bOff + Math.min(j + 2, n - 1) * ldb;
        int rb3 = bOff + Math.min(j + 3, n - 1) * ldb;
        int rb4 = bOff + Math.min(j + 4, n - 1) * ldb;
        if (!resume) {
            java.util.Arrays.fill(acc, off, off + RA * RB * L, 0f);
        }
        FloatVector c00 = FloatVector.fromArray(S, acc, off);
        FloatVector c01 = FloatVector.fromArray(S, acc, off + L);
        FloatVector c02 = FloatVector.fromArray(S, acc, off + 2 * L);
        FloatVector c03 = FloatVector.fromArray(S, acc, off + 3 * L);
        FloatVector c04 = FloatVector.fromArray(S, acc, off + 4 * L);
        FloatVector c10 = FloatVector.fromArray(S, acc, off + 5 * L);
        FloatVector c11 = FloatVector.fromArray(S, acc, off + 6 * L);
        FloatVector c12 = FloatVector.fromArray(S, acc, off + 7 * L);
        FloatVector c13 = FloatVector.fromArray(S, acc, off + 8 * L);
        FloatVector c14 = FloatVector.fromArray(S, acc, off + 9 * L);
        FloatVector c20 = FloatVector.fromArray(S, acc, off + 10 * L);
        FloatVector c21 = FloatVector.fromArray(S, acc, off + 11 * L);
        FloatVector c22 = FloatVector.fromArray(S, acc, off + 12 * L);
        FloatVector c23 = FloatVector.fromArray(S, acc, off + 13 * L);
        FloatVector c24 = FloatVector.fromArray(S, acc, off + 14 * L);
        FloatVector c30 = FloatVector.fromArray(S, acc, off + 15 * L);
        FloatVector c31 = FloatVector.fromArray(S, acc, off + 16 * L);
        FloatVector c32 = FloatVector.fromArray(S, acc, off + 17 * L);
        FloatVector c33 = FloatVector.fromArray(S, acc, off + 18 * L);
        FloatVector c34 = FloatVector.fromArray(S, acc, off + 19 * L);
        for (int p = p0; p < p1; p += L) {
            FloatVector a0 = FloatVector.fromArray(S, a, ra0 + p);
            FloatVector a1 = FloatVector.fromArray(S, a, ra1 + p);
            FloatVector a2 = FloatVector.fromArray(S, a, ra2 + p);
            FloatVector a3 = FloatVector.fromArray(S, a, ra3 + p);
            FloatVector bv = FloatVector.fromArray(S, b, rb0 + p);
            c00 = a0.fma(bv, c00);
            c10 = a1.fma(bv, c10);
            c20 = a2.fma(bv, c20);
            c30 = a3.fma(bv, c30);
            bv = FloatVector.fromArray(S, b, rb1 + p);
            c01 = a0.fma(bv, c01);
            c11 = a1.fma(bv, c11);
            c21 = a2.fma(bv, c21);
            c31 = a3.fma(bv, c31);
            bv = FloatVector.fromArray(S, b, rb2 + p);
            c02 = a0.fma(bv, c02);
            c12 = a1.fma(bv, c12);
            c22 = a2.fma(bv, c22);
            c32 = a3.fma(bv, c32);
            bv = FloatVector.fromArray(S, b, rb3 + p);
            c03 = a0.fma(bv, c03);
            c13 = a1.fma(bv, c13);
            c23 = a2.fma(bv, c23);
            c33 = a3.fma(bv, c33);
            bv = FloatVector.fromArray(S, b, rb4 + p);
            c04 = a0.fma(bv, c04);
            c14 = a1.fma(bv, c14);
            c24 = a2.fma(bv, c24);
            c34 = a3.fma(bv, c34);
        }
        // Written out rather than as a loop over an array of vectors, which C2 would box.
        c00.intoArray(acc, off);
        c01.intoArray(acc, off + L);
        c02.intoArray(acc, off + 2 * L);
        c03.intoArray(acc, off + 3 * L);
        c04.intoArray(acc, off + 4 * L);
        c10.intoArray(acc, off + 5 * L);
        c11.intoArray(acc, off + 6 * L);
        c12.intoArray(acc, off + 7 * L);
        c13.intoArray(acc, off + 8 * L);
        c14.intoArray(acc, off + 9 * L);
        c20.intoArray(acc, off + 10 * L);
        c21.intoArray(acc, off + 11 * L);
        c22.intoArray(acc, off + 12 * L);
        c23.intoArray(acc, off + 13 * L);
        c24.intoArray(acc, off + 14 * L);
        c30.intoArray(acc, off + 15 * L);
        c31.intoArray(acc, off + 16 * L);
        c32.intoArray(acc, off + 17 * L);
        c33.intoArray(acc, off + 18 * L);
        c34.intoArray(acc, off + 19 * L);
    }

    /** Sum of L lanes from {@code off} by a fixed pairwise tree (L is a power of two). */
    private static float laneSum(float[] lanes, int off) {
        for (int width = L / 2; width >= 1; width /= 2) {
            for (int t = 0; t < width; t++) {
                lanes[off + t] += lanes[off + t + width];
            }
        }
        return lanes[off];
    }

    /** A[row, kv..k) . B[row, kv..k), summed in order. */
    private static float tail(float[] a, int ra, float[] b, int rb, int kv, int k) {
        float s = 0f;
        for (int p = kv; p < k; p++) {
            s += a[ra + p] * b[rb + p];
        }
        return s;
    }
}
