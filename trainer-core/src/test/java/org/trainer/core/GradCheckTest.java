package org.trainer.core;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.backend.BinaryOp;
import org.trainer.core.backend.ReduceOp;
import org.trainer.core.backend.UnaryOp;

/**
 * Finite-difference gradient check of every differentiable op in float64. Each registry row names
 * the op keys it covers; {@link #everyOpHasARow()} fails when an op is added without a row.
 *
 * <p>For a row f and inputs x, the loss is L = sum(f(x) * w) with a fixed random w; the analytic
 * dL/dx from backward must match (L(x + h e_j) - L(x - h e_j)) / 2h for every element j.
 */
class GradCheckTest {
    private static final double H = 1e-6;

    record Row(String name, Set<String> covers, Function<Tensor[], Tensor> fn, Supplier<Tensor[]> inputs,
               double h, double rtol) {
    }

    private static final List<Row> ROWS = new ArrayList<>();
    private static long seed = 100;

    private static void row(String name, String covers, Function<Tensor[], Tensor> fn, Supplier<Tensor[]> inputs) {
        ROWS.add(new Row(name, new LinkedHashSet<>(Arrays.asList(covers.split(","))), fn, inputs, H, 1e-6));
    }

    /** Uniform float64 in [lo, hi). */
    static Tensor u(double lo, double hi, int... shape) {
        return Tensor.random(DType.FLOAT64, false, lo, hi, seed++, shape);
    }

    /** Normal float64. */
    static Tensor n(int... shape) {
        return Tensor.random(DType.FLOAT64, true, 0, 1, seed++, shape);
    }

    /** Values with |x| in [0.1, 1.1): clear of the kink at 0. */
    static Tensor away(int... shape) {
        try (GradMode g = Tensor.noGrad()) {
            Tensor mag = u(0.1, 1.1, shape);
            Tensor sign = u(0, 1, shape).gt(0.5).mul(2).sub(1);
            return mag.mul(sign);
        }
    }

    static Tensor[] of(Tensor... t) {
        return t;
    }

