package org.trainer.core.backend.cpu;

/**
 * A register-blocked GEMM micro-kernel: it multiplies one packed A micro-panel by one packed B
 * micro-panel into an {@link #mr()} x {@link #nr()} tile of C. {@link SgemmDriver} does the cache
 * blocking and packing around it, so a kernel only ever sees full, zero-padded panels.
 */
interface SgemmKernel {
    /** Rows of C per tile; the A micro-panel stores {@code mr} values per k step. */
    int mr();

    /** Columns of C per tile; the B micro-panel stores {@code nr} values per k step. */
    int nr();

    /** A short name for logs and benchmark reports. */
    String name();

    /**
     * Computes {@code C[i, j] = (add ? C[i, j] : 0) + sum_{p < kc} Ap[p*mr + i] * Bp[p*ldbp + j]} for
     * {@code i < mr, j < nr}, where {@code Ap = ap[apOff ...]}, {@code Bp = bp[bpOff ...]} and
     * {@code C[i, j] = c[cOff + i*ldc + j]}. {@code ldbp} is {@code nr} for a packed B panel, or the
     * row stride of B when the panel is read in place. Only {@code c} is modified.
     */
    void tile(int kc, float[] ap, int apOff, float[] bp, int bpOff, int ldbp, float[] c, int cOff, int ldc,
              boolean add);

    /**
     * Whether {@link #tileRows} is implemented: the kernel can read a row-major A in place, so that
     * the driver need not pack it.
     */
    default boolean readsRowsInPlace() {
        return false;
    }

    /**
     * {@link #tile} with the A micro-panel read in place from a row-major A: {@code Ap[p*mr + i]} is
     * {@code a[aOff + i*lda + p]}; all {@link #mr()} rows must exist. Only {@code c} is modified.
     */
    default void tileRows(int kc, float[] a, int aOff, int lda, float[] bp, int bpOff, int ldbp, float[] c, int cOff,
                          int ldc, boolean add) {
        throw new UnsupportedOperationException(name() + " does not read A in place");
    }
}
