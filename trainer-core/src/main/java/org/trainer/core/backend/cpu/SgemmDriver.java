package org.trainer.core.backend.cpu;

/**
 * The cache-blocked GEMM loop nest (the BLIS structure) around a {@link SgemmKernel}. For a
 * rectangle of C it loops over column blocks of {@link #NC}, then k blocks of at most {@link #KC}
 * ({@link #KC_TRANSPOSED_A} for a transposed A)
 * (packing that block of op(B)), then row blocks of {@link #MC} (packing that block of op(A)), and
 * finally over micro-tiles, reusing each B micro-panel for every A micro-panel of the row block.
 *
 * <p>The k blocking depends on k and on whether A is transposed alone, and every element of C is
 * summed in the same order whichever rectangle it falls in, so the result does not depend on how C
 * is split across threads.
 */
final class SgemmDriver {
    /**
     * Row block, a multiple of every kernel's mr (so that {@link #packAll}'s block offsets are whole
     * micro-panels). MC x KC floats of packed A (288 KiB) and one KC x NR B micro-panel (128 KiB with
     * NR = 32) share the 1 MiB L2 of one core.
     */
    static final int MC = 72;
    /**
     * Depth block. Deep rather than L1-sized: on this class of core L2 feeds the kernel fast enough,
     * and each extra k block costs another load and store of the C tile (measured: 1024 beat 256).
     */
    static final int KC = 1024;
    /**
     * Depth block when A is transposed, as in a weight gradient dY^T X (k the batch, e.g. 2048 rows):
     * there the B panel read in place spans kc rows of B, each a cache line or more apart, and a
     * block of 1024 rows of a [2048 x 512] B (2 KiB apart) ran at 36-43 GFLOP/s where blocks of 256
     * ran at 54-58 ([128 x 2048] x [2048 x 512]); [128 x 2048] x [2048 x 128] went from 48-58 to 61-63.
     */
    static final int KC_TRANSPOSED_A = 256;
    /** Column block: KC x NC floats of packed B (at most 8 MiB) stay in the shared L3. */
    static final int NC = 2048;
    /**
     * Up to this many rows of C, a non-transposed B is read in place instead of packed: with few
     * A micro-panels to reuse it, copying B costs more than its strided reads do...
     */
    static final int DIRECT_B_MAX_ROWS = 128;
    /**
     * ...as long as its rows are short (in floats): reading a panel in place touches one row per k
     * step, and rows longer than a 4 KiB page would cost a TLB miss each (measured slower than packing).
     */
    static final int DIRECT_B_MAX_LDB = 1024;
    /**
     * ...or as long as k is this small whatever the row length: a panel then touches only this many
     * pages, and copying B would double the memory traffic of a product that does only k
     * multiply-adds per element of B (e.g. a convolution with a few input channels, whose k is
     * C*KH*KW while B has N*OH*OW columns).
     */
    static final int DIRECT_B_MAX_K = 64;

    /**
     * Up to this row length (in floats) a row-major A is read in place by {@link SgemmKernel#tileRows}
     * instead of packed: measured faster for rows of 128 floats ([2048 x 128] activations, 1.2x for
     * the product), slower for 512 (six rows 2 KiB apart, whose loads contend for the same L1 sets).
     */
    static final int DIRECT_A_MAX_LDA = 256;

    /** Per-thread pack buffers, grown on demand so that steady-state calls allocate nothing. */
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    private SgemmDriver() {
    }

    private static final class Buffers {
        float[] a = new float[0];
        float[] b = new float[0];
        float[] tile = new float[0];
    }

    /**
     * Computes rows [i0, i1) and columns [j0, j1) of C = op(A) op(B) (or C += when
     * {@code accumulate}); the arguments are those of {@link Sgemm#gemm}, already validated, with
     * k > 0. Only that rectangle of {@code c} is modified.
     */
    static void run(SgemmKernel kernel, boolean transA, boolean transB, int m, int n, int k,
                    float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate,
                    int i0, int i1, int j0, int j1) {
        run(kernel, transA, transB, m, n, k, a, aOff, null, b, bOff, c, cOff, accumulate, i0, i1, j0, j1);
    }

    /**
     * Packs all of op(A) [m, k] the way {@link #run} packs it block by block, into a new array, so
     * that products sharing one A (a convolution's weight, image after image) pack it once: pass the
     * result as {@code prepackedA} to {@link #run} with all rows (i0 = 0, i1 = m).
     */
    static float[] packAll(SgemmKernel kernel, boolean transA, int m, int k, float[] a, int aOff) {
        float[] packed = new float[packedSize(kernel, m, k)];
        packAll(kernel, transA, m, k, a, aOff, packed, false);
        return packed;
    }