    static {
        // Unary, one row per function.
        row("neg", "Unary.NEG", x -> x[0].neg(), () -> of(n(3, 4)));
        row("exp", "Unary.EXP", x -> x[0].exp(), () -> of(n(3, 4)));
        row("log", "Unary.LOG", x -> x[0].log(), () -> of(u(0.2, 3, 3, 4)));
        row("sqrt", "Unary.SQRT", x -> x[0].sqrt(), () -> of(u(0.2, 3, 3, 4)));
        row("abs", "Unary.ABS", x -> x[0].abs(), () -> of(away(3, 4)));
        row("powScalar", "Unary.POW_SCALAR", x -> x[0].pow(2.7), () -> of(u(0.2, 2, 3, 4)));
        row("reciprocal", "Unary.RECIPROCAL", x -> x[0].reciprocal(), () -> of(u(0.3, 2, 3, 4)));
        row("relu", "Unary.RELU", x -> x[0].relu(), () -> of(away(3, 4)));
        row("leakyRelu", "Unary.LEAKY_RELU", x -> x[0].leakyRelu(0.05), () -> of(away(3, 4)));
        row("sigmoid", "Unary.SIGMOID", x -> x[0].sigmoid(), () -> of(n(3, 4).mul(3)));
        row("tanh", "Unary.TANH", x -> x[0].tanh(), () -> of(n(3, 4).mul(2)));
        row("gelu", "Unary.GELU", x -> x[0].gelu(), () -> of(n(3, 4).mul(2)));
        row("softplus", "Unary.SOFTPLUS", x -> x[0].softplus(), () -> of(n(3, 4).mul(4)));
        row("clamp", "Unary.CLAMP_MIN,Unary.CLAMP_MAX", x -> x[0].clamp(-0.5, 0.5),
                () -> of(Tensor.fromArray(new double[] {-0.9, -0.6, -0.4, 0.1, 0.3, 0.45, 0.55, 0.8}, 2, 4)));
        row("mulScalar", "Unary.SCALE", x -> x[0].mul(-1.7), () -> of(n(3, 4)));
        row("addScalar", "Unary.SHIFT", x -> x[0].add(0.3), () -> of(n(3, 4)));
        // Broadcasting arithmetic.
        row("add", "Arithmetic.ADD", x -> x[0].add(x[1]), () -> of(n(2, 3, 4), n(3, 1)));
        row("sub", "Arithmetic.SUB", x -> x[0].sub(x[1]), () -> of(n(4), n(3, 1)));
        row("mul", "Arithmetic.MUL", x -> x[0].mul(x[1]), () -> of(n(2, 1, 4), n(3, 4)));
        row("div", "Arithmetic.DIV", x -> x[0].div(x[1]), () -> of(n(2, 3), u(0.5, 2, 3)));
        row("pow", "Arithmetic.POW", x -> x[0].pow(x[1]), () -> of(u(0.5, 2, 2, 3), n(3)));
        row("maximum", "Arithmetic.MAX", x -> x[0].maximum(x[1]), () -> of(n(2, 3), n(3)));
        row("minimum", "Arithmetic.MIN", x -> x[0].minimum(x[1]), () -> of(n(2, 3), n(2, 1)));
        row("sameTensorTwice", "Arithmetic.MUL", x -> x[0].mul(x[0]).add(x[0]), () -> of(n(5)));
        // Reductions and composites built on them.
        row("sumAxes", "Reduce.SUM", x -> x[0].sum(new int[] {0, 2}, false), () -> of(n(2, 3, 4)));
        row("sumAll", "Reduce.SUM", x -> x[0].sum(), () -> of(n(2, 3)));
        row("maxAxis", "Reduce.MAX", x -> x[0].max(1, true), () -> of(n(3, 5)));
        row("minAxis", "Reduce.MIN", x -> x[0].min(0, false), () -> of(n(3, 5)));
        row("mean", "Reduce.SUM", x -> x[0].mean(-1, true), () -> of(n(3, 5)));
        row("var", "Reduce.SUM", x -> x[0].var(new int[] {0, 1}, false), () -> of(n(3, 4, 2)));
        row("std", "Reduce.SUM", x -> x[0].std(1, true), () -> of(n(3, 4)));
        // Linear algebra and vision.
        row("matmul", "MatMul", x -> x[0].matmul(x[1]), () -> of(n(3, 4), n(4, 5)));
        row("matmulBatched", "MatMul", x -> x[0].matmul(x[1]), () -> of(n(2, 3, 4), n(2, 4, 2)));
        row("matmulFoldRight", "MatMul", x -> x[0].matmul(x[1]), () -> of(n(2, 3, 4), n(4, 2)));
        row("matmulBroadcastLeft", "MatMul", x -> x[0].matmul(x[1]), () -> of(n(3, 4), n(2, 4, 2)));
        row("matmulBroadcastBoth", "MatMul,Expand", x -> x[0].matmul(x[1]), () -> of(n(2, 1, 2, 3), n(1, 2, 3, 2)));
        row("linear", "Linear", x -> x[0].linear(x[1], x[2]), () -> of(n(2, 3, 4), n(5, 4), n(5)));
        row("linearNoBias", "Linear", x -> x[0].linear(x[1], null), () -> of(n(3, 4), n(2, 4)));
        row("softmax", "Softmax", x -> x[0].softmax(1), () -> of(n(2, 4, 3)));
        row("logSoftmax", "Softmax", x -> x[0].logSoftmax(-1), () -> of(n(3, 5)));
        row("softmaxCrossEntropy", "SoftmaxCrossEntropy",
                x -> org.trainer.core.ops.SoftmaxCrossEntropy.apply(x[0].mul(2), Tensor.fromArray(new int[] {4, 0, 2, 4},
                        4)).mul(Tensor.fromArray(new double[] {0.5, -1.5, 2, 1}, 4)), () -> of(n(4, 5)));
        row("softmaxCrossEntropyMean", "SoftmaxCrossEntropy",
                x -> org.trainer.core.ops.SoftmaxCrossEntropy.reduced(x[0], Tensor.fromArray(new int[] {1, 0, 2}, 3),
                        1.0 / 3).mul(1.7), () -> of(n(3, 4)));
        row("lstmRecurrence", "LstmRecurrence",
                x -> org.trainer.core.ops.LstmRecurrence.apply(x[0], x[1], x[2], x[3], x[4], false),
                () -> of(n(3, 2, 12), n(12, 3), n(12), n(2, 3), n(2, 3)));
        row("lstmRecurrenceReverseNoBias", "LstmRecurrence",
                x -> org.trainer.core.ops.LstmRecurrence.apply(x[0], x[1], null, x[2], x[3], true),
                () -> of(n(4, 2, 8), n(8, 2), n(2, 2), n(2, 2)));
        row("conv2d", "Conv2d", x -> x[0].conv2d(x[1], x[2], 1, 0, 1), () -> of(n(2, 2, 5, 4), n(3, 2, 3, 2), n(3)));
        row("conv2dStridePadDilation", "Conv2d", x -> x[0].conv2d(x[1], null, new int[] {2, 1}, new int[] {1, 2},
                new int[] {1, 2}), () -> of(n(1, 2, 6, 5), n(2, 2, 3, 2)));
        row("maxPool2d", "Pool2d", x -> x[0].maxPool2d(2, 2, 0), () -> of(n(2, 2, 4, 5)));
        row("maxPool2dPadded", "Pool2d", x -> x[0].maxPool2d(3, 2, 1), () -> of(n(1, 2, 5, 5)));
        row("avgPool2d", "Pool2d", x -> x[0].avgPool2d(3, 2, 1), () -> of(n(1, 2, 5, 4)));
        row("indexSelect", "IndexSelect", x -> x[0].indexSelect(0, Tensor.fromArray(new int[] {3, 0, 3, 1}, 4)),
                () -> of(n(4, 3)));
        row("where", "Where", x -> Tensor.where(x[0], x[1], x[2]),
                () -> of(Tensor.fromArray(new float[] {1, 0, 0, 1, 1, 0}, 2, 3), n(2, 3), n(3)));
        row("dropout", "Arithmetic.MUL", x -> x[0].dropout(0.4, 7), () -> of(n(4, 5)));
        // Shape ops.
        row("reshape", "Reshape", x -> x[0].reshape(3, -1).mul(x[0].reshape(3, -1)), () -> of(n(2, 3, 2)));
        row("squeezeUnsqueezeFlatten", "Reshape", x -> x[0].unsqueeze(0).squeeze(0).flatten(0, 1).exp(),
                () -> of(n(2, 3, 2)));
        row("permute", "Permute", x -> x[0].permute(2, 0, 1), () -> of(n(2, 3, 4)));
        row("transpose", "Permute", x -> x[0].t(), () -> of(n(3, 4)));
        row("narrow", "Narrow", x -> x[0].narrow(1, 1, 2), () -> of(n(2, 4, 3)));
        row("slice", "Narrow", x -> x[0].slice(0, -2, 4), () -> of(n(4, 3)));
        row("concat", "Concat", x -> Tensor.concat(1, x[0], x[1]), () -> of(n(2, 1, 3), n(2, 2, 3)));
        row("stack", "Concat,Reshape", x -> Tensor.stack(0, x[0], x[1]), () -> of(n(2, 3), n(2, 3)));
        row("broadcastTo", "Expand", x -> x[0].broadcastTo(2, 3, 4), () -> of(n(3, 1)));
        // Through float32 the loss moves in steps of about 1e-7, so this row takes a wide step.
        ROWS.add(new Row("cast", Set.of("Cast"), x -> x[0].to(DType.FLOAT32).mul(2).to(DType.FLOAT64), () -> of(n(3)),
                1e-2, 1e-3));
        // A small network end to end.
        row("mlp", "MatMul,Arithmetic.ADD,Unary.TANH,Softmax",
                x -> x[0].matmul(x[1]).add(x[2]).tanh().logSoftmax(1).mean(),
                () -> of(n(4, 3), n(3, 5), n(5)));
    }

