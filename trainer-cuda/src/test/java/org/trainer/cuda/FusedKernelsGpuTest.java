package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.Backends;
import org.trainer.core.backend.Capability;
import org.trainer.core.backend.Fused;
import org.trainer.core.backend.Storage;

/**
 * CUDA's layer norm, dropout mask and recurrences against the CPU backend's own fused kernels at
 * the sizes of real layers, where the conformance suite's small cases leave most paths of a grid
 * unused: many blocks per step, rows longer than a block, millions of mask elements. The dropout
 * mask must equal the CPU's bit for bit (both backends draw the same counter-based numbers).
 * Skipped without a GPU; with trainer.cuda.test.device=cpu it compares the CPU with itself.
 */
@Tag("gpu")
class FusedKernelsGpuTest {
    private static final Backend CPU = Backends.cpu();
    private static final List<DType> FLOATING = List.of(DType.FLOAT32, DType.FLOAT64);

    private static Backend gpu() {
        return Backends.get(GpuTests.device());
    }

    private static double[] random(long seed, int n, double lo, double hi) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * r.nextDouble();
        }
        return v;
    }

    private static Storage store(Backend be, DType dtype, double[] v) {
        if (v == null) {
            return null;
        }
        if (dtype == DType.FLOAT64) {
            return be.fromArray(v.clone());
        }
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return be.fromArray(f);
    }

    private static double tolerance(DType dtype) {
        return dtype == DType.FLOAT64 ? 1e-10 : 2e-4;
    }

    private static void same(String what, DType dtype, Storage cpu, Storage gpu, Backend be) {
        Close.assertClose(what + " " + dtype, CPU.toDoubleArray(cpu), be.toDoubleArray(gpu), tolerance(dtype));
    }

    @Test
    void layerNormMatchesTheCpuOnTransformerRows() {
        Backend be = gpu();
        Fused.LayerNorm mine = be.capability(Fused.LayerNorm.class).orElseThrow();
        Fused.LayerNorm ref = CPU.capability(Fused.LayerNorm.class).orElseThrow();
        for (DType dtype : FLOATING) {
            for (int[] rn : new int[][] {{1024, 768}, {300, 1000}, {4096, 64}}) {
                int rows = rn[0];
                int n = rn[1];
                double[] x = random(rows + n, rows * n, -3, 5);
                double[] w = random(1, n, 0.5, 1.5);
                double[] b = random(2, n, -1, 1);
                double[] gy = random(3, rows * n, -1, 1);
                Storage[] c = {CPU.allocate(dtype, rows * n), CPU.allocate(dtype, rows), CPU.allocate(dtype, rows),
                    CPU.allocate(dtype, rows * n), CPU.allocate(dtype, n), CPU.allocate(dtype, n)};
                Storage[] g = {be.allocate(dtype, rows * n), be.allocate(dtype, rows), be.allocate(dtype, rows),
                    be.allocate(dtype, rows * n), be.allocate(dtype, n), be.allocate(dtype, n)};
                ref.layerNorm(store(CPU, dtype, x), store(CPU, dtype, w), store(CPU, dtype, b), rows, n, 1e-5, c[0],
                        c[1], c[2]);
                mine.layerNorm(store(be, dtype, x), store(be, dtype, w), store(be, dtype, b), rows, n, 1e-5, g[0],
                        g[1], g[2]);
                ref.layerNormBackward(store(CPU, dtype, x), store(CPU, dtype, w), c[1], c[2], store(CPU, dtype, gy),
                        rows, n, c[3], c[4], c[5]);
                mine.layerNormBackward(store(be, dtype, x), store(be, dtype, w), g[1], g[2], store(be, dtype, gy),
                        rows, n, g[3], g[4], g[5]);
                String[] names = {"y", "mean", "rstd", "gx", "gWeight", "gBias"};
                for (int i = 0; i < names.length; i++) {
                    same("layerNorm " + rows + "x" + n + " " + names[i], dtype, c[i], g[i], be);
                }
            }
        }
    }

    @Test
    void dropoutMaskEqualsTheCpuMaskBitForBit() {
        Backend be = gpu();
        Fused.DropoutMask mine = be.capability(Fused.DropoutMask.class).orElseThrow();
        Fused.DropoutMask ref = CPU.capability(Fused.DropoutMask.class).orElseThrow();
        int size = (1 << 21) + 3;
        for (double p : new double[] {0.1, 0.5}) {
            for (long seed : new long[] {42, Long.MIN_VALUE}) {
                Storage c = CPU.allocate(DType.FLOAT32, size);
                Storage g = be.allocate(DType.FLOAT32, size);
                ref.dropoutMask(c, p, seed);
                mine.dropoutMask(g, p, seed);
                float[] want = CPU.toFloatArray(c);
                float[] got = be.toFloatArray(g);
                for (int i = 0; i < size; i++) {
                    if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                        fail("dropoutMask p " + p + ", seed " + seed + ": element " + i + " is " + got[i]
                                + ", the CPU's is " + want[i]);
                    }
                }
            }
        }
    }

    /** {T, N, H}: many blocks per step (N H = 1536 threads), and an odd size. */
    private static final int[][] SIZES = {{12, 16, 96}, {7, 5, 33}};

    /** One recurrence's forward and backward on one backend: its results, in the order of the names given. */
    @FunctionalInterface
    private interface Recurrence<F> {
        Storage[] run(Backend b, F f, DType dtype, int t, int n, int h, boolean reverse);
    }

    /**
     * Runs {@code recurrence} on the CPU's capability and on the device's, for every dtype, size and
     * direction, and compares the results named {@code names}. Inputs are drawn from fixed seeds
     * inside {@code recurrence}, so both backends see the same numbers.
     */
    private static <F extends Capability> void matchesTheCpu(Class<F> capability, String kind,
                                                                  Recurrence<F> recurrence, String... names) {
        Backend be = gpu();
        F mine = be.capability(capability).orElseThrow();
        F ref = CPU.capability(capability).orElseThrow();
        for (DType dtype : FLOATING) {
            for (int[] sz : SIZES) {
                for (boolean reverse : new boolean[] {false, true}) {
                    Storage[][] s = {recurrence.run(CPU, ref, dtype, sz[0], sz[1], sz[2], reverse),
                        recurrence.run(be, mine, dtype, sz[0], sz[1], sz[2], reverse)};
                    compare(kind.replace("%", reverse ? "relu" : "tanh"), sz, reverse, dtype, s, be, names);
                }
            }
        }
    }

    @Test
    void lstmMatchesTheCpuAtLayerSizes() {
        matchesTheCpu(Fused.Lstm.class, "lstm", (b, f, dtype, t, n, h, reverse) -> {
            int nh = n * h;
            Storage w = store(b, dtype, random(11, 4 * h * h, -0.2, 0.2));
            Storage h0 = store(b, dtype, random(13, nh, -1, 1));
            Storage c0 = store(b, dtype, random(14, nh, -1, 1));
            Storage out = b.allocate(dtype, (t + 1) * nh);
            Storage cs = b.allocate(dtype, t * nh);
            Storage gates = b.allocate(dtype, t * 4 * nh);
            assertTrue(f.lstmForward(t, n, h, reverse, store(b, dtype, random(10, t * 4 * nh, -1, 1)), w,
                    store(b, dtype, random(12, 4 * h, -0.5, 0.5)), h0, c0, out, cs, gates));
            Storage[] grads = {b.allocate(dtype, t * 4 * nh), b.allocate(dtype, 4 * h * h), b.allocate(dtype, 4 * h),
                b.allocate(dtype, nh), b.allocate(dtype, nh)};
            assertTrue(f.lstmBackward(t, n, h, reverse, w, h0, c0, out, cs, gates,
                    store(b, dtype, random(15, (t + 1) * nh, -1, 1)), grads[0], grads[1], grads[2], grads[3], grads[4],
                    b.allocate(dtype, nh), b.allocate(dtype, nh)));
            return new Storage[] {out, cs, gates, grads[0], grads[1], grads[2], grads[3], grads[4]};
        }, "out", "cs", "gates", "gxProj", "gw", "gb", "gh0", "gc0");
    }

    @Test
    void gruMatchesTheCpuAtLayerSizes() {
        matchesTheCpu(Fused.Gru.class, "gru", (b, f, dtype, t, n, h, reverse) -> {
            int nh = n * h;
            Storage w = store(b, dtype, random(21, 3 * h * h, -0.2, 0.2));
            Storage h0 = store(b, dtype, random(23, nh, -1, 1));
            Storage out = b.allocate(dtype, t * nh);
            Storage gates = b.allocate(dtype, t * 3 * nh);
            Storage hn = b.allocate(dtype, t * nh);
            assertTrue(f.gruForward(t, n, h, reverse, store(b, dtype, random(20, t * 3 * nh, -1, 1)), w,
                    store(b, dtype, random(22, 3 * h, -0.5, 0.5)), h0, out, gates, hn));
            Storage[] grads = {b.allocate(dtype, t * 3 * nh), b.allocate(dtype, t * 3 * nh),
                b.allocate(dtype, 3 * h * h), b.allocate(dtype, 3 * h), b.allocate(dtype, nh)};
            assertTrue(f.gruBackward(t, n, h, reverse, w, h0, out, gates, hn, store(b, dtype, random(24, t * nh, -1, 1)),
                    grads[0], grads[1], grads[2], grads[3], grads[4], b.allocate(dtype, nh)));
            return new Storage[] {out, gates, hn, grads[0], grads[1], grads[2], grads[3], grads[4]};
        }, "out", "gates", "hn", "gxProj", "gp", "gw", "gb", "gh0");
    }

    @Test
    void rnnMatchesTheCpuAtLayerSizes() {
        // The reversed cases use ReLU, the others tanh ("rnn %" names the one of each case).
        matchesTheCpu(Fused.Rnn.class, "rnn %", (b, f, dtype, t, n, h, reverse) -> {
            boolean relu = reverse;
            int nh = n * h;
            Storage w = store(b, dtype, random(31, h * h, -0.2, 0.2));
            Storage h0 = store(b, dtype, random(33, nh, -1, 1));
            Storage out = b.allocate(dtype, t * nh);
            assertTrue(f.rnnForward(t, n, h, reverse, relu, store(b, dtype, random(30, t * nh, -1, 1)), w,
                    store(b, dtype, random(32, h, -0.5, 0.5)), h0, out));
            Storage[] grads = {b.allocate(dtype, t * nh), b.allocate(dtype, h * h), b.allocate(dtype, h),
                b.allocate(dtype, nh)};
            assertTrue(f.rnnBackward(t, n, h, reverse, relu, w, h0, out, store(b, dtype, random(34, t * nh, -1, 1)),
                    grads[0], grads[1], grads[2], grads[3], b.allocate(dtype, nh)));
            return new Storage[] {out, grads[0], grads[1], grads[2], grads[3]};
        }, "out", "gxProj", "gw", "gb", "gh0");
    }

    /** s[0] the CPU's results, s[1] the device's, in the order of names. */
    private static void compare(String kind, int[] sz, boolean reverse, DType dtype, Storage[][] s, Backend be,
                                String... names) {
        assertEquals(names.length, s[0].length);
        for (int i = 0; i < names.length; i++) {
            same(kind + " " + java.util.Arrays.toString(sz) + (reverse ? " reversed " : " ") + names[i], dtype,
                    s[0][i], s[1][i], be);
        }
    }
}
