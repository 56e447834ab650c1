package org.trainer.core.backend.cpu;

/**
 * A plain-Java micro-kernel whose results are bitwise those of {@link VectorSgemmKernel}: each
 * element of a tile is a chain of fused multiply-adds ({@link Math#fma}) over the k block, started
 * from zero in the order of p, with C added at the end when accumulating, which is exactly what the
 * vector kernel computes lane by lane. (The shape of a tile does not enter an element's arithmetic,
 * so the two kernels may cut a product into tiles differently and still agree.)
 *
 * <p>{@link Sgemm} runs small products on it until the Vector API kernels are loaded: loading them
 * and running their first products in the interpreter cost a small model most of its first step,
 * and the boxed vectors of that cold code are garbage enough to grow the heap. A 4 x 4 tile held in
 * sixteen scalar accumulators, which keeps the fused multiply-add units busy without SIMD.
 */
final class SgemmFmaKernel implements SgemmKernel {
    private static final int MR = 4;
    private static final int NR = 4;

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public String name() {
        return "fma " + MR + "x" + NR;
    }

    @Override
    public void tile(int kc, float[] ap, int apOff, float[] bp, int bpOff, int ldbp, float[] c, int cOff, int ldc,
                     boolean add) {
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int p = 0; p < kc; p++) {
            int bo = bpOff + p * ldbp;
            float b0 = bp[bo];
            float b1 = bp[bo + 1];
            float b2 = bp[bo + 2];
            float b3 = bp[bo + 3];
            float a0 = ap[apOff + p * MR];
            c00 = Math.fma(a0, b0, c00);
            c01 = Math.fma(a0, b1, c01);
            c02 = Math.fma(a0, b2, c02);
            c03 = Math.fma(a0, b3, c03);
            float a1 = ap[apOff + p * MR + 1];
            c10 = Math.fma(a1, b0, c10);
            c11 = Math.fma(a1, b1, c11);
            c12 = Math.fma(a1, b2, c12);
            c13 = Math.fma(a1, b3, c13);
            float a2 = ap[apOff + p * MR + 2];
            c20 = Math.fma(a2, b0, c20);
            c21 = Math.fma(a2, b1, c21);
            c22 = Math.fma(a2, b2, c22);
            c23 = Math.fma(a2, b3, c23);
            float a3 = ap[apOff + p * MR + 3];
            c30 = Math.fma(a3, b0, c30);
            c31 = Math.fma(a3, b1, c31);
            c32 = Math.fma(a3, b2, c32);
            c33 = Math.fma(a3, b3, c33);
        }
        store(c, cOff, add, c00, c01, c02, c03);
        store(c, cOff + ldc, add, c10, c11, c12, c13);
        store(c, cOff + 2 * ldc, add, c20, c21, c22, c23);
        store(c, cOff + 3 * ldc, add, c30, c31, c32, c33);
    }

    @Override
    public boolean readsRowsInPlace() {
        return true;
    }

    @Override
    public void tileRows(int kc, float[] a, int aOff, int lda, float[] bp, int bpOff, int ldbp, float[] c, int cOff,
                         int ldc, boolean add) {
        int a0Off = aOff;
        int a1Off = aOff + lda;
        int a2Off = a1Off + lda;
        int a3Off = a2Off + lda;
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int p = 0; p < kc; p++) {
            int bo = bpOff + p * ldbp;
            float b0 = bp[bo];
            float b1 = bp[bo + 1];
            float b2 = bp[bo + 2];
            float b3 = bp[bo + 3];
            float a0 = a[a0Off + p];
            c00 = Math.fma(a0, b0, c00);
            c01 = Math.fma(a0, b1, c01);
            c02 = Math.fma(a0, b2, c02);
            c03 = Math.fma(a0, b3, c03);
            float a1 = a[a1Off + p];
            c10 = Math.fma(a1, b0, c10);
            c11 = Math.fma(a1, b1, c11);
            c12 = Math.fma(a1, b2, c12);
            c13 = Math.fma(a1, b3, c13);
            float a2 = a[a2Off + p];
            c20 = Math.fma(a2, b0, c20);
            c21 = Math.fma(a2, b1, c21);
            c22 = Math.fma(a2, b2, c22);
            c23 = Math.fma(a2, b3, c23);
            float a3 = a[a3Off + p];
            c30 = Math.fma(a3, b0, c30);
            c31 = Math.fma(a3, b1, c31);
            c32 = Math.fma(a3, b2, c32);
            c33 = Math.fma(a3, b3, c33);
        }
        store(c, cOff, add, c00, c01, c02, c03);
        store(c, cOff + ldc, add, c10, c11, c12, c13);
        store(c, cOff + 2 * ldc, add, c20, c21, c22, c23);
        store(c, cOff + 3 * ldc, add, c30, c31, c32, c33);
    }

    /** One row of the tile into C: the chain alone, or C plus the chain (the vector kernel's one rounding). */
    private static void store(float[] c, int at, boolean add, float v0, float v1, float v2, float v3) {
        if (add) {
            c[at] = v0 + c[at];
            c[at + 1] = v1 + c[at + 1];
            c[at + 2] = v2 + c[at + 2];
            c[at + 3] = v3 + c[at + 3];
        } else {
            c[at] = v0;
            c[at + 1] = v1;
            c[at + 2] = v2;
            c[at + 3] = v3;
        }
    }
}
