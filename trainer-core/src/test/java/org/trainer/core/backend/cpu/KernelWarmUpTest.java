package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.backend.ConvGeometry;
import org.trainer.core.backend.Storage;

/**
 * {@link KernelWarmUp} runs every kernel it warms without error, warms a family of kernels only once
 * training has used it, moves float32 exp, sigmoid, tanh and GELU to their vector loops after its
 * rounds of them, and a product or a convolution computed while it runs on another thread is
 * bitwise the one computed without it.
 */
class KernelWarmUpTest {
    private final CpuBackend be = new CpuBackend();

    @Test
    void runsEveryWarmedKernelPacedAndUnpaced() {
        KernelWarmUp.run(allFamilies(), KernelWarmUp.Work.PRODUCTS_FIRST + 3, false);
        KernelWarmUp.run(allFamilies(), KernelWarmUp.BURST + 3, true);
    }

    @Test
    void warmsOnlyTheFamiliesTrainingUses() {
        Set<KernelWarmUp.Family> used = EnumSet.of(KernelWarmUp.Family.SGD);
        KernelWarmUp.Work work = new KernelWarmUp.Work(be, used::contains);
        int rounds = KernelWarmUp.Work.PRODUCTS_FIRST + 5;
        KernelWarmUp.run(work, rounds, false);
        // The optimizers run with the elementwise kernels, after the products' first rounds.
        assertEquals(5, work.rounds(KernelWarmUp.Family.SGD));
        assertEquals(0, work.rounds(KernelWarmUp.Family.ADAM));
        assertEquals(0, work.rounds(KernelWarmUp.Family.CONVOLUTION));
        assertEquals(0, work.rounds(KernelWarmUp.Family.DOT_PRODUCT));
        // A family that training starts to use is warmed from the next round on.
        used.add(KernelWarmUp.Family.CONVOLUTION);
        KernelWarmUp.run(work, 2, false);
        assertEquals(2, work.rounds(KernelWarmUp.Family.CONVOLUTION));
        assertEquals(Sgemm.dotKernel() == null ? 0 : 2, work.rounds(KernelWarmUp.Family.DOT_PRODUCT));
    }

    @Test
    void theBackendRecordsTheFamiliesItRuns() {
        KernelWarmUp.forgetUsed();
        assertFalse(KernelWarmUp.isUsed(KernelWarmUp.Family.SGD));
        Storage w = be.fromArray(new float[] {1, 2});
        Storage g = be.fromArray(new float[] {3, 4});
        be.sgdStep(w, g, null, 0.1, 0, 0, 0, false, true);
        assertTrue(KernelWarmUp.isUsed(KernelWarmUp.Family.SGD));
        ConvGeometry geometry = new ConvGeometry(1, 1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1);
        be.conv2d(be.fromArray(new float[9]), be.fromArray(new float[4]), null, geometry, 1,
                be.allocate(DType.FLOAT32, 4));
        assertTrue(KernelWarmUp.isUsed(KernelWarmUp.Family.CONVOLUTION));
    }

    @Test
    void exponentialFunctionsMoveToVectorsOnceWarmed() {
        Assumptions.assumeTrue(VectorSupport.present(), "the Vector API is not loaded");
        FloatKernels.functionsCompiled(false);
        try {
            assertFalse(KernelWarmUp.warmFunctions(KernelWarmUp.FUNCTION_ROUNDS - 1, false));
            assertFalse(FloatKernels.functionsCompiled());
            // compiled by now (the rounds above ran them), so the next rounds are fast at once
            assertTrue(KernelWarmUp.warmFunctions(KernelWarmUp.FUNCTION_MAX_ROUNDS, false));
            assertTrue(FloatKernels.functionsCompiled());
        } finally {
            FloatKernels.functionsCompiled(false);
        }
    }

    private KernelWarmUp.Work allFamilies() {
        return new KernelWarmUp.Work(be, f -> true);
    }

    @Test
    void resultsComputedAlongsideTheWarmUpAreBitwiseUnchanged() throws InterruptedException {
        float[] before = products();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread warm = new Thread(() -> {
            try {
                KernelWarmUp.run(allFamilies(), 200, false);
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        warm.start();
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(before, products(), "while warming up, attempt " + i);
        }
        warm.join();
        assertFalse(failure.get() != null, () -> "warm-up failed: " + failure.get());
        assertArrayEquals(before, products(), "after the warm-up");
    }

    /** A dense product (split over threads) and a convolution forward, concatenated. */
    private float[] products() {
        SplittableRandom random = new SplittableRandom(5);
        int m = 130;
        int n = 70;
        int k = 300;
        Storage a = be.fromArray(values(random, m * k));
        Storage b = be.fromArray(values(random, k * n));
        Storage c = be.allocate(DType.FLOAT32, m * n);
        be.matmul(false, true, 1, m, n, k, a, 0, b, 0, c, 0, false);
        ConvGeometry g = new ConvGeometry(2, 3, 16, 16, 5, 5, 1, 1, 0, 0, 1, 1);
        Storage x = be.fromArray(values(random, 2 * 3 * 16 * 16));
        Storage w = be.fromArray(values(random, 8 * 3 * 5 * 5));
        Storage y = be.allocate(DType.FLOAT32, 2 * 8 * 12 * 12);
        be.conv2d(x, w, null, g, 8, y);
        float[] dense = be.toFloatArray(c);
        float[] conv = be.toFloatArray(y);
        float[] all = new float[dense.length + conv.length];
        System.arraycopy(dense, 0, all, 0, dense.length);
        System.arraycopy(conv, 0, all, dense.length, conv.length);
        return all;
    }

    private static float[] values(SplittableRandom random, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
