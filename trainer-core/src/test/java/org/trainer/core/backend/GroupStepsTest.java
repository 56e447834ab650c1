package org.trainer.core.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.backend.cpu.CpuBackend;

/**
 * The group steps (sgdSteps, adamSteps) against one single-tensor step per parameter, bit for bit,
 * over parameters of odd sizes (empty ones and both dtypes mixed in), and their argument checks.
 */
class GroupStepsTest {
    private static final int[] SIZES = {1, 3, 0, 257, 100_003, 5, 64, 2049};
    private static final CpuBackend CPU = (CpuBackend) Backends.cpu();

    /** Parameter i of list l: sizes from SIZES, float64 for odd i; second moments (l >= 3) non-negative. */
    private static Storage[][] lists(int count, long seed) {
        Random r = new Random(seed);
        Storage[][] s = new Storage[count][SIZES.length];
        for (int l = 0; l < count; l++) {
            for (int i = 0; i < SIZES.length; i++) {
                double[] d = new double[SIZES[i]];
                for (int k = 0; k < d.length; k++) {
                    d[k] = l >= 3 ? r.nextDouble() : r.nextGaussian();
                }
                Storage x = CPU.fromArray(d);
                s[l][i] = i % 2 == 1 ? x : CPU.cast(x, DType.FLOAT32);
            }
        }
        return s;
    }

    private static Storage[][] copy(Storage[][] s) {
        Storage[][] c = new Storage[s.length][];
        for (int l = 0; l < s.length; l++) {
            c[l] = new Storage[s[l].length];
            for (int i = 0; i < s[l].length; i++) {
                c[l][i] = CPU.cast(s[l][i], s[l][i].dtype());
            }
        }
        return c;
    }

    private static void assertSame(String what, Storage[][] expected, Storage[][] actual) {
        for (int l = 0; l < expected.length; l++) {
            for (int i = 0; i < expected[l].length; i++) {
                assertArrayEquals(CPU.toDoubleArray(expected[l][i]), CPU.toDoubleArray(actual[l][i]),
                        what + ": list " + l + ", parameter " + i);
            }
        }
    }

    @Test
    void sgdStepsEqualOneSgdStepPerParameter() {
        long seed = 1;
        for (double momentum : new double[] {0, 0.9}) {
            for (boolean first : new boolean[] {true, false}) {
                for (double[] dampWd : new double[][] {{0, 0}, {0.1, 0.01}}) {
                    for (boolean nesterov : new boolean[] {false, true}) {
                        if (nesterov && (momentum == 0 || dampWd[0] != 0)) {
                            continue;
                        }
                        String what = "sgd momentum=" + momentum + " first=" + first + " dampening=" + dampWd[0]
                                + " wd=" + dampWd[1] + " nesterov=" + nesterov;
                        Storage[][] group = lists(3, seed++);
                        Storage[][] single = copy(group);
                        Storage[] buf = momentum == 0 ? null : group[2];
                        CPU.sgdSteps(group[0], group[1], buf, 0.05, momentum, dampWd[0], dampWd[1], nesterov, first);
                        for (int i = 0; i < SIZES.length; i++) {
                            CPU.sgdStep(single[0][i], single[1][i], momentum == 0 ? null : single[2][i], 0.05,
                                    momentum, dampWd[0], dampWd[1], nesterov, first);
                        }
                        assertSame(what, single, group);
                    }
                }
            }
        }
    }

    @Test
    void adamStepsEqualOneAdamStepPerParameter() {
        long seed = 100;
        for (boolean decoupled : new boolean[] {false, true}) {
            for (boolean amsgrad : new boolean[] {false, true}) {
                for (double wd : new double[] {0, 0.01}) {
                    for (long step : new long[] {1, 7}) {
                        String what = "adam decoupled=" + decoupled + " amsgrad=" + amsgrad + " wd=" + wd + " step="
                                + step;
                        Storage[][] group = lists(5, seed++);
                        Storage[][] single = copy(group);
                        CPU.adamSteps(group[0], group[1], group[2], group[3], amsgrad ? group[4] : null, 1e-3, 0.9,
                                0.999, 1e-8, wd, decoupled, step);
                        for (int i = 0; i < SIZES.length; i++) {
                            CPU.adamStep(single[0][i], single[1][i], single[2][i], single[3][i],
                                    amsgrad ? single[4][i] : null, 1e-3, 0.9, 0.999, 1e-8, wd, decoupled, step);
                        }
                        assertSame(what, single, group);
                    }
                }
            }
        }
    }

    @Test
    void anEmptyGroupIsANoOp() {
        Storage[] none = new Storage[0];
        CPU.sgdSteps(none, none, none, 0.1, 0.9, 0, 0, false, true);
        CPU.adamSteps(none, none, none, none, null, 1e-3, 0.9, 0.999, 1e-8, 0, true, 1);
    }

