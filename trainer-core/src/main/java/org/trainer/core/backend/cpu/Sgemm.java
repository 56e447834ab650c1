package org.trainer.core.backend.cpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-precision matrix product on row-major arrays: C = op(A) x op(B) (or C += ... when
 * {@code accumulate}), where op(A) is [m, k] and op(B) is [k, n]. A is stored [m, k], or [k, m] when
 * {@code transA}; B is stored [k, n], or [n, k] when {@code transB}; C is [m, n]. Only C is written.
 *
 * <p>The work runs in {@link SgemmDriver} (cache blocking and packing) around a register-blocked
 * micro-kernel: {@code VectorSgemmKernel} when the {@code jdk.incubator.vector} module is in the
 * boot layer, otherwise {@link SgemmPortableKernel}. A small C = A B^T with a long k (a convolution's
 * weight gradient) goes instead to {@link SgemmDotKernel}, which reads both operands in place; see
 * {@link #prefersDot}. Large products are split into disjoint blocks of C over {@link Parallel}'s
 * threads, never along k, and each element is summed in the same order however C is split, so
 * results are bitwise reproducible for a given kernel.
 */
public final class Sgemm {
    /**
     * The logger, created on first use: slf4j's set-up looks up its provider on the whole class path, and only
     * a JVM without the Vector API logs here.
     */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(Sgemm.class);
    }

    /**
     * Below this many multiply-adds (about 80 us on one core) waking pool threads costs more than
     * they save: 128^3 (2M) measured slower on two threads than on one.
     */
    private static final long PARALLEL_MIN_WORK = 1L << 23;

    /** Largest C (elements) for the dot-product kernel; see {@link #prefersDot}. */
    private static final long DOT_MAX_OUTPUTS = 16384;

    private static volatile boolean forcePortable;

    /**
     * Largest op(A) (floats, 16 MiB) packed once and shared by the threads that split C's columns;
     * a larger one is packed by each thread, block by block, rather than kept whole per calling thread.
     */
    private static final int SHARED_A_MAX = 1 << 22;

    /** The calling thread's buffer for an op(A) packed once and shared by the threads; grown on demand. */
    private static final ThreadLocal<float[]> SHARED_A = ThreadLocal.withInitial(() -> new float[0]);

    private Sgemm() {
    }

    /**
     * Up to this many multiply-adds (about 0.1 ms on one core with the vector kernel) a product runs on
     * {@link SgemmFmaKernel} while the Vector API kernels are not loaded (and always where vectors are
     * too narrow for them): the quick start's products (at most [256 x 64] x [64 x 128], 2M) never
     * load them. Its results are the vector kernel's, so which of the two runs a product never shows.
     */
    static final long FMA_MAX_WORK = 1L << 22;

    /**
     * Small products that {@link SgemmFmaKernel} serves before the vector kernel is loaded for them
     * too. It runs them 2 to 10 times slower once both are compiled, so a long run of a model made only
     * of small products is better off paying the Vector API's cold start once; the quick start (20
     * epochs of 45 steps, five products each, about 4,600 in all) stays below this.
     */
    static final int FMA_MAX_PRODUCTS = 1 << 14;

    private static final SgemmKernel PORTABLE = new SgemmPortableKernel();
    private static final SgemmKernel FMA = new SgemmFmaKernel();
    /** Whether the jdk.incubator.vector module is in the boot layer (where SGEMM's results are fused multiply-adds). */
    private static final boolean VECTOR_MODULE = VectorSupport.present();
    /** Set once {@link Kernels} has loaded the vector kernel; until then small products run on {@link #FMA}. */
    private static volatile boolean vectorLoaded;
    /** Small products run on {@link #FMA} so far; counted without synchronization, so about that many. */
    private static int fmaProducts;

    /** Loads the vector kernel lazily, so that nothing touches the Vector API unless it is present. */
    private static final class Kernels {
        static final SgemmKernel BEST = selectBest();
        /** The dot-product kernel that goes with {@link #BEST}, or null when BEST is portable. */
        static final SgemmDotKernel DOT = BEST == PORTABLE ? null : selectDot();

        static {
            vectorLoaded = BEST != PORTABLE;
        }

        private static SgemmDotKernel selectDot() {
            return VectorSupport.load(SgemmDotKernel.class, "VectorSgemmDot", false, "SGEMM packs every product");
        }

        private static SgemmKernel selectBest() {
            if (!VectorSupport.present()) {
                VectorSupport.warnIfMissing();
                Log.LOG.info("jdk.incubator.vector is not available: SGEMM uses the portable kernel, "
                        + "which is many times slower; add --add-modules jdk.incubator.vector to the java command line");
                return PORTABLE;
            }
            SgemmKernel best = VectorSupport.load(SgemmKernel.class, "VectorSgemmKernel", true,
                    "SGEMM uses the portable kernel");
            return best == null ? PORTABLE : best;
        }
    }

    /** Forces the portable kernel even when the Vector API is present; for tests. */
    static void forcePortableKernel(boolean force) {
        forcePortable = force;
    }

    /** The kernel that {@link #gemm} uses now for large products (and that convolutions pack for). */
    static SgemmKernel kernel() {
        return forcePortable ? PORTABLE : Kernels.BEST;
    }

    /**
     * The kernel for a product of {@code work} multiply-adds: {@link #FMA} for a small one while the
     * vector kernel is not loaded, for the first {@link #FMA_MAX_PRODUCTS} of them (and always where
     * vectors are too narrow for the vector kernel, so that a small product's result never depends on
     * what ran before it); otherwise {@link #kernel()}.
     */
    static SgemmKernel kernel(long work) {
        if (work > FMA_MAX_WORK || !VECTOR_MODULE || forcePortable || vectorLoaded) {
            return kernel();
        }
        if (fmaProducts < FMA_MAX_PRODUCTS) {
            fmaProducts++;
            return FMA;
        }
        return Kernels.BEST == PORTABLE ? FMA : Kernels.BEST;
    }

    /** The dot-product kernel for products of k-contiguous operands, or null (portable kernel). */
    static SgemmDotKernel dotKernel() {
        return forcePortable ? null : Kernels.DOT;
    }

    /**
     * Whether C = A B^T (A [m, k], B [n, k]) goes to the dot-product kernel: when k is long next to
     * both sides of C and C is small, packing (which copies and transposes B) costs more than the
     * few outputs gain from the micro-kernel. Measured on one core for convolution weight gradients:
     * [32 x 36864] x [36864 x 25] took 0.75 ms instead of 2.6 ms; [64 x 4096] x [4096 x 800] ran at
     * the packed path's speed, so larger C (whose accumulators the dot kernel keeps aside) stays packed.
     */
    static boolean prefersDot(boolean transA, boolean transB, int m, int n, int k) {
        return !transA && transB && k >= 1024 && k >= 4L * Math.max(m, n) && (long) m * n <= DOT_MAX_OUTPUTS;
    }

    /**
     * A short description of the active micro-kernel, e.g. for benchmark reports.
     *
     * @return the description
     */
    public static String kernelName() {
        return kernel().name();
    }

    /**
     * Computes {@code C = op(A) op(B)}, or {@code C += op(A) op(B)} when {@code accumulate}, that is
     * {@code C[i, j] (+)= sum_{p < k} op(A)[i, p] * op(B)[p, j]} for {@code i < m, j < n}.
     *
     * @param transA     whether A is stored [k, m] (so op(A) = A^T) rather than [m, k]
     * @param transB     whether B is stored [n, k] (so op(B) = B^T) rather than [k, n]
     * @param m          rows of op(A) and C
     * @param n          columns of op(B) and C
     * @param k          columns of op(A), rows of op(B); with k = 0, C is zeroed (or left as is
     *                   when accumulating)
     * @param a          A, read from {@code aOff}, m*k elements, row-major
     * @param aOff       the offset of A in its array
     * @param b          B, read from {@code bOff}, k*n elements, row-major
     * @param bOff       the offset of B in its array
     * @param c          C, [m, n] row-major from {@code cOff}; the only argument modified
     * @param cOff       the offset of C in its array
     * @param accumulate add the product to C instead of overwriting it
     * @throws IllegalArgumentException if a size or offset is negative or an array is too short
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k,
                            float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        checkSize("m", m);
        checkSize("n", n);
        checkSize("k", k);
        checkArray("a", a, aOff, transA ? "[k, m]" : "[m, k]", transA ? k : m, transA ? m : k);
        checkArray("b", b, bOff, transB ? "[n, k]" : "[k, n]", transB ? n : k, transB ? k : n);
        checkArray("c", c, cOff, "[m, n]", m, n);
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                java.util.Arrays.fill(c, cOff, cOff + m * n, 0f);
            }
            return;
        }
        long work = (long) m * n * k;
        SgemmDotKernel dot = prefersDot(transA, transB, m, n, k) ? dotKernel() : null;
        if (dot != null) {
            KernelWarmUp.used(KernelWarmUp.Family.DOT_PRODUCT);
            dotProduct(dot, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, work);
            return;
        }
        SgemmKernel kernel = kernel(work);
        if (Parallel.threads() == 1 || work < PARALLEL_MIN_WORK) {
            SgemmDriver.run(kernel, transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate, 0, m, 0, n);
            return;
        }
        // Splitting rows makes every thread pack all of op(B), splitting columns all of op(A) (unless
        // it is packed once and shared, below): split the dimension whose duplicated packing is the
        // smaller.
        if (m >= n) {
            int unit = kernel.mr();
            int units = (m + unit - 1) / unit;
            int minUnits = minUnits(work / units);
            Parallel.forRange(units, minUnits, (u0, u1) -> SgemmDriver.run(kernel, transA, transB, m, n, k,
                    a, aOff, b, bOff, c, cOff, accumulate, u0 * unit, Math.min(m, u1 * unit), 0, n));
        } else {
            int unit = kernel.nr();
            int units = (n + unit - 1) / unit;
            int minUnits = minUnits(work / units);
            int size = SgemmDriver.packedSize(kernel, m, k);
            if (size > SHARED_A_MAX || SgemmDriver.packBlocks(transA, m, k) < Parallel.threads()) {
                Parallel.forRange(units, minUnits, (u0, u1) -> SgemmDriver.run(kernel, transA, transB, m, n, k,
                        a, aOff, b, bOff, c, cOff, accumulate, 0, m, u0 * unit, Math.min(n, u1 * unit)));
                return;
            }
            // Every column range needs all of op(A): pack it once, the threads sharing the work,
            // instead of once per thread. (With fewer blocks than threads, as for [64 x 784], the
            // threads would wait on one packer: each packs its own copy at the same time instead.)
            float[] packedA = SHARED_A.get();
            if (packedA.length < size) {
                packedA = new float[size];
                SHARED_A.set(packedA);
            }
            float[] pa = packedA;
            SgemmDriver.packAll(kernel, transA, m, k, a, aOff, pa, true);
            Parallel.forRange(units, minUnits, (u0, u1) -> SgemmDriver.run(kernel, transA, transB, m, n, k,
                    a, aOff, pa, b, bOff, c, cOff, accumulate, 0, m, u0 * unit, Math.min(n, u1 * unit)));
        }
    }

    /**
     * {@link #gemm} on the calling thread alone, for callers that already split their work over
     * {@link Parallel}'s threads; the arguments are trusted (package-private callers validate them).
     */
    static void gemmSerial(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, float[] b,
                           int bOff, float[] c, int cOff, boolean accumulate) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                java.util.Arrays.fill(c, cOff, cOff + m * n, 0f);
            }
            return;
        }
        SgemmDotKernel dot = prefersDot(transA, transB, m, n, k) ? dotKernel() : null;
        if (dot != null) {
            KernelWarmUp.used(KernelWarmUp.Family.DOT_PRODUCT);
            dot.run(m, n, k, 1, a, aOff, k, 0, b, bOff, k, 0, c, cOff, n, accumulate, 0, m, 0, n);
            return;
        }
        SgemmDriver.run(kernel((long) m * n * k), transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate,
                0, m, 0, n);
    }

    /** Runs the dot-product kernel, splitting C over threads along its longer side in whole blocks. */
    private static void dotProduct(SgemmDotKernel dot, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                                   float[] c, int cOff, boolean accumulate, long work) {
        if (Parallel.threads() == 1 || work < PARALLEL_MIN_WORK) {
            dot.run(m, n, k, 1, a, aOff, k, 0, b, bOff, k, 0, c, cOff, n, accumulate, 0, m, 0, n);
            return;
        }
        int rowUnits = (m + dot.rowBlock() - 1) / dot.rowBlock();
        int colUnits = (n + dot.colBlock() - 1) / dot.colBlock();
        if (rowUnits >= colUnits) {
            int unit = dot.rowBlock();
            Parallel.forRange(rowUnits, minUnits(work / rowUnits), (u0, u1) -> dot.run(m, n, k, 1, a, aOff, k, 0,
                    b, bOff, k, 0, c, cOff, n, accumulate, u0 * unit, Math.min(m, u1 * unit), 0, n));
        } else {
            int unit = dot.colBlock();
            Parallel.forRange(colUnits, minUnits(work / colUnits), (u0, u1) -> dot.run(m, n, k, 1, a, aOff, k, 0,
                    b, bOff, k, 0, c, cOff, n, accumulate, 0, m, u0 * unit, Math.min(n, u1 * unit)));
        }
    }

    /** Units of work per thread so that each thread gets at least half of the parallel threshold. */
    private static int minUnits(long workPerUnit) {
        return (int) Math.max(1, (PARALLEL_MIN_WORK / 2) / Math.max(1, workPerUnit));
    }

    private static void checkSize(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("gemm: " + name + " must be >= 0, got " + value);
        }
    }

    private static void checkArray(String name, float[] array, int offset, String shape, int rows, int cols) {
        if (array == null) {
            throw new IllegalArgumentException("gemm: " + name + " must not be null");
        }
        long needed = (long) rows * cols;
        if (offset < 0 || offset + needed > array.length) {
            throw new IllegalArgumentException("gemm: " + name + " " + shape + " = [" + rows + ", " + cols
                    + "] needs " + needed + " elements from offset " + offset + ", but " + name + ".length is "
                    + array.length);
        }
    }
}
