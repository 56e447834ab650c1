package org.trainer.core.backend.cpu;

/**
 * The plain-Java micro-kernel used when the Vector API module is absent. Each row of the tile is
 * updated with a fixed-length multiply-add loop over a contiguous row of the B panel, the shape
 * that HotSpot's auto-vectoriser turns into SIMD code; the tile row stays in L1 for the whole k loop.
 * It uses separate multiply and add (Java's {@code a * b + c}), so its results can differ from the
 * vector kernel's in the last bits.
 */
final class SgemmPortableKernel implements SgemmKernel {
    private static final int MR = 4;
    private static final int NR = 64;

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
        return "portable " + MR + "x" + NR;
    }

    @Override
    public void tile(int kc, float[] ap, int apOff, float[] bp, int bpOff, int ldbp, float[] c, int cOff, int ldc,
                     boolean add) {
        for (int i = 0; i < MR; i++) {
            int row = cOff + i * ldc;
            if (!add) {
                java.util.Arrays.fill(c, row, row + NR, 0f);
            }
            for (int p = 0; p < kc; p++) {
                float av = ap[apOff + p * MR + i];
                int bo = bpOff + p * ldbp;
                for (int j = 0; j < NR; j++) {
                    c[row + j] += av * bp[bo + j];
                }
            }
        }
    }
}