    @Test
    void argumentsOfDifferentLengthsOrWithHolesAreRefusedWithTheirNames() {
        Storage[] two = {CPU.allocate(DType.FLOAT32, 3), CPU.allocate(DType.FLOAT32, 4)};
        Storage[] three = {two[0], two[1], CPU.allocate(DType.FLOAT32, 5)};
        Storage[] hole = {two[0], null};
        assertMessage("sgdSteps: g has 3 storages, w has 2; they must match",
                () -> CPU.sgdSteps(two, three, null, 0.1, 0, 0, 0, false, false));
        assertMessage("sgdSteps: buf has 3 storages, w has 2; they must match",
                () -> CPU.sgdSteps(two, two, three, 0.1, 0.9, 0, 0, false, false));
        assertMessage("sgdSteps: buf[1] is null; every entry must be a storage",
                () -> CPU.sgdSteps(two, two, hole, 0.1, 0.9, 0, 0, false, false));
        assertMessage("sgdSteps: w must be an array of storages, got null",
                () -> CPU.sgdSteps(null, two, null, 0.1, 0, 0, 0, false, false));
        assertMessage("sgdSteps: g must be an array of 2 storages, got null",
                () -> CPU.sgdSteps(two, null, null, 0.1, 0, 0, 0, false, false));
        assertMessage("adamSteps: v has 3 storages, w has 2; they must match",
                () -> CPU.adamSteps(two, two, two, three, null, 1e-3, 0.9, 0.999, 1e-8, 0, true, 1));
        assertMessage("adamSteps: vMax has 3 storages, w has 2; they must match",
                () -> CPU.adamSteps(two, two, two, two, three, 1e-3, 0.9, 0.999, 1e-8, 0, true, 1));
        assertMessage("adamSteps: w[1] is null; every entry must be a storage",
                () -> CPU.adamSteps(hole, two, two, two, null, 1e-3, 0.9, 0.999, 1e-8, 0, true, 1));
        assertMessage("adamSteps: m must be an array of 2 storages, got null",
                () -> CPU.adamSteps(two, two, null, two, null, 1e-3, 0.9, 0.999, 1e-8, 0, true, 1));
    }

    @Test
    void mismatchedDtypesOrSizesAndSharedMemoryAreRefused() {
        Storage[] w = {CPU.allocate(DType.FLOAT32, 3), CPU.allocate(DType.FLOAT32, 4)};
        Storage[] g = {CPU.allocate(DType.FLOAT32, 3), CPU.allocate(DType.FLOAT32, 4)};
        Storage[] shortG = {g[0], CPU.allocate(DType.FLOAT32, 2)};
        Storage[] doubleG = {CPU.allocate(DType.FLOAT64, 3), g[1]};
        assertMessage("sgdSteps: g[1] is 2 x FLOAT32, w[1] is 4 x FLOAT32; they must match",
                () -> CPU.sgdSteps(w, shortG, null, 0.1, 0, 0, 0, false, false));
        assertMessage("adamSteps: g[0] is 3 x FLOAT64, w[0] is 3 x FLOAT32; they must match",
                () -> CPU.adamSteps(w, doubleG, g, g.clone(), null, 1e-3, 0.9, 0.999, 1e-8, 0, true, 1));
        Storage[] tied = {w[0], w[0]};
        Storage[] tiedG = {g[0], g[0]};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CPU.sgdSteps(tied, tiedG, null, 0.1, 0, 0, 0, false, false));
        assertTrue(e.getMessage().startsWith("sgdSteps: the storage of parameter 1 ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("is written twice in one step; parameters of a group must not share memory"),
                e.getMessage());
        Storage[] m = {CPU.allocate(DType.FLOAT32, 3), CPU.allocate(DType.FLOAT32, 4)};
        assertThrows(IllegalArgumentException.class,
                () -> CPU.adamSteps(w, g, m, m, null, 1e-3, 0.9, 0.999, 1e-8, 0, true, 1), "m and v shared");
    }

    @Test
    void aRefusedGroupChangesNothing() {
        Storage[] w = {CPU.fromArray(new float[] {1, 2}), CPU.fromArray(new float[] {3})};
        Storage[] g = {CPU.fromArray(new float[] {1, 1}), null};
        assertThrows(IllegalArgumentException.class, () -> CPU.sgdSteps(w, g, null, 0.5, 0, 0, 0, false, false));
        assertArrayEquals(new double[] {1, 2}, CPU.toDoubleArray(w[0]));
    }

    private static void assertMessage(String expected, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertEquals(expected, e.getMessage());
    }
}