    /** Blocks (k blocks times row blocks) that {@link #packAll} packs for op(A) [m, k]. */
    static int packBlocks(boolean transA, int m, int k) {
        return kBlocks(transA, k) * ((m + MC - 1) / MC);
    }

    /** The number of equal k blocks of a product of depth k: of at most {@link #KC}, or {@link #KC_TRANSPOSED_A}. */
    static int kBlocks(boolean transA, int k) {
        int kc = transA ? KC_TRANSPOSED_A : KC;
        return (k + kc - 1) / kc;
    }

    /** Floats that {@link #packAll} writes for op(A) [m, k]. */
    static int packedSize(SgemmKernel kernel, int m, int k) {
        return roundUp(m, kernel.mr()) * k;
    }

    /**
     * {@link #packAll} into {@code dst} (at least {@link #packedSize} floats), the blocks split over
     * {@link Parallel}'s threads when {@code parallel}.
     */
    static void packAll(SgemmKernel kernel, boolean transA, int m, int k, float[] a, int aOff, float[] dst,
                        boolean parallel) {
        int mr = kernel.mr();
        int kBlocks = kBlocks(transA, k);
        int mBlocks = (m + MC - 1) / MC;
        Parallel.RangeBody body = (b0, b1) -> {
            for (int blk = b0; blk < b1; blk++) {
                int kb = blk / mBlocks;
                int ic = blk % mBlocks * MC;
                int pc = (int) ((long) k * kb / kBlocks);
                int kc = (int) ((long) k * (kb + 1) / kBlocks) - pc;
                int mc = Math.min(MC, m - ic);
                // Blocks of earlier k blocks hold all m rows (rounded up to mr); this one's earlier
                // row blocks are whole MC blocks.
                int at = roundUp(m, mr) * pc + ic * kc;
                SgemmPacking.packA(transA, a, aOff, transA ? m : k, ic, mc, pc, kc, mr, dst, at);
            }
        };
        if (parallel) {
            Parallel.forRange(kBlocks * mBlocks, 1, body);
        } else {
            body.run(0, kBlocks * mBlocks);
        }
    }

