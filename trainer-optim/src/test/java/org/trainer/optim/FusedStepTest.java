package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.DType;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.Backends;
import org.trainer.core.backend.Storage;
import org.trainer.core.backend.UnaryOp;

/**
 * The CPU backend's fused one-pass updates (adamStep, rmspropStep, adagradStep) agree with the
 * Backend interface's default bodies, which compose the same update from unary, binary and copy:
 * what a backend without its own kernel (e.g. the CUDA one) runs. Both are driven on the same
 * random O(1) state over 70,001 elements (more than one parallel chunk), float64 and float32, across
 * the options; float64 agrees to 1e-12 of the operands' scale, float32 to 1e-5.
 */
class FusedStepTest {
    private static final Set<String> FUSED = Set.of("adamStep", "rmspropStep", "adagradStep");
    private static final int N = 70_001;

    /** The CPU backend with the fused methods falling back to the interface's default bodies. */
    static Backend composed() {
        Backend cpu = Backends.cpu();
        InvocationHandler h = (proxy, method, args) -> {
            if (FUSED.contains(method.getName())) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            try {
                return method.invoke(cpu, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    }

    /** Storages: w and g any sign, the rest (second moments, sums, momentum) from the ranges Adam-like state has. */
    static Storage[] state(DType dtype, long seed, int count) {
        Random r = new Random(seed);
        Storage[] s = new Storage[count];
        for (int i = 0; i < count; i++) {
            double[] d = new double[N];
            for (int k = 0; k < N; k++) {
                // Index 3 and up are second moments (v, vMax, sum): positive, and v sometimes above vMax.
                d[k] = i < 3 ? r.nextGaussian() : r.nextDouble() * 2;
            }
            s[i] = dtype == DType.FLOAT64 ? Backends.cpu().fromArray(d) : Backends.cpu().cast(Backends.cpu().fromArray(d),
                    DType.FLOAT32);
        }
        return s;
    }

    static Storage[] copies(Storage[] s) {
        Storage[] c = new Storage[s.length];
        for (int i = 0; i < s.length; i++) {
            c[i] = s[i] == null ? null : Backends.cpu().cast(s[i], s[i].dtype());
        }
        return c;
    }

    /** Runs the update on the fused CPU backend and on the composed one from the same state; compares every storage. */
    static void agree(String what, DType dtype, int count, Set<Integer> absent, UpdateCall call) {
        Storage[] fused = state(dtype, what.hashCode(), count);
        for (int i : absent) {
            fused[i] = null;
        }
        Storage[] composed = copies(fused);
        call.run(Backends.cpu(), fused);
        call.run(composed(), composed);
        double rel = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
        for (int i = 0; i < count; i++) {
            if (fused[i] == null) {
                continue;
            }
            double[] a = Backends.cpu().toDoubleArray(fused[i]);
            double[] b = Backends.cpu().toDoubleArray(composed[i]);
            for (int k = 0; k < N; k++) {
                // The state is O(1) and updates cancel (w - step, beta m + (1 - beta) g), so the
                // rounding error scales with the operands, not with the result.
                if (!(Math.abs(a[k] - b[k]) <= rel * (Math.abs(b[k]) + 1))) {
                    throw new AssertionError(what + " " + dtype + ": storage " + i + "[" + k + "] fused " + a[k]
                            + ", composed " + b[k]);
                }
            }
        }
    }

    @FunctionalInterface
    interface UpdateCall {
        void run(Backend b, Storage[] s);
    }

    @TestFactory
    Stream<DynamicTest> fusedUpdatesMatchTheComposedDefaults() {
        List<DynamicTest> tests = new ArrayList<>();
        Consumer<DynamicTest> add = tests::add;
        for (DType dtype : List.of(DType.FLOAT64, DType.FLOAT32)) {
            for (boolean decoupled : List.of(false, true)) {
                for (boolean amsgrad : List.of(false, true)) {
                    for (double wd : List.of(0.0, 0.1)) {
                        for (long t : List.of(1L, 7L)) {
                            String name = "adam decoupled=" + decoupled + " amsgrad=" + amsgrad + " wd=" + wd + " t=" + t;
                            add.accept(DynamicTest.dynamicTest(name + " " + dtype, () -> agree(name, dtype, 5,
                                    amsgrad ? Set.of() : Set.of(4), (b, s) -> b.adamStep(s[0], s[1], s[2], s[3], s[4],
                                            0.01, 0.9, 0.99, 1e-8, wd, decoupled, t))));
                        }
                    }
                }
            }
            for (boolean centered : List.of(false, true)) {
                for (double momentum : List.of(0.0, 0.9)) {
                    for (double wd : List.of(0.0, 0.05)) {
                        String name = "rmsprop centered=" + centered + " momentum=" + momentum + " wd=" + wd;
                        // Centering subtracts ga^2 from sq: small gradients and averages, and sq
                        // at least 0.1, keep the variance positive.
                        add.accept(DynamicTest.dynamicTest(name + " " + dtype, () -> agree(name, dtype, 5,
                                momentum > 0 ? Set.of() : Set.of(2), (b, s) -> {
                                    b.unary(UnaryOp.SCALE, 0.1, s[1], s[1]);
                                    b.unary(UnaryOp.SCALE, 0.1, s[4], s[4]);
                                    b.unary(UnaryOp.SHIFT, 0.1, s[3], s[3]);
                                    b.rmspropStep(s[0], s[1], s[3], centered ? s[4] : null, s[2], 0.01, 0.9, 1e-8, wd,
                                            momentum);
                                })));
                    }
                }
            }
            for (double lrDecay : List.of(0.0, 0.1)) {
                for (double wd : List.of(0.0, 0.2)) {
                    String name = "adagrad lrDecay=" + lrDecay + " wd=" + wd;
                    add.accept(DynamicTest.dynamicTest(name + " " + dtype, () -> agree(name, dtype, 4, Set.of(),
                            (b, s) -> b.adagradStep(s[0], s[1], s[3], 0.1, lrDecay, 1e-10, wd, 5))));
                }
            }
        }
        assertTrue(tests.size() > 40);
        return tests.stream();
    }
}
