package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.backend.ConvGeometry;
import org.trainer.core.backend.Storage;

/**
 * {@link KernelWarmUp} runs every kernel it warms without error, and a product or a convolution
 * computed while it runs on another thread is bitwise the one computed without it.
 */
class KernelWarmUpTest {
    private final CpuBackend be = new CpuBackend();

    @Test
    void runsEveryWarmedKernelPacedAndUnpaced() {
        KernelWarmUp.run(be, 3);
        KernelWarmUp.run(be, KernelWarmUp.BURST + 3, true);
    }

    @Test
    void resultsComputedAlongsideTheWarmUpAreBitwiseUnchanged() throws InterruptedException {
        float[] before = products();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread warm = new Thread(() -> {
            try {
                KernelWarmUp.run(be, 200);
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