    /**
     * {@link #run} with op(A) already packed by {@link #packAll} when {@code prepackedA} is not null
     * (then i0 must be 0 and i1 must be m); {@code a} is not read in that case.
     */
    static void run(SgemmKernel kernel, boolean transA, boolean transB, int m, int n, int k,
                    float[] a, int aOff, float[] prepackedA, float[] b, int bOff, float[] c, int cOff,
                    boolean accumulate, int i0, int i1, int j0, int j1) {
        int mr = kernel.mr();
        int nr = kernel.nr();
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        // Equal k blocks: a short last block would pay a full C load/store for little work.
        int kBlocks = kBlocks(transA, k);
        int kcMax = (k + kBlocks - 1) / kBlocks;
        int ncMax = Math.min(NC, j1 - j0);
        int mcMax = Math.min(MC, i1 - i0);
        boolean direct = !transB && i1 - i0 <= DIRECT_B_MAX_ROWS && (ldb <= DIRECT_B_MAX_LDB || k <= DIRECT_B_MAX_K);
        // A row-major A with short rows, in row blocks of whole micro-panels, is read in place.
        boolean directA = prepackedA == null && !transA && lda <= DIRECT_A_MAX_LDA && kernel.readsRowsInPlace();
        Buffers buffers = BUFFERS.get();
        float[] packedB = buffers.b = grow(buffers.b, kcMax * (direct ? nr : roundUp(ncMax, nr)));
        float[] packedA = buffers.a = grow(buffers.a, kcMax * roundUp(mcMax, mr));
        float[] tile = buffers.tile = grow(buffers.tile, mr * nr);
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            // Columns [0, directCols) of this block are read from B itself; the rest are packed.
            int directCols = direct ? nc / nr * nr : 0;
            int prepackedAt = 0;
            for (int kb = 0; kb < kBlocks; kb++) {
                int pc = (int) ((long) k * kb / kBlocks);
                int kc = (int) ((long) k * (kb + 1) / kBlocks) - pc;
                if (directCols < nc) {
                    SgemmPacking.packB(transB, b, bOff, ldb, pc, kc, jc + directCols, nc - directCols, nr, packedB);
                }
                Panels panels = new Panels(kc, b, bOff + pc * ldb + jc, ldb, directCols, packedB);
                boolean add = accumulate || kb > 0;
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    if (directA && mc % mr == 0) {
                        macroKernelRows(kernel, mc, nc, a, aOff + ic * lda + pc, lda, panels, c, cOff + ic * n + jc,
                                n, add, tile);
                        continue;
                    }
                    float[] ap = packedA;
                    int apOff = 0;
                    if (prepackedA == null) {
                        SgemmPacking.packA(transA, a, aOff, lda, ic, mc, pc, kc, mr, packedA);
                    } else {
                        ap = prepackedA;
                        apOff = prepackedAt;
                        prepackedAt += roundUp(mc, mr) * kc;
                    }
                    macroKernel(kernel, mc, nc, ap, apOff, panels, c, cOff + ic * n + jc, n, add, tile);
                }
            }
        }
    }

    /**
     * Where the B micro-panels of one kc x nc block live: the first {@code directCols} columns in B
     * itself (row stride {@code ldb} from {@code bOff}), the rest packed in {@code packed}.
     */
    private record Panels(int kc, float[] b, int bOff, int ldb, int directCols, float[] packed) {
    }

    /** Runs the micro-kernel over every tile of one mc x nc block of C. */
    private static void macroKernel(SgemmKernel kernel, int mc, int nc, float[] packedA, int packedAOff, Panels panels,
                                    float[] c, int cOff, int ldc, boolean add, float[] tile) {
        int mr = kernel.mr();
        int nr = kernel.nr();
        int kc = panels.kc();
        for (int jr = 0; jr < nc; jr += nr) {
            int w = Math.min(nr, nc - jr);
            boolean inPlace = jr < panels.directCols();
            float[] bp = inPlace ? panels.b() : panels.packed();
            int bpOff = inPlace ? panels.bOff() + jr : (jr - panels.directCols()) * kc;
            int ldbp = inPlace ? panels.ldb() : nr;
            for (int ir = 0; ir < mc; ir += mr) {
                int h = Math.min(mr, mc - ir);
                int ap = packedAOff + ir * kc;
                int co = cOff + ir * ldc + jr;
                if (h == mr && w == nr) {
                    kernel.tile(kc, packedA, ap, bp, bpOff, ldbp, c, co, ldc, add);
                } else {
                    // Edge tile: compute a whole tile aside and write back only the part inside C.
                    kernel.tile(kc, packedA, ap, bp, bpOff, ldbp, tile, 0, nr, false);
                    for (int i = 0; i < h; i++) {
                        int row = co + i * ldc;
                        for (int j = 0; j < w; j++) {
                            c[row + j] = add ? c[row + j] + tile[i * nr + j] : tile[i * nr + j];
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link #macroKernel} with A read in place ({@link SgemmKernel#tileRows}): rows
     * {@code a[aOff + i*lda ...]} for i &lt; mc, mc a multiple of mr.
     */
    private static void macroKernelRows(SgemmKernel kernel, int mc, int nc, float[] a, int aOff, int lda,
                                        Panels panels, float[] c, int cOff, int ldc, boolean add, float[] tile) {
        int mr = kernel.mr();
        int nr = kernel.nr();
        int kc = panels.kc();
        for (int jr = 0; jr < nc; jr += nr) {
            int w = Math.min(nr, nc - jr);
            boolean inPlace = jr < panels.directCols();
            float[] bp = inPlace ? panels.b() : panels.packed();
            int bpOff = inPlace ? panels.bOff() + jr : (jr - panels.directCols()) * kc;
            int ldbp = inPlace ? panels.ldb() : nr;
            for (int ir = 0; ir < mc; ir += mr) {
                int ao = aOff + ir * lda;
                int co = cOff + ir * ldc + jr;
                if (w == nr) {
                    kernel.tileRows(kc, a, ao, lda, bp, bpOff, ldbp, c, co, ldc, add);
                } else {
                    kernel.tileRows(kc, a, ao, lda, bp, bpOff, ldbp, tile, 0, nr, false);
                    for (int i = 0; i < mr; i++) {
                        int row = co + i * ldc;
                        for (int j = 0; j < w; j++) {
                            c[row + j] = add ? c[row + j] + tile[i * nr + j] : tile[i * nr + j];
                        }
                    }
                }
            }
        }
    }

    private static float[] grow(float[] buffer, int size) {
        return buffer.length >= size ? buffer : new float[size];
    }

    static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
