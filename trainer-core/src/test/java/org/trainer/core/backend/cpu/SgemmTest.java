package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks {@link Sgemm#gemm} against a double-precision reference for every transposition, with both
 * micro-kernels and one and two threads.
 */
@ExtendWith(RestoresThreadCount.class)
class SgemmTest {
    /**
     * {m, n, k}: unit, odd edge tiles, one-column and one-row products, exact tiles, B read in place,
     * several k blocks and row blocks, more than one column block, and products big enough to be split
     * over threads by rows and by columns.
     */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {7, 13, 5}, {33, 65, 17}, {100, 1, 300}, {1, 100, 3}, {6, 32, 8}, {12, 64, 1},
        {64, 512, 20}, {200, 33, 7}, {73, 97, 1030}, {5, 2100, 3}, {150, 90, 700}, {40, 400, 600},
        // tiny C, deep k: a convolution weight gradient (with transB, the dot-product kernel: exact
        // blocks, edge blocks on both sides, k past one chunk with a tail, k a whole number of vectors)
        {32, 25, 5000}, {3, 2, 4101}, {33, 27, 3000}, {9, 11, 8200}, {4, 5, 1024},
        // split over threads by columns with op(A) packed once and shared: several row blocks (the
        // last one partial), and two k blocks
        {150, 200, 300}, {80, 130, 1100},
        // a row-major A read in place (short rows, row blocks of whole micro-panels) with an edge
        // column tile, and a last row block that is packed
        {144, 40, 128}, {150, 48, 256},
    };

    @AfterEach
    void restoreKernel() {
        Sgemm.forcePortableKernel(false);
    }

    static Stream<Arguments> configurations() {
        List<Arguments> list = new ArrayList<>();
        for (boolean portable : new boolean[] {false, true}) {
            for (int threads : new int[] {1, 2}) {
                for (boolean transA : new boolean[] {false, true}) {
                    for (boolean transB : new boolean[] {false, true}) {
                        list.add(Arguments.of(portable, threads, transA, transB));
                    }
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "portable={0} threads={1} transA={2} transB={3}")
    @MethodSource("configurations")
    void matchesDoublePrecisionReference(boolean portable, int threads, boolean transA, boolean transB) {
        Sgemm.forcePortableKernel(portable);
        Parallel.setThreads(threads);
        SplittableRandom random = new SplittableRandom(42);
        for (int[] shape : SHAPES) {
            check(random, transA, transB, shape[0], shape[1], shape[2], false, 0, 0, 0);
            check(random, transA, transB, shape[0], shape[1], shape[2], true, 3, 5, 7);
        }
    }

    @Test
    void zeroDepthZeroesOrKeepsC() {
        float[] c = {1, 2, 3, 4, 5, 6, 7};
        Sgemm.gemm(false, false, 2, 3, 0, new float[0], 0, new float[0], 0, c, 1, true);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7}, c);
        Sgemm.gemm(true, true, 2, 3, 0, new float[0], 0, new float[0], 0, c, 1, false);
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 0, 0}, c);
    }

    @Test
    void emptyOutputLeavesEverythingAlone() {
        float[] c = {9};
        Sgemm.gemm(false, false, 0, 5, 4, new float[0], 0, new float[20], 0, c, 0, false);
        Sgemm.gemm(false, false, 5, 0, 4, new float[20], 0, new float[0], 0, c, 0, false);
        assertArrayEquals(new float[] {9}, c);
    }

    @Test
    void resultsAreBitwiseIdenticalAcrossRunsAndThreadCounts() {
        int m = 150;
        int n = 90;
        int k = 1100;
        SplittableRandom random = new SplittableRandom(7);
        float[] a = randomArray(random, m * k);
        float[] b = randomArray(random, k * n);
        for (boolean transB : new boolean[] {false, true}) {
            Parallel.setThreads(1);
            float[] one = new float[m * n];
            Sgemm.gemm(false, transB, m, n, k, a, 0, b, 0, one, 0, false);
            Parallel.setThreads(2);
            float[] two = new float[m * n];
            Sgemm.gemm(false, transB, m, n, k, a, 0, b, 0, two, 0, false);
            float[] again = new float[m * n];
            Sgemm.gemm(false, transB, m, n, k, a, 0, b, 0, again, 0, false);
            assertArrayEquals(two, again);
            assertArrayEquals(one, two);
        }
    }

    @Test
    void dotKernelResultsAreBitwiseIdenticalAcrossThreadCounts() {
        int m = 41;
        int n = 30;
        int k = 9000;
        assertTrue(Sgemm.prefersDot(false, true, m, n, k));
        SplittableRandom random = new SplittableRandom(11);
        float[] a = randomArray(random, m * k);
        float[] b = randomArray(random, n * k);
        Parallel.setThreads(1);
        float[] one = new float[m * n];
        Sgemm.gemm(false, true, m, n, k, a, 0, b, 0, one, 0, false);
        Parallel.setThreads(2);
        float[] two = new float[m * n];
        Sgemm.gemm(false, true, m, n, k, a, 0, b, 0, two, 0, false);
        assertArrayEquals(one, two);
    }

    @Test
    void dotKernelTakesTheConvolutionWeightGradientShapes() {
        assertTrue(Sgemm.prefersDot(false, true, 32, 25, 36864));
        assertTrue(Sgemm.prefersDot(false, true, 3, 2, 4101));
        assertFalse(Sgemm.prefersDot(false, false, 32, 25, 36864));
        assertFalse(Sgemm.prefersDot(true, true, 32, 25, 36864));
        assertFalse(Sgemm.prefersDot(false, true, 256, 512, 784));
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        assertTrue(Sgemm.dotKernel() != null);
        Sgemm.forcePortableKernel(true);
        assertTrue(Sgemm.dotKernel() == null);
    }

    /**
     * {@link SgemmFmaKernel}, which runs small products until the vector kernel is loaded, gives the
     * vector kernel's bits exactly, in every shape, transposition and with accumulation; and a small
     * product through {@link Sgemm#gemm} does too, whichever of the two ran it.
     */
    @Test
    void fmaKernelResultsAreBitwiseTheVectorKernels() {
        assumeTrue(VectorSupport.present());
        SgemmKernel vector = Sgemm.kernel();
        assumeTrue(vector.name().startsWith("vector"), vector.name());
        SgemmKernel fma = new SgemmFmaKernel();
        SplittableRandom random = new SplittableRandom(7);
        for (int[] shape : SHAPES) {
            int m = shape[0];
            int n = shape[1];
            int k = shape[2];
            for (boolean transA : new boolean[] {false, true}) {
                for (boolean transB : new boolean[] {false, true}) {
                    for (boolean accumulate : new boolean[] {false, true}) {
                        float[] a = randomArray(random, m * k);
                        float[] b = randomArray(random, k * n);
                        float[] c = randomArray(random, m * n);
                        float[] byVector = c.clone();
                        float[] byFma = c.clone();
                        float[] byGemm = c.clone();
                        SgemmDriver.run(vector, transA, transB, m, n, k, a, 0, b, 0, byVector, 0, accumulate, 0, m, 0, n);
                        SgemmDriver.run(fma, transA, transB, m, n, k, a, 0, b, 0, byFma, 0, accumulate, 0, m, 0, n);
                        String where = "m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB
                                + " accumulate=" + accumulate;
                        assertArrayEquals(byVector, byFma, where);
                        if (!Sgemm.prefersDot(transA, transB, m, n, k)) {
                            Sgemm.gemm(transA, transB, m, n, k, a, 0, b, 0, byGemm, 0, accumulate);
                            assertArrayEquals(byVector, byGemm, where);
                        }
                    }
                }
            }
        }
    }

    @Test
    void smallProductsRunOnTheFmaKernelOnlyUntilTheVectorKernelIsLoaded() {
        Sgemm.forcePortableKernel(true);
        assertEquals(Sgemm.kernel(), Sgemm.kernel(1));
        Sgemm.forcePortableKernel(false);
        assertEquals(Sgemm.kernel(), Sgemm.kernel(Sgemm.FMA_MAX_WORK + 1));
        if (Sgemm.kernel().name().startsWith("vector")) { // loaded by the call before: small products take it too
            assertEquals(Sgemm.kernel(), Sgemm.kernel(1));
        }
    }

    @Test
    void usesVectorKernelWhenModuleIsPresent() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        assertTrue(Sgemm.kernelName().startsWith("vector"), Sgemm.kernelName());
        Sgemm.forcePortableKernel(true);
        assertTrue(Sgemm.kernelName().startsWith("portable"), Sgemm.kernelName());
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        float[] x = new float[12];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sgemm.gemm(false, false, -1, 2, 2, x, 0, x, 0, x, 0, false));
        assertEquals("gemm: m must be >= 0, got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Sgemm.gemm(false, false, 3, 4, 2, x, 0, new float[7], 0, x, 0, false));
        assertTrue(e.getMessage().contains("b [k, n] = [2, 4] needs 8 elements"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Sgemm.gemm(false, false, 3, 4, 2, x, 0, x, 0, x, 1, false));
        assertTrue(e.getMessage().contains("c [m, n] = [3, 4] needs 12 elements from offset 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Sgemm.gemm(true, false, 3, 4, 2, x, -1, x, 0, x, 0, false));
        assertTrue(e.getMessage().contains("a [k, m] = [2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Sgemm.gemm(false, false, 1, 1, 1, null, 0, x, 0, x, 0, false));
        assertEquals("gemm: a must not be null", e.getMessage());
    }

    /**
     * Runs one product with offsets and guard values around every operand, and compares it with the
     * double-precision sum. The tolerance grows with sqrt(k) times the sum of |a*b| terms, which
     * bounds float rounding with room to spare yet is far below the error of any indexing mistake.
     */
    private static void check(SplittableRandom random, boolean transA, boolean transB, int m, int n, int k,
                              boolean accumulate, int aOff, int bOff, int cOff) {
        float[] a = randomArray(random, aOff + m * k + 2);
        float[] b = randomArray(random, bOff + k * n + 2);
        float[] c = randomArray(random, cOff + m * n + 2);
        float[] before = c.clone();
        Sgemm.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
        String where = "transA=" + transA + " transB=" + transB + " m=" + m + " n=" + n + " k=" + k
                + " accumulate=" + accumulate + " offsets=" + aOff + "," + bOff + "," + cOff + " kernel="
                + Sgemm.kernelName() + " threads=" + Parallel.threads();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = accumulate ? before[cOff + i * n + j] : 0;
                double magnitude = Math.abs(sum);
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                    double bv = transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
                    sum += av * bv;
                    magnitude += Math.abs(av * bv);
                }
                double tolerance = 1e-6 * Math.sqrt(k + 1.0) * magnitude + 1e-30;
                float actual = c[cOff + i * n + j];
                if (!(Math.abs(actual - sum) <= tolerance)) {
                    throw new AssertionError("C[" + i + ", " + j + "] = " + actual + ", expected " + sum
                            + " +- " + tolerance + " (" + where + ")");
                }
            }
        }
        for (int x = 0; x < cOff; x++) {
            assertEquals(before[x], c[x], "C before its offset was written (" + where + ")");
        }
        for (int x = cOff + m * n; x < c.length; x++) {
            assertEquals(before[x], c[x], "C past its end was written (" + where + ")");
        }
    }

    private static float[] randomArray(SplittableRandom random, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return x;
    }
}
