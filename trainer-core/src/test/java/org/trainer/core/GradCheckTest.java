package org.trainer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.OpRegistry.Case;
import org.trainer.core.OpRegistry.Suite;

/**
 * Finite-difference gradient check in float64 of every {@link OpRegistry} case in the GRADIENT
 * suite (ops, losses, composites); {@code OpRegistryTest} fails when an op has no such case.
 *
 * <p>For a case f and inputs x, the loss is L = sum(f(x) * w) with a fixed random w; the analytic
 * dL/dx from backward must match (L(x + h e_j) - L(x - h e_j)) / 2h for every element j of every
 * float64 input. Symbolic sizes are A = 3, B = 4, E = 2.
 */
class GradCheckTest {
    static final int[] SIZES = {3, 4, 2};

    @TestFactory
    Stream<DynamicTest> gradientsMatchFiniteDifferences() {
        return OpRegistry.cases(Suite.GRADIENT).map(c -> DynamicTest.dynamicTest(c.label(), () -> check(c)));
    }

    private static void check(Case c) {
        Random r = new Random(c.label().hashCode());
        Tensor[] x = c.inputs().stream().map(in -> in.make(DType.FLOAT64, r, SIZES)).toArray(Tensor[]::new);
        assertEquals(DType.FLOAT64, c.apply(x).dtype(), c.label() + ": float64 inputs give a float64 output");
        GradientCheck.assertMatches(c.label(), c::apply, x, c.h(), c.rtol());
    }
}
