package org.trainer.core;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.function.Function;

/**
 * The finite-difference check the gradient tests share. For f and float64 inputs x, the loss is
 * L = sum(f(x) * w) with a fixed random w; the analytic dL/dx from backward must match
 * (L(x + h e_j) - L(x - h e_j)) / 2h for every element j of every input that requires grad.
 */
public final class GradientCheck {
    private GradientCheck() {
    }

    /** Marks the float64 inputs as requiring grad, runs the check, and fails naming the first bad element. */
    public static void assertMatches(String name, Function<Tensor[], Tensor> f, Tensor[] x, double h, double rtol) {
        for (Tensor t : x) {
            if (t.dtype() == DType.FLOAT64) {
                t.requiresGrad(true);
            }
        }
        Tensor y = f.apply(x);
        Tensor w = Tensor.random(DType.FLOAT64, true, 0, 1, 999, y.shape());
        y.mul(w).sum().backward();
        for (int i = 0; i < x.length; i++) {
            if (!x[i].requiresGrad()) {
                continue;
            }
            assertNotNull(x[i].grad(), name + ": input " + i + " got no gradient");
            double[] analytic = x[i].grad().toDoubleArray();
            double[] base = x[i].toDoubleArray();
            for (int j = 0; j < base.length; j++) {
                double numeric = (loss(f, x, w, i, base, j, h) - loss(f, x, w, i, base, j, -h)) / (2 * h);
                if (Math.abs(numeric - analytic[j]) > 1e-6 + rtol * Math.abs(numeric)) {
                    throw new AssertionError(name + ": d/dx" + i + "[" + j + "] analytic " + analytic[j]
                            + " vs numeric " + numeric);
                }
            }
        }
    }

    private static double loss(Function<Tensor[], Tensor> f, Tensor[] x, Tensor w, int i, double[] base, int j,
                               double h) {
        double[] moved = base.clone();
        moved[j] += h;
        Tensor[] args = x.clone();
        args[i] = Tensor.fromArray(moved, x[i].shape());
        try (GradMode g = Tensor.noGrad()) {
            return f.apply(args).mul(w).sum().item();
        }
    }
}
