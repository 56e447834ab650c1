package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.Backends;
import org.trainer.core.backend.Fused;
import org.trainer.core.backend.Storage;

/**
 * The device's fused one-pass optimizer steps (adamStep, rmspropStep, adagradStep) against the CPU
 * backend's fused loops, on random state, for each option and both floating dtypes; and its group
 * steps (sgdSteps, adamSteps, one launch per table of tensors) against its own single-tensor steps,
 * bit for bit, and the CPU's, within the same tolerance.
 */
@Tag("gpu")
class FusedOptimizerTest {
    private static final int N = 10_007;
    private static final DType[] DTYPES = {DType.FLOAT32, DType.FLOAT64};

    private static double tol(DType dtype) {
        return dtype == DType.FLOAT32 ? 1e-5 : 1e-6;
    }

    /** The backend under test: the GPU, or the CPU itself under trainer.cuda.test.device=cpu. */
    private static Backend device() {
        return Backends.get(GpuTests.device());
    }

    /** Uniform in [lo, hi), rounded to the dtype so that both backends start from the same values. */
    private static double[] uniform(Random r, int n, double lo, double hi, DType dtype) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            double x = lo + (hi - lo) * r.nextDouble();
            a[i] = dtype == DType.FLOAT32 ? (float) x : x;
        }
        return a;
    }

    private static Fused.Sgd sgd(Backend b) {
        return b.capability(Fused.Sgd.class).orElseThrow();
    }

    private static Fused.Adam adam(Backend b) {
        return b.capability(Fused.Adam.class).orElseThrow();
    }

    private static Fused.Rmsprop rmsprop(Backend b) {
        return b.capability(Fused.Rmsprop.class).orElseThrow();
    }

    private static Fused.Adagrad adagrad(Backend b) {
        return b.capability(Fused.Adagrad.class).orElseThrow();
    }

    private static Storage put(Backend be, double[] a, DType dtype) {
        if (dtype == DType.FLOAT64) {
            return be.fromArray(a.clone());
        }
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return be.fromArray(f);
    }

    /** The same named state on the CPU and on the device under test. */
    private static final class Pair {
        final Backend cpu = Backends.cpu();
        final Backend dev = device();
        final DType dtype;
        final String where;

        Pair(DType dtype, String where) {
            this.dtype = dtype;
            this.where = where + " " + dtype;
        }

        Storage[] of(double[] a) {
            return a == null ? new Storage[2] : new Storage[] {put(cpu, a, dtype), put(dev, a, dtype)};
        }

        void check(String name, Storage[] s) {
            if (s[0] != null) {
                Close.assertClose(where + ": " + name, cpu.toDoubleArray(s[0]), dev.toDoubleArray(s[1]), tol(dtype));
            }
        }
    }

    private static void adam(DType dtype, int n, boolean amsgrad, boolean decoupled, double weightDecay, int steps,
                             long seed) {
        Random r = new Random(seed);
        Pair p = new Pair(dtype, "adam amsgrad=" + amsgrad + " decoupled=" + decoupled + " wd=" + weightDecay
                + " steps=" + steps + " n=" + n);
        Storage[] w = p.of(uniform(r, n, -1, 1, dtype));
        Storage[] m = p.of(uniform(r, n, -0.5, 0.5, dtype));
        Storage[] v = p.of(uniform(r, n, 0, 0.5, dtype));
        Storage[] x = p.of(amsgrad ? uniform(r, n, 0, 0.5, dtype) : null);
        double lr = 1e-3;
        double beta1 = 0.9;
        double beta2 = 0.999;
        double eps = 1e-8;
        for (int t = 1; t <= steps; t++) {
            Storage[] g = p.of(uniform(r, n, -1, 1, dtype));
            adam(p.cpu).adamStep(w[0], g[0], m[0], v[0], x[0], lr, beta1, beta2, eps, weightDecay, decoupled, t + 2);
            adam(p.dev).adamStep(w[1], g[1], m[1], v[1], x[1], lr, beta1, beta2, eps, weightDecay, decoupled, t + 2);
        }
        p.check("w", w);
        p.check("m", m);
        p.check("v", v);
        p.check("vMax", x);
    }

    private static void rmsprop(DType dtype, int n, boolean centered, double momentum, double weightDecay, int steps,
                                long seed) {
        Random r = new Random(seed);
        Pair p = new Pair(dtype, "rmsprop centered=" + centered + " momentum=" + momentum + " wd=" + weightDecay
                + " steps=" + steps + " n=" + n);
        double[] ga = uniform(r, n, -0.3, 0.3, dtype);
        double[] sq = uniform(r, n, 0.1, 1, dtype);
        for (int i = 0; i < n; i++) {
            // A centered run needs sq >= ga^2, as it always holds for state that RMSprop itself built.
            sq[i] += ga[i] * ga[i];
            sq[i] = dtype == DType.FLOAT32 ? (float) sq[i] : sq[i];
        }
        Storage[] w = p.of(uniform(r, n, -1, 1, dtype));
        Storage[] s = p.of(sq);
        Storage[] a = p.of(centered ? ga : null);
        Storage[] b = p.of(momentum != 0 ? uniform(r, n, -0.1, 0.1, dtype) : null);
        double lr = 1e-2;
        double alpha = 0.99;
        double eps = 1e-8;
        for (int t = 1; t <= steps; t++) {
            Storage[] g = p.of(uniform(r, n, -1, 1, dtype));
            rmsprop(p.cpu).rmspropStep(w[0], g[0], s[0], a[0], b[0], lr, alpha, eps, weightDecay, momentum);
            rmsprop(p.dev).rmspropStep(w[1], g[1], s[1], a[1], b[1], lr, alpha, eps, weightDecay, momentum);
        }
        p.check("w", w);
        p.check("squareAvg", s);
        p.check("gradAvg", a);
        p.check("buf", b);
    }

    private static void adagrad(DType dtype, int n, double lrDecay, double weightDecay, int steps, long seed) {
        Random r = new Random(seed);
        Pair p = new Pair(dtype, "adagrad lrDecay=" + lrDecay + " wd=" + weightDecay + " steps=" + steps + " n=" + n);
        Storage[] w = p.of(uniform(r, n, -1, 1, dtype));
        Storage[] s = p.of(uniform(r, n, 0, 2, dtype));
        double lr = 1e-2;
        double eps = 1e-10;
        for (int t = 1; t <= steps; t++) {
            Storage[] g = p.of(uniform(r, n, -1, 1, dtype));
            adagrad(p.cpu).adagradStep(w[0], g[0], s[0], lr, lrDecay, eps, weightDecay, t + 3);
            adagrad(p.dev).adagradStep(w[1], g[1], s[1], lr, lrDecay, eps, weightDecay, t + 3);
        }
        p.check("w", w);
        p.check("sum", s);
    }

    @Test
    void adamMatchesCpu() {
        long seed = 1;
        for (DType dtype : DTYPES) {
            for (boolean amsgrad : new boolean[] {false, true}) {
                for (boolean decoupled : new boolean[] {false, true}) {
                    for (double wd : new double[] {0, 0.01}) {
                        adam(dtype, N, amsgrad, decoupled, wd, 1, seed++);
                    }
                }
            }
        }
    }

    @Test
    void rmspropMatchesCpu() {
        long seed = 100;
        for (DType dtype : DTYPES) {
            for (boolean centered : new boolean[] {false, true}) {
                for (double momentum : new double[] {0, 0.9}) {
                    for (double wd : new double[] {0, 0.01}) {
                        rmsprop(dtype, N, centered, momentum, wd, 1, seed++);
                    }
                }
            }
        }
    }

    @Test
    void adagradMatchesCpu() {
        long seed = 200;
        for (DType dtype : DTYPES) {
            for (double lrDecay : new double[] {0, 0.05}) {
                for (double wd : new double[] {0, 0.01}) {
                    adagrad(dtype, N, lrDecay, wd, 1, seed++);
                }
            }
        }
    }

    /** Several steps with fresh gradients each, all options on, on sizes below and above one grid. */
    @Test
    void severalStepsStayTogether() {
        long seed = 300;
        for (DType dtype : DTYPES) {
            for (int n : new int[] {1, 3_000_001}) {
                adam(dtype, n, true, true, 0.01, 5, seed++);
                adam(dtype, n, false, false, 0.01, 5, seed++);
                rmsprop(dtype, n, true, 0.9, 0.01, 5, seed++);
                adagrad(dtype, n, 0.05, 0.01, 5, seed++);
            }
        }
    }

    @Test
    void emptyParameterIsANoOp() {
        Backend dev = device();
        for (DType dtype : DTYPES) {
            Storage e = dev.allocate(dtype, 0);
            adam(dev).adamStep(e, e, e, e, e, 1e-3, 0.9, 0.999, 1e-8, 0.01, true, 1);
            rmsprop(dev).rmspropStep(e, e, e, e, e, 1e-2, 0.99, 1e-8, 0.01, 0.9);
            adagrad(dev).adagradStep(e, e, e, 1e-2, 0.1, 1e-10, 0.01, 1);
        }
    }

    // ---------------------------------------------------------------- group steps

    /**
     * The sizes of the group tests' parameters: single elements, odd sizes, empty ones, one chunk
     * of a block and either side of it, several chunks; more of them than one launch's table holds.
     */
    private static final int[] GROUP_SIZES = groupSizes();

    private static int[] groupSizes() {
        int[] pattern = {1, 3, 257, 100_003, 0, TensorTable.CHUNK - 1, TensorTable.CHUNK, TensorTable.CHUNK + 1, 5,
                65_537};
        int[] s = new int[2 * TensorTable.CAPACITY + 7];
        for (int i = 0; i < s.length; i++) {
            s[i] = pattern[i % pattern.length];
        }
        return s;
    }

    /** The dtype of group parameter i: dtype itself, or float32 and float64 in turn when null. */
    private static DType groupDtype(DType dtype, int i) {
        return dtype != null ? dtype : i % 3 == 0 ? DType.FLOAT64 : DType.FLOAT32;
    }

    /**
     * One group's storages three times over from the same values: on the device for the group step
     * (0), on the device for one single-tensor step per parameter (1), and on the CPU (2). list[l][i]
     * is list l of parameter i; lists from index {@code positiveFrom} on are second moments (>= 0).
     */
    private static final class Group {
        final Backend cpu = Backends.cpu();
        final Backend dev = device();
        final String where;
        final DType[] dtypes = new DType[GROUP_SIZES.length];
        final Storage[][][] copies;

        Group(String where, DType dtype, int lists, int positiveFrom, long seed) {
            this.where = where + " " + (dtype == null ? "mixed dtypes" : dtype);
            Random r = new Random(seed);
            copies = new Storage[3][lists][GROUP_SIZES.length];
            for (int i = 0; i < GROUP_SIZES.length; i++) {
                dtypes[i] = groupDtype(dtype, i);
                for (int l = 0; l < lists; l++) {
                    double[] a = l >= positiveFrom ? uniform(r, GROUP_SIZES[i], 0, 0.5, dtypes[i])
                            : uniform(r, GROUP_SIZES[i], -1, 1, dtypes[i]);
                    copies[0][l][i] = put(dev, a, dtypes[i]);
                    copies[1][l][i] = put(dev, a, dtypes[i]);
                    copies[2][l][i] = put(cpu, a, dtypes[i]);
                }
            }
        }

        /** List l of copy c, or null where {@code present} is false (a state buffer the step goes without). */
        Storage[] list(int c, int l, boolean present) {
            return present ? copies[c][l] : null;
        }

        /** The group step equals the single-tensor steps bit for bit, and the CPU's within the tolerance. */
        void check(String... names) {
            for (int l = 0; l < names.length; l++) {
                for (int i = 0; i < GROUP_SIZES.length; i++) {
                    String what = where + ": " + names[l] + " of parameter " + i + " (" + GROUP_SIZES[i] + " x "
                            + dtypes[i] + ")";
                    double[] group = dev.toDoubleArray(copies[0][l][i]);
                    assertArrayEquals(dev.toDoubleArray(copies[1][l][i]), group, what + ", group against single steps");
                    Close.assertClose(what + ", against the CPU", cpu.toDoubleArray(copies[2][l][i]), group,
                            tol(dtypes[i]));
                }
            }
        }
    }

    private static void sgdGroup(DType dtype, double momentum, double dampening, double weightDecay, boolean nesterov,
                                 boolean firstStep, long seed) {
        boolean hasBuf = momentum != 0;
        Group p = new Group("sgdSteps momentum=" + momentum + " dampening=" + dampening + " wd=" + weightDecay
                + " nesterov=" + nesterov + " first=" + firstStep, dtype, 3, 3, seed);
        double lr = 0.05;
        sgd(p.dev).sgdSteps(p.copies[0][0], p.copies[0][1], p.list(0, 2, hasBuf), lr, momentum, dampening, weightDecay,
                nesterov, firstStep);
        for (int c = 1; c <= 2; c++) {
            Backend b = c == 1 ? p.dev : p.cpu;
            for (int i = 0; i < GROUP_SIZES.length; i++) {
                sgd(b).sgdStep(p.copies[c][0][i], p.copies[c][1][i], hasBuf ? p.copies[c][2][i] : null, lr, momentum,
                        dampening, weightDecay, nesterov, firstStep);
            }
        }
        p.check(hasBuf ? new String[] {"w", "g", "buf"} : new String[] {"w", "g"});
    }

    private static void adamGroup(DType dtype, boolean amsgrad, boolean decoupled, double weightDecay, long step,
                                  long seed) {
        Group p = new Group("adamSteps amsgrad=" + amsgrad + " decoupled=" + decoupled + " wd=" + weightDecay
                + " step=" + step, dtype, 5, 3, seed);
        double lr = 1e-3;
        double beta1 = 0.9;
        double beta2 = 0.999;
        double eps = 1e-8;
        adam(p.dev).adamSteps(p.copies[0][0], p.copies[0][1], p.copies[0][2], p.copies[0][3], p.list(0, 4, amsgrad), lr,
                beta1, beta2, eps, weightDecay, decoupled, step);
        for (int c = 1; c <= 2; c++) {
            Backend b = c == 1 ? p.dev : p.cpu;
            for (int i = 0; i < GROUP_SIZES.length; i++) {
                adam(b).adamStep(p.copies[c][0][i], p.copies[c][1][i], p.copies[c][2][i], p.copies[c][3][i],
                        amsgrad ? p.copies[c][4][i] : null, lr, beta1, beta2, eps, weightDecay, decoupled, step);
            }
        }
        p.check(amsgrad ? new String[] {"w", "g", "m", "v", "vMax"} : new String[] {"w", "g", "m", "v"});
    }

    @Test
    void sgdGroupStepsMatchSingleStepsBitwise() {
        long seed = 400;
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64, null}) {
            sgdGroup(dtype, 0, 0, 0, false, false, seed++);
            sgdGroup(dtype, 0, 0, 0.01, false, false, seed++);
            sgdGroup(dtype, 0.9, 0, 0, false, true, seed++);
            sgdGroup(dtype, 0.9, 0.1, 0.01, false, true, seed++);
            sgdGroup(dtype, 0.9, 0, 0, false, false, seed++);
            sgdGroup(dtype, 0.9, 0.1, 0.01, false, false, seed++);
            sgdGroup(dtype, 0.9, 0, 0.01, true, true, seed++);
            sgdGroup(dtype, 0.9, 0, 0.01, true, false, seed++);
        }
    }

    @Test
    void adamGroupStepsMatchSingleStepsBitwise() {
        long seed = 500;
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64, null}) {
            for (boolean amsgrad : new boolean[] {false, true}) {
                for (boolean decoupled : new boolean[] {false, true}) {
                    adamGroup(dtype, amsgrad, decoupled, 0.01, 3, seed++);
                }
            }
            adamGroup(dtype, false, false, 0, 1, seed++);
        }
    }

    @Test
    void emptyGroupsAndEmptyParametersAreNoOps() {
        Backend dev = device();
        Storage[] none = new Storage[0];
        sgd(dev).sgdSteps(none, none, null, 0.1, 0, 0, 0, false, false);
        adam(dev).adamSteps(none, none, none, none, none, 1e-3, 0.9, 0.999, 1e-8, 0.01, true, 1);
        for (DType dtype : DTYPES) {
            Storage[] e = {dev.allocate(dtype, 0), dev.allocate(dtype, 0)};
            sgd(dev).sgdSteps(e, e, e, 0.1, 0.9, 0, 0.01, false, true);
            adam(dev).adamSteps(e, e, e, e, e, 1e-3, 0.9, 0.999, 1e-8, 0.01, true, 1);
        }
    }

    /** A storage of another device is refused, naming it, before any parameter of the group is written. */
    @Test
    void aGroupWithAStorageElsewhereChangesNothing() {
        assumeFalse(GpuTests.SELF_CHECK, "the CPU backend refuses no storage of its own");
        Backend dev = device();
        Storage w0 = dev.fromArray(new float[] {1, 2, 3});
        Storage w1 = dev.fromArray(new float[] {4});
        Storage g0 = dev.fromArray(new float[] {1, 1, 1});
        Storage g1 = Backends.cpu().fromArray(new float[] {1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sgd(dev).sgdSteps(new Storage[] {w0, w1}, new Storage[] {g0, g1}, null, 0.5, 0, 0, 0, false, false));
        assertTrue(e.getMessage().contains("storage lives on another device"), e.getMessage());
        assertArrayEquals(new double[] {1, 2, 3}, dev.toDoubleArray(w0));
    }
}