    @TestFactory
    Stream<DynamicTest> gradientsMatchFiniteDifferences() {
        return ROWS.stream().map(r -> DynamicTest.dynamicTest(r.name(), () -> check(r)));
    }

    private static void check(Row r) {
        GradientCheck.assertMatches(r.name(), r.fn(), r.inputs().get(), r.h(), r.rtol());
    }

    /** Every unary function, arithmetic op, reduction and op class in org.trainer.core.ops needs a row. */
    @Test
    void everyOpHasARow() throws Exception {
        Set<String> required = new TreeSet<>();
        for (UnaryOp op : UnaryOp.values()) {
            required.add("Unary." + op);
        }
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.POW,
                BinaryOp.MAX, BinaryOp.MIN}) {
            required.add("Arithmetic." + op);
        }
        for (ReduceOp op : ReduceOp.values()) {
            required.add("Reduce." + op);
        }
        Set<String> parametrised = Set.of("Unary", "Arithmetic", "Reduce");
        for (Class<?> c : opClasses()) {
            if (org.trainer.core.Function.class.isAssignableFrom(c) && !parametrised.contains(c.getSimpleName())) {
                required.add(c.getSimpleName());
            }
        }
        Set<String> covered = new TreeSet<>();
        ROWS.forEach(r -> covered.addAll(r.covers()));
        required.removeAll(covered);
        assertTrue(required.isEmpty(), "ops without a gradient-check row: " + required);
    }

    private static List<Class<?>> opClasses() throws Exception {
        URL dir = GradCheckTest.class.getClassLoader().getResource("org/trainer/core/ops");
        assertNotNull(dir, "ops package not found on the class path");
        List<Class<?>> classes = new ArrayList<>();
        for (String file : new File(dir.toURI()).list()) {
            if (file.endsWith(".class") && !file.contains("$")) {
                classes.add(Class.forName("org.trainer.core.ops." + file.substring(0, file.length() - 6)));
            }
        }
        assertTrue(classes.size() > 10, "expected the op classes, found " + classes);
        return classes;
    }
}
