package org.trainer.core;

import static org.trainer.core.OpInput.A;
import static org.trainer.core.OpInput.B;
import static org.trainer.core.OpInput.E;
import static org.trainer.core.OpInput.any;
import static org.trainer.core.OpInput.away;
import static org.trainer.core.OpInput.index;
import static org.trainer.core.OpInput.labels;
import static org.trainer.core.OpInput.normal;
import static org.trainer.core.OpInput.normalScaled;
import static org.trainer.core.OpInput.positive;
import static org.trainer.core.OpInput.probabilities;
import static org.trainer.core.OpInput.rounded;
import static org.trainer.core.OpInput.uniform;
import static org.trainer.core.OpInput.values;
import static org.trainer.core.OpInput.wide;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import org.trainer.core.loss.BinaryCrossEntropyWithLogitsLoss;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.loss.HuberLoss;
import org.trainer.core.loss.L1Loss;
import org.trainer.core.loss.Loss;
import org.trainer.core.loss.MseLoss;
import org.trainer.core.loss.Reduction;
import org.trainer.core.ops.GruRecurrence;
import org.trainer.core.ops.LstmRecurrence;
import org.trainer.core.ops.RnnRecurrence;
import org.trainer.core.ops.SoftmaxCrossEntropy;

/**
 * The registry of ops that every op suite draws from: one entry per differentiable op (and per
 * comparison or arg-reduction, which have no gradient), each with its name, the keys it covers
 * ({@code UnaryOp.EXP}, {@code Tensor.exp}, {@code ops.MatMul}, {@code loss.MseLoss}), how it is
 * applied to tensors given its arguments, its PyTorch reference, and its cases: inputs (shapes and
 * domains) and arguments, each case in the suites it belongs to.
 *
 * <p>The suites: the finite-difference gradient check in float64 ({@code GradCheckTest}), the
 * PyTorch 1.13 replays ({@code ReferenceTest} for {@code reference/ops.json}, {@code
 * LossReferenceTest} for {@code reference/losses/losses.json}, each fixture case looked up here
 * by its op name), and the device conformance suite (trainer-cuda's {@code ConformanceTest}, CPU
 * against the device). {@code OpRegistryTest} fails, naming the op and the suite, when a kernel
 * enum constant, an op class, a {@code Tensor} method or a loss has no case where it should have
 * one. Adding an elementwise op: the enum row, its kernels, the {@code Tensor} method, and one
 * entry here (plus a case in generate_reference.py when it has a PyTorch counterpart).
 */
public final class OpRegistry {

    /** A suite that checks ops. */
    public enum Suite {
        /** Finite differences against backward, float64. */
        GRADIENT,
        /** The CPU against another device, float32 and float64, forward and backward. */
        CONFORMANCE,
        /** A PyTorch 1.13 fixture: not a case list here, the entry's {@link Reference}. */
        PYTORCH
    }

    /** An op applied to its inputs and arguments. */
    @FunctionalInterface
    public interface Applier {
        /**
         * The op's output.
         *
         * @param x the inputs
         * @param p the arguments
         * @return the output
         */
        Tensor apply(Tensor[] x, OpParams p);
    }

    /**
     * Where an op's PyTorch reference values are: the fixture (e.g. {@code ops} for
     * reference/ops.json) and the op's name there, or none, with the reason.
     *
     * @param fixture the fixture's name, or null when there is none
     * @param op the name of the op in the fixture, or the reason there is none
     */
    public record Reference(String fixture, String op) {
        /** No PyTorch reference, for the stated reason. */
        public static Reference none(String why) {
            return new Reference(null, why);
        }

        /** Whether a fixture holds cases of the op. */
        public boolean exists() {
            return fixture != null;
        }
    }

    /**
     * One case of an op.
     *
     * @param op the entry's name
     * @param label the case's name in test reports, unique within each of its suites
     * @param suites the suites that run it
     * @param inputs how its inputs are drawn
     * @param params the op's arguments
     * @param fn what it computes, the entry's op with {@code params} unless the case composes more
     * @param h the finite-difference step
     * @param rtol the relative tolerance of the gradient check
     */
    public record Case(String op, String label, Set<Suite> suites, List<OpInput> inputs, OpParams params,
                       Function<Tensor[], Tensor> fn, double h, double rtol) {
        /** The case's output for these inputs. */
        public Tensor apply(Tensor[] x) {
            return fn.apply(x);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /**
     * One registry entry.
     *
     * @param name the op's name, as the PyTorch fixture names it where it has one
     * @param covers the keys (kernel enum constants, op classes, Tensor methods, losses) it checks
     * @param apply the op given inputs and arguments
     * @param reference its PyTorch reference
     * @param cases its cases
     */
    public record Op(String name, Set<String> covers, Applier apply, Reference reference, List<Case> cases) {
    }

    private static final double H = 1e-6;
    private static final double RTOL = 1e-6;
    private static final Map<String, Op> OPS = new LinkedHashMap<>();

    private OpRegistry() {
    }

    /** Every entry, in registration order. */
    public static List<Op> ops() {
        return List.copyOf(OPS.values());
    }

    /** The entry of this name; fails naming the known ones when there is none. */
    public static Op op(String name) {
        Op op = OPS.get(name);
        if (op == null) {
            throw new AssertionError("no op named '" + name + "' in OpRegistry; it has " + OPS.keySet());
        }
        return op;
    }

    /** The entry whose reference is {@code op} in {@code fixture}; fails when there is none. */
    public static Op referenced(String fixture, String op) {
        for (Op o : OPS.values()) {
            if (fixture.equals(o.reference().fixture()) && op.equals(o.reference().op())) {
                return o;
            }
        }
        throw new AssertionError("no OpRegistry entry has the " + fixture + " fixture's op '" + op
                + "' as its reference: add one");
    }

    /** The cases of a suite, in registration order. */
    public static Stream<Case> cases(Suite suite) {
        return OPS.values().stream().flatMap(o -> o.cases().stream()).filter(c -> c.suites().contains(suite));
    }

    static {
        unary();
        binary();
        reductions();
        linearAlgebraAndVision();
        indexing();
        shapes();
        losses();
        composites();
        // Fixed from here on: no suite can add to or drop from another suite's cases.
        OPS.replaceAll((k, o) -> new Op(o.name(), o.covers(), o.apply(), o.reference(), List.copyOf(o.cases())));
    }

    private static void unary() {
        entry("neg", "UnaryOp.NEG,ops.Unary,Tensor.neg", (x, p) -> x[0].neg()).ops()
                .grad(normal(3, 4)).conf(any(A, B));
        entry("exp", "UnaryOp.EXP,Tensor.exp", (x, p) -> x[0].exp()).ops()
                .grad(normal(3, 4)).conf(any(A, B));
        entry("log", "UnaryOp.LOG,Tensor.log", (x, p) -> x[0].log()).ops()
                .grad(uniform(0.2, 3, 3, 4)).conf(positive(A, B));
        entry("sqrt", "UnaryOp.SQRT,Tensor.sqrt", (x, p) -> x[0].sqrt()).ops()
                .grad(uniform(0.2, 3, 3, 4)).conf(positive(B, A));
        entry("abs", "UnaryOp.ABS,Tensor.abs", (x, p) -> x[0].abs()).ops()
                .grad(away(3, 4)).conf(any(A, B, 3));
        entry("powScalar", "UnaryOp.POW_SCALAR", (x, p) -> x[0].pow(p.d("p"))).ops()
                .grad("powScalar", OpParams.of("p", 2.7), uniform(0.2, 2, 3, 4))
                .conf("pow 2.5", OpParams.of("p", 2.5), positive(A, B))
                .conf("pow 3", OpParams.of("p", 3), any(A, B));
        entry("reciprocal", "UnaryOp.RECIPROCAL,Tensor.reciprocal", (x, p) -> x[0].reciprocal()).ops()
                .grad(uniform(0.3, 2, 3, 4)).conf(positive(A, B));
        entry("relu", "UnaryOp.RELU,Tensor.relu", (x, p) -> x[0].relu()).ops()
                .grad(away(3, 4)).conf(any(1000, 3));
        entry("leakyRelu", "UnaryOp.LEAKY_RELU,Tensor.leakyRelu", (x, p) -> x[0].leakyRelu(p.d("slope"))).ops()
                .grad("leakyRelu", OpParams.of("slope", 0.05), away(3, 4))
                .conf("leakyRelu", OpParams.of("slope", 0.1), any(A, B));
        entry("sigmoid", "UnaryOp.SIGMOID,Tensor.sigmoid", (x, p) -> x[0].sigmoid()).ops()
                .grad(normalScaled(3, 3, 4)).conf(wide(A, B));
        entry("tanh", "UnaryOp.TANH,Tensor.tanh", (x, p) -> x[0].tanh()).ops()
                .grad(normalScaled(2, 3, 4)).conf(any(A, B));
        entry("gelu", "UnaryOp.GELU,Tensor.gelu", (x, p) -> x[0].gelu()).ops()
                .grad(normalScaled(2, 3, 4)).conf(wide(A, B));
        entry("softplus", "UnaryOp.SOFTPLUS,Tensor.softplus", (x, p) -> x[0].softplus()).ops()
                .grad(normalScaled(4, 3, 4)).conf(wide(A, B));
        entry("clamp", "UnaryOp.CLAMP_MIN,UnaryOp.CLAMP_MAX,Tensor.clamp",
                (x, p) -> x[0].clamp(p.d("min"), p.d("max"))).ops()
                .grad("clamp", OpParams.of("min", -0.5, "max", 0.5),
                        values(new double[] {-0.9, -0.6, -0.4, 0.1, 0.3, 0.45, 0.55, 0.8}, 2, 4))
                .conf("clamp", OpParams.of("min", -0.5, "max", 0.7), any(A, B));
        entry("mulScalar", "UnaryOp.SCALE", (x, p) -> x[0].mul(p.d("v"))).ops()
                .grad("mulScalar", OpParams.of("v", -1.7), normal(3, 4))
                .conf("scale", OpParams.of("v", 2.5), any(A, B));
        entry("addScalar", "UnaryOp.SHIFT", (x, p) -> x[0].add(p.d("v"))).ops()
                .grad("addScalar", OpParams.of("v", 0.3), normal(3, 4))
                .conf("shift", OpParams.of("v", 1.5), any(A, B));
        entry("subScalar", "Tensor.sub", (x, p) -> x[0].sub(p.d("v")))
                .none("the tensor form (sub) has the fixture; this one is x + (-v)")
                .both("subScalar", OpParams.of("v", 0.7), normal(A, B));
        entry("divScalar", "Tensor.div", (x, p) -> x[0].div(p.d("v")))
                .none("the tensor form (div) has the fixture; this one is x * (1 / v)")
                .both("divScalar", OpParams.of("v", -2.5), normal(A, B));
    }

    private static void binary() {
        entry("add", "BinaryOp.ADD,ops.Arithmetic,Tensor.add", (x, p) -> x[0].add(x[1])).ops()
                .grad(normal(2, 3, 4), normal(3, 1))
                .conf("add broadcast", OpParams.NONE, any(E, A, B), any(A, 1));
        entry("sub", "BinaryOp.SUB,Tensor.sub", (x, p) -> x[0].sub(x[1])).ops()
                .grad(normal(4), normal(3, 1))
                .conf("sub broadcast", OpParams.NONE, any(E, 1, B), any(A, B));
        entry("mul", "BinaryOp.MUL,Tensor.mul", (x, p) -> x[0].mul(x[1])).ops()
                .grad(normal(2, 1, 4), normal(3, 4))
                .conf("mul broadcast", OpParams.NONE, any(A, B), any(B));
        entry("div", "BinaryOp.DIV,Tensor.div", (x, p) -> x[0].div(x[1])).ops()
                .grad(normal(2, 3), uniform(0.5, 2, 3)).conf(any(A, B), positive(A, B));
        entry("pow", "BinaryOp.POW,Tensor.pow", (x, p) -> x[0].pow(x[1])).ops()
                .grad(uniform(0.5, 2, 2, 3), normal(3))
                .conf("pow tensor", OpParams.NONE, positive(A, B), any(1, B));
        // Rounded inputs tie on purpose on the device; the gradient check keeps clear of ties.
        entry("maximum", "BinaryOp.MAX,Tensor.maximum", (x, p) -> x[0].maximum(x[1])).ops()
                .grad(normal(2, 3), normal(3)).conf(rounded(A, B), rounded(A, B));
        entry("minimum", "BinaryOp.MIN,Tensor.minimum", (x, p) -> x[0].minimum(x[1])).ops()
                .grad(normal(2, 3), normal(2, 1)).conf(rounded(A, B), rounded(1, B));
        for (String cmp : List.of("eq", "ne", "lt", "le", "gt", "ge")) {
            entry(cmp, "BinaryOp." + cmp.toUpperCase(Locale.ROOT) + ",Tensor." + cmp, comparison(cmp)).ops()
                    .conf(cmp, OpParams.NONE, rounded(A, B), rounded(1, B));
        }
        entry("compare", "BinaryOp.EQ,BinaryOp.NE,BinaryOp.LT,BinaryOp.LE,BinaryOp.GT,BinaryOp.GE,ops.Compare",
                (x, p) -> x[0].eq(x[1]).add(x[0].ne(x[1]).mul(2)).add(x[0].lt(x[1]).mul(4)).add(x[0].le(x[1]).mul(8))
                        .add(x[0].gt(x[1]).mul(16)).add(x[0].ge(x[1]).mul(32)))
                .none("a composite of the six comparisons, each of which has the fixture")
                .conf(rounded(A, B), rounded(A, B));
        entry("compareScalar", "Tensor.eq,Tensor.lt,Tensor.le,Tensor.gt,Tensor.ge",
                (x, p) -> x[0].eq(0.5).add(x[0].lt(0.5).mul(2)).add(x[0].le(0.5).mul(4)).add(x[0].gt(-1).mul(8))
                        .add(x[0].ge(1).mul(16)))
                .none("the tensor forms (eq, lt, ...) have the fixtures")
                .conf(rounded(A, B));
    }

    private static Applier comparison(String cmp) {
        return switch (cmp) {
            case "eq" -> (x, p) -> x[0].eq(x[1]);
            case "ne" -> (x, p) -> x[0].ne(x[1]);
            case "lt" -> (x, p) -> x[0].lt(x[1]);
            case "le" -> (x, p) -> x[0].le(x[1]);
            case "gt" -> (x, p) -> x[0].gt(x[1]);
            case "ge" -> (x, p) -> x[0].ge(x[1]);
            default -> throw new IllegalArgumentException("comparison: unknown " + cmp);
        };
    }

    private static void reductions() {
        entry("sum", "ReduceOp.SUM,ops.Reduce,Tensor.sum", (x, p) -> x[0].sum(p.ints("axes"), p.b("keep"))).ops()
                .grad("sumAxes", axesKeep(new int[] {0, 2}, false), normal(2, 3, 4))
                .conf("sum long rows", axesKeep(new int[] {1}, false), any(A, 1000))
                .conf("sum middle", axesKeep(new int[] {1}, true), any(A, B, E));
        entry("sumAll", "ReduceOp.SUM,Tensor.sum", (x, p) -> x[0].sum()).ops()
                .grad(normal(2, 3)).conf("sum all", OpParams.NONE, any(A, B, E));
        entry("mean", "Tensor.mean", (x, p) -> x[0].mean(p.ints("axes"), p.b("keep"))).ops()
                .grad("mean", axesKeep(new int[] {-1}, true), normal(3, 5))
                .conf("mean", axesKeep(new int[] {0}, false), any(B, A));
        entry("meanAll", "Tensor.mean", (x, p) -> x[0].mean()).ops().both(normal(A, B));
        entry("var", "Tensor.var", (x, p) -> x[0].var(p.ints("axes"), p.b("keep"))).ops()
                .grad("var", axesKeep(new int[] {0, 1}, false), normal(3, 4, 2))
                .conf("var", axesKeep(new int[] {1}, false), any(A, B));
        entry("std", "Tensor.std", (x, p) -> x[0].std(p.ints("axes"), p.b("keep"))).ops()
                .grad("std", axesKeep(new int[] {1}, true), normal(3, 4));
        entry("max", "ReduceOp.MAX,Tensor.max", (x, p) -> x[0].max(p.i("axis"), p.b("keep"))).ops()
                .grad("maxAxis", axisKeep(1, true), normal(3, 5))
                .conf("max axis", axisKeep(1, false), any(A, B, E))
                .conf("max rows", axisKeep(1, false), any(A, 300));
        entry("min", "ReduceOp.MIN,Tensor.min", (x, p) -> x[0].min(p.i("axis"), p.b("keep"))).ops()
                .grad("minAxis", axisKeep(0, false), normal(3, 5))
                .conf("min axis", axisKeep(0, false), any(B, A));
        entry("argmax", "ops.ArgReduce,Tensor.argmax", (x, p) -> x[0].argmax(p.i("axis"), p.b("keep"))).ops()
                .confFn("argmax", t -> t[0].argmax(1, false).to(t[0].dtype()), any(A, B, E));
        entry("argmin", "ops.ArgReduce,Tensor.argmin", (x, p) -> x[0].argmin(p.i("axis"), p.b("keep"))).ops()
                .confFn("argmin", t -> t[0].argmin(0, false).to(t[0].dtype()), any(B, A));
    }

    private static OpParams axesKeep(int[] axes, boolean keep) {
        return OpParams.of("axes", axes, "keep", keep);
    }

    private static OpParams axisKeep(int axis, boolean keep) {
        return OpParams.of("axis", axis, "keep", keep);
    }

    private static void linearAlgebraAndVision() {
        entry("matmul", "ops.MatMul,Tensor.matmul", (x, p) -> x[0].matmul(x[1])).ops()
                .grad(normal(3, 4), normal(4, 5))
                .grad("matmulBatched", OpParams.NONE, normal(2, 3, 4), normal(2, 4, 2))
                .grad("matmulFoldRight", OpParams.NONE, normal(2, 3, 4), normal(4, 2))
                .grad("matmulBroadcastLeft", OpParams.NONE, normal(3, 4), normal(2, 4, 2))
                .grad("matmulBroadcastBoth", OpParams.NONE, normal(2, 1, 2, 3), normal(1, 2, 3, 2))
                .conf(any(A, B), any(B, E))
                .conf("matmul large", OpParams.NONE, any(130, 67), any(67, 129))
                .conf("matmul batched", OpParams.NONE, any(3, A, B), any(3, B, E))
                .conf("matmul broadcast", OpParams.NONE, any(4, A, B), any(B, E))
                .confFn("matmul transposed", t -> t[0].t().matmul(t[1].t()), any(B, A), any(E, B));
        entry("linear", "ops.Linear,Tensor.linear", (x, p) -> x[0].linear(x[1], x.length > 2 ? x[2] : null)).ops()
                .grad(normal(2, 3, 4), normal(5, 4), normal(5))
                .grad("linearNoBias", OpParams.NONE, normal(3, 4), normal(2, 4))
                .conf(any(A, B), any(E, B), any(E));
        entry("softmax", "ops.Softmax,Tensor.softmax", (x, p) -> x[0].softmax(p.i("axis"))).ops()
                .grad("softmax", OpParams.of("axis", 1), normal(2, 4, 3))
                .conf("softmax rows", OpParams.of("axis", 1), wide(A, 100))
                .conf("softmax short", OpParams.of("axis", 1), wide(A, 7))
                .conf("softmax middle", OpParams.of("axis", 1), wide(A, B, E));
        entry("logSoftmax", "ops.Softmax,Tensor.logSoftmax", (x, p) -> x[0].logSoftmax(p.i("axis"))).ops()
                .grad("logSoftmax", OpParams.of("axis", -1), normal(3, 5))
                .conf("logSoftmax rows", OpParams.of("axis", 1), wide(A, 257))
                .conf("logSoftmax middle", OpParams.of("axis", 0), wide(B, A));
        entry("layerNorm", "ops.LayerNorm,Tensor.layerNorm", (x, p) -> x[0].layerNorm(x[1], x[2], p.d("eps")))
                .none("nn.LayerNorm, which is this op, has PyTorch fixtures (NnReferenceTest, TransformerReferenceTest)")
                .grad("layerNorm", OpParams.of("eps", 1e-5), normal(3, 2, 5), normal(5), normal(5))
                .grad("layerNormTwoAxes", OpParams.of("eps", 0.1), normal(2, 3, 4), normal(3, 4), normal(3, 4))
                .conf("layerNorm rows", OpParams.of("eps", 1e-5), any(A, 128), any(128), any(128))
                .conf("layerNorm odd", OpParams.of("eps", 1e-5), any(B, 3, E), any(3, E), any(3, E));
        entry("conv2d", "ops.Conv2d,Tensor.conv2d", (x, p) -> x[0].conv2d(x[1], x.length > 2 ? x[2] : null,
                p.ints("stride"), p.ints("padding"), p.ints("dilation"))).ops()
                .grad("conv2d", conv(1, 1, 0, 0, 1, 1), normal(2, 2, 5, 4), normal(3, 2, 3, 2), normal(3))
                .grad("conv2dStridePadDilation", conv(2, 1, 1, 2, 1, 2), normal(1, 2, 6, 5), normal(2, 2, 3, 2))
                .conf("conv2d", conv(1, 1, 1, 1, 1, 1), any(2, 3, 9, 7), any(5, 3, 3, 3), any(5))
                .conf("conv2d strided dilated", conv(2, 1, 0, 2, 1, 2), any(3, 2, 11, 10), any(4, 2, 3, 2));
        entry("maxPool2d", "ops.Pool2d,Tensor.maxPool2d", (x, p) -> x[0].maxPool2d(p.i("k"), p.i("s"), p.i("p"))).ops()
                .grad("maxPool2d", pool(2, 2, 0), normal(2, 2, 4, 5))
                .grad("maxPool2dPadded", pool(3, 2, 1), normal(1, 2, 5, 5))
                .conf("maxPool2d", pool(2, 2, 0), any(2, 3, 9, 8))
                .conf("maxPool2d overlapping padded", pool(3, 2, 1), any(2, 2, 9, 10));
        entry("avgPool2d", "ops.Pool2d,Tensor.avgPool2d", (x, p) -> x[0].avgPool2d(p.i("k"), p.i("s"), p.i("p"))).ops()
                .grad("avgPool2d", pool(3, 2, 1), normal(1, 2, 5, 4))
                .conf("avgPool2d", pool(3, 2, 1), any(2, 3, 9, 8));
        entry("lstmRecurrence", "ops.LstmRecurrence",
                (x, p) -> LstmRecurrence.apply(x[0], x[1], p.b("bias") ? x[2] : null, x[x.length - 2],
                        x[x.length - 1], p.b("reverse")))
                .none("a fused LSTM loop; nn.LSTM as a whole has PyTorch fixtures (RecurrentReferenceTest)")
                .grad("lstmRecurrence", OpParams.of("bias", true, "reverse", false),
                        normal(3, 2, 12), normal(12, 3), normal(12), normal(2, 3), normal(2, 3))
                .grad("lstmRecurrenceReverseNoBias", OpParams.of("bias", false, "reverse", true),
                        normal(4, 2, 8), normal(8, 2), normal(2, 2), normal(2, 2))
                .conf("lstmRecurrence", OpParams.of("bias", true, "reverse", false),
                        any(5, A, 16), any(16, 4), any(16), any(A, 4), any(A, 4))
                .conf("lstmRecurrence reverse", OpParams.of("bias", false, "reverse", true),
                        any(4, A, 12), any(12, 3), any(A, 3), any(A, 3));
        entry("gruRecurrence", "ops.GruRecurrence",
                (x, p) -> GruRecurrence.apply(x[0], x[1], p.b("bias") ? x[2] : null, x[x.length - 1], p.b("reverse")))
                .none("a fused GRU loop; nn.GRU as a whole has PyTorch fixtures (RecurrentReferenceTest)")
                .grad("gruRecurrence", OpParams.of("bias", true, "reverse", false),
                        normal(3, 2, 9), normal(9, 3), normal(9), normal(2, 3))
                .grad("gruRecurrenceReverseNoBias", OpParams.of("bias", false, "reverse", true),
                        normal(4, 2, 6), normal(6, 2), normal(2, 2))
                .conf("gruRecurrence", OpParams.of("bias", true, "reverse", false),
                        any(5, A, 15), any(15, 5), any(15), any(A, 5))
                .conf("gruRecurrence reverse", OpParams.of("bias", false, "reverse", true),
                        any(4, A, 9), any(9, 3), any(A, 3));
        entry("rnnRecurrence", "ops.RnnRecurrence",
                (x, p) -> RnnRecurrence.apply(x[0], x[1], p.b("bias") ? x[2] : null, x[x.length - 1], p.b("reverse"),
                        p.b("relu")))
                .none("a fused RNN loop; nn.RNN as a whole has PyTorch fixtures (RecurrentReferenceTest)")
                .grad("rnnRecurrence", OpParams.of("bias", true, "reverse", false, "relu", false),
                        normal(3, 2, 3), normal(3, 3), normal(3), normal(2, 3))
                .grad("rnnRecurrenceReverseReluNoBias", OpParams.of("bias", false, "reverse", true, "relu", true),
                        normal(4, 2, 4), normal(4, 4), normal(2, 4))
                .conf("rnnRecurrence", OpParams.of("bias", true, "reverse", false, "relu", false),
                        any(5, A, 6), any(6, 6), any(6), any(A, 6))
                .conf("rnnRecurrence reverse relu", OpParams.of("bias", false, "reverse", true, "relu", true),
                        any(4, A, 3), any(3, 3), any(A, 3));
    }

    private static OpParams conv(int sh, int sw, int ph, int pw, int dh, int dw) {
        return OpParams.of("stride", new int[] {sh, sw}, "padding", new int[] {ph, pw}, "dilation", new int[] {dh, dw});
    }

    private static OpParams pool(int k, int s, int p) {
        return OpParams.of("k", k, "s", s, "p", p);
    }

    private static void indexing() {
        entry("indexSelect", "ops.IndexSelect,Tensor.indexSelect", (x, p) -> x[0].indexSelect(p.i("axis"), x[1]))
                .ops()
                .grad("indexSelect", OpParams.of("axis", 0), normal(4, 3), labels(3, 0, 3, 1))
                .conf("indexSelect rows", OpParams.of("axis", 0), any(11, B), index(A + 20, 11))
                .conf("indexSelect middle", OpParams.of("axis", 1), any(A, 9, 3), index(13, 9));
        entry("where", "ops.Where,Tensor.where", (x, p) -> Tensor.where(x[0], x[1], x[2])).ops()
                .grad(values(new double[] {1, 0, 0, 1, 1, 0}, 2, 3).in(DType.FLOAT32), normal(2, 3), normal(3))
                .confFn("where", t -> Tensor.where(t[0].gt(0), t[1], t[2]), any(A, B), any(A, B), any(1, B));
        entry("maskedFill", "ops.Where,Tensor.maskedFill", (x, p) -> x[1].maskedFill(x[0].lt(0), p.d("value")))
                .none("not in ops.json: it is where(mask, value, x), and where has its fixture cases")
                .both("maskedFill", OpParams.of("value", -3), any(A, B).in(DType.FLOAT32), any(A, B));
        entry("dropout", "Tensor.dropout", (x, p) -> x[0].dropout(p.d("p"), p.i("seed")))
                .none("the mask comes from this library's generator, not torch's")
                .grad("dropout", OpParams.of("p", 0.4, "seed", 7), normal(4, 5));
        entry("cast", "ops.Cast,Tensor.to", (x, p) -> x[0].to(DType.valueOf(p.s("dtype"))))
                .none("a conversion; torch rounds float64 to float32 as Java does")
                // Through float32 the loss moves in steps of about 1e-7, so this case takes a wide step.
                .gradFn("cast", t -> t[0].to(DType.FLOAT32).mul(2).to(DType.FLOAT64), 1e-2, 1e-3, normal(3))
                .confFn("cast", t -> t[0].to(t[0].dtype() == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32).exp(),
                        any(A, B));
    }

    private static void shapes() {
        entry("copy", "Tensor.copy", (x, p) -> x[0].copy())
                .none("a copy; torch's clone, whose gradient is the identity")
                .both(normal(A, B));
        entry("reshape", "ops.Reshape,Tensor.reshape", (x, p) -> x[0].reshape(p.ints("shape"))).ops()
                .gradFn("reshape", t -> t[0].reshape(3, -1).mul(t[0].reshape(3, -1)), normal(2, 3, 2))
                .confFn("reshape", t -> t[0].reshape(-1, 3).exp(), any(A, B, 3));
        entry("unsqueeze", "Tensor.unsqueeze,Tensor.squeeze,Tensor.flatten", (x, p) -> x[0].unsqueeze(p.i("axis")))
                .ops()
                .gradFn("squeezeUnsqueezeFlatten", t -> t[0].unsqueeze(0).squeeze(0).flatten(0, 1).exp(),
                        normal(2, 3, 2));
        entry("squeeze", "Tensor.squeeze", (x, p) -> x[0].squeeze()).ops();
        entry("flatten", "Tensor.flatten", (x, p) -> x[0].flatten(p.i("start"), p.i("end"))).ops();
        entry("permute", "ops.Permute,Tensor.permute", (x, p) -> x[0].permute(p.ints("perm"))).ops()
                .grad("permute", OpParams.of("perm", new int[] {2, 0, 1}), normal(2, 3, 4))
                .confFn("permute", t -> t[0].permute(2, 0, 1).mul(t[1]), any(A, B, E), any(E, A, B));
        entry("transpose", "ops.Permute,Tensor.transpose", (x, p) -> x[0].transpose(p.i("a"), p.i("b"))).ops()
                .grad("transposeAxes", OpParams.of("a", 0, "b", 2), normal(2, 3, 4));
        entry("t", "Tensor.t", (x, p) -> x[0].t())
                .none("transpose(0, 1), whose general form has the fixture")
                .gradFn("transpose", t -> t[0].t(), normal(3, 4))
                .confFn("transpose", t -> t[0].t().exp(), any(A, B));
        entry("narrow", "ops.Narrow,Tensor.narrow", (x, p) -> x[0].narrow(p.i("axis"), p.i("start"), p.i("length")))
                .ops()
                .grad("narrow", OpParams.of("axis", 1, "start", 1, "length", 2), normal(2, 4, 3));
        entry("slice", "ops.Narrow,Tensor.slice", (x, p) -> x[0].slice(p.i("axis"), p.i("start"), p.i("end")))
                .none("narrow with Python's bounds, whose narrow form has the fixture")
                .grad("slice", OpParams.of("axis", 0, "start", -2, "end", 4), normal(4, 3))
                .confFn("slice", t -> t[0].slice(1, 1, -1).exp(), any(A, B, 3));
        entry("concat", "ops.Concat,Tensor.concat", (x, p) -> Tensor.concat(p.i("axis"), x)).ops()
                .grad("concat", OpParams.of("axis", 1), normal(2, 1, 3), normal(2, 2, 3))
                .confFn("concat", t -> Tensor.concat(1, t[0], t[1]).tanh(), any(A, 3), any(A, B));
        entry("stack", "ops.Concat,ops.Reshape,Tensor.stack", (x, p) -> Tensor.stack(p.i("axis"), x)).ops()
                .grad("stack", OpParams.of("axis", 0), normal(2, 3), normal(2, 3))
                .confFn("stack", t -> Tensor.stack(0, t[0], t[1]).sigmoid(), any(A, B), any(A, B));
        entry("broadcastTo", "ops.Expand,Tensor.broadcastTo", (x, p) -> x[0].broadcastTo(p.ints("shape"))).ops()
                .grad("broadcastTo", OpParams.of("shape", new int[] {2, 3, 4}), normal(3, 1))
                .confFn("broadcastTo", t -> t[0].broadcastTo(t[1].shape()).mul(t[1]), any(1, B), any(E, A, B));
    }

    private static final float[] CLASS_WEIGHTS = {0.3f, 1.7f, 1f, 2.2f};

    private static void losses() {
        Builder ce = entry("crossEntropy", "loss.CrossEntropyLoss,ops.SoftmaxCrossEntropy", lossApplier("crossEntropy"))
                .losses();
        Builder bce = entry("bceWithLogits", "loss.BinaryCrossEntropyWithLogitsLoss", lossApplier("bceWithLogits"))
                .losses();
        Builder mse = entry("mse", "loss.MseLoss", lossApplier("mse")).losses();
        Builder l1 = entry("l1", "loss.L1Loss", lossApplier("l1")).losses();
        Builder huber = entry("huber", "loss.HuberLoss", lossApplier("huber")).losses();
        for (Reduction r : Reduction.values()) {
            OpParams plain = OpParams.of("reduction", r.name());
            OpParams full = OpParams.of("reduction", r.name(), "weights", CLASS_WEIGHTS, "labelSmoothing", 0.15);
            ce.grad("ceLabels_" + r, plain, normalScaled(2, 5, 4), labels(3, 0, 1, 3, 3))
                    .grad("ceLabelsWeightedSmoothed_" + r, full, normalScaled(2, 5, 4), labels(3, 0, 1, 3, 3))
                    .grad("ceProbs_" + r, plain, normalScaled(2, 5, 4), probabilities(5, 4))
                    .grad("ceProbsWeightedSmoothed_" + r, full, normalScaled(2, 5, 4), probabilities(5, 4));
            // Logits from -30 to 30 and one exactly 0, where the formula changes branch.
            bce.grad("bce_" + r, plain, values(new double[] {-30, -4, -0.7, 0, 0.2, 1.5, 6, 30}, 2, 4),
                    uniform(0, 1, 2, 4));
            mse.grad("mse_" + r, plain, normal(3, 4), normal(3, 4));
            // L1 and Huber: predictions and targets on opposite sides of 0.5, so no difference is near 0.
            l1.grad("l1_" + r, plain, uniform(0.6, 3, 3, 4), uniform(-2, 0.4, 3, 4));
            huber.grad("huber_" + r, OpParams.of("reduction", r.name(), "delta", 1.3),
                    values(new double[] {0.1, 0.9, 2.0, -1.0, 3.5, 0.2}, 2, 3),
                    values(new double[] {0.6, 0.0, -1.1, 0.5, 0.0, -3.0}, 2, 3));
        }
        ce.conf("crossEntropy", OpParams.of("reduction", "MEAN"), any(A + 3, 10), index(A + 3, 10))
                .conf("crossEntropy sum, 1000 classes", OpParams.of("reduction", "SUM"), wide(A + 1, 1000),
                        index(A + 1, 1000))
                .conf("crossEntropy weighted, smoothed (composed)", OpParams.of("reduction", "MEAN",
                        "weights", new float[] {1, 2, 0.5f, 1, 1, 3, 1}, "labelSmoothing", 0.1), any(A + 2, 7),
                        index(A + 2, 7))
                .conf("crossEntropy probabilities", OpParams.of("reduction", "MEAN"), any(A, 6), probabilities(A, 6));
        bce.conf("bceWithLogits", OpParams.of("reduction", "MEAN"), wide(A, B), uniform(0, 1, A, B));
        mse.conf("mse", OpParams.of("reduction", "SUM"), any(A, B), any(A, B));
        l1.conf("l1", OpParams.of("reduction", "NONE"), any(A, B), any(A, B));
        huber.conf("huber", OpParams.of("reduction", "MEAN", "delta", 0.8), any(A, B), any(A, B));
    }

    /** The loss of this name, configured by the arguments as the PyTorch fixture records them. */
    private static Applier lossApplier(String name) {
        return (x, p) -> loss(name, p).compute(x[0], x[1]);
    }

    /** The Java loss of this name configured with these arguments (reduction, weights, smoothing, delta). */
    public static Loss loss(String name, OpParams p) {
        Reduction r = Reduction.valueOf(p.s("reduction").toUpperCase(Locale.ROOT));
        return switch (name) {
            case "crossEntropy" -> {
                CrossEntropyLoss ce = new CrossEntropyLoss().withReduction(r);
                if (p.has("labelSmoothing")) {
                    ce = ce.withLabelSmoothing(p.d("labelSmoothing"));
                }
                yield p.has("weights") ? ce.withWeights(p.floats("weights")) : ce;
            }
            case "bceWithLogits" -> new BinaryCrossEntropyWithLogitsLoss(r);
            case "mse" -> new MseLoss(r);
            case "l1" -> new L1Loss(r);
            case "huber" -> new HuberLoss(p.d("delta"), r);
            default -> throw new AssertionError("OpRegistry.loss: no loss named " + name);
        };
    }

    private static void composites() {
        entry("sameTensorTwice", "BinaryOp.MUL", (x, p) -> x[0].mul(x[0]).add(x[0]))
                .none("a composite: one tensor reaching the output by two paths")
                .grad(normal(5));
        entry("mlp", "ops.MatMul,BinaryOp.ADD,UnaryOp.TANH,ops.Softmax",
                (x, p) -> x[0].matmul(x[1]).add(x[2]).tanh().logSoftmax(1).mean())
                .none("a composite: a small network end to end")
                .grad(normal(4, 3), normal(3, 5), normal(5));
        entry("softmaxCrossEntropy", "ops.SoftmaxCrossEntropy", (x, p) -> SoftmaxCrossEntropy.apply(x[0], x[1]))
                .none("the kernel under CrossEntropyLoss, whose fixtures (losses.json) cover it")
                .gradFn("softmaxCrossEntropy", t -> SoftmaxCrossEntropy.apply(t[0].mul(2),
                        Tensor.fromArray(new int[] {4, 0, 2, 4}, 4)).mul(Tensor.fromArray(new double[] {0.5, -1.5, 2, 1},
                        4)), normal(4, 5))
                .gradFn("softmaxCrossEntropyMean", t -> SoftmaxCrossEntropy.reduced(t[0],
                        Tensor.fromArray(new int[] {1, 0, 2}, 3), 1.0 / 3).mul(1.7), normal(3, 4));
    }

    private static Builder entry(String name, String covers, Applier f) {
        return new Builder(name, covers, f);
    }

    /** Registers an entry and adds its cases. */
    private static final class Builder {
        private final String name;
        private final Set<String> covers;
        private final Applier f;
        private final List<Case> cases;
        private Reference reference;

        Builder(String name, String covers, Applier f) {
            this.name = name;
            this.covers = new LinkedHashSet<>(Arrays.asList(covers.split(",")));
            this.f = f;
            this.cases = new ArrayList<>();
        }

        /** Its PyTorch reference: cases named {@code name} in reference/ops.json. */
        Builder ops() {
            return register(new Reference("ops", name));
        }

        /** Its PyTorch reference: cases of loss {@code name} in reference/losses/losses.json. */
        Builder losses() {
            return register(new Reference("losses", name));
        }

        /** No PyTorch reference, for this reason. */
        Builder none(String why) {
            return register(Reference.none(why));
        }

        private Builder register(Reference r) {
            if (OPS.containsKey(name)) {
                throw new IllegalStateException("OpRegistry: two entries named " + name);
            }
            reference = r;
            OPS.put(name, new Op(name, Collections.unmodifiableSet(covers), f, r, cases));
            return this;
        }

        Builder grad(OpInput... in) {
            return grad(name, OpParams.NONE, in);
        }

        Builder grad(String label, OpParams p, OpInput... in) {
            return add(label, EnumSet.of(Suite.GRADIENT), p, null, H, RTOL, in);
        }

        Builder gradFn(String label, Function<Tensor[], Tensor> fn, OpInput... in) {
            return add(label, EnumSet.of(Suite.GRADIENT), OpParams.NONE, fn, H, RTOL, in);
        }

        Builder gradFn(String label, Function<Tensor[], Tensor> fn, double h, double rtol, OpInput... in) {
            return add(label, EnumSet.of(Suite.GRADIENT), OpParams.NONE, fn, h, rtol, in);
        }

        Builder conf(OpInput... in) {
            return conf(name, OpParams.NONE, in);
        }

        Builder conf(String label, OpParams p, OpInput... in) {
            return add(label, EnumSet.of(Suite.CONFORMANCE), p, null, H, RTOL, in);
        }

        Builder confFn(String label, Function<Tensor[], Tensor> fn, OpInput... in) {
            return add(label, EnumSet.of(Suite.CONFORMANCE), OpParams.NONE, fn, H, RTOL, in);
        }

        Builder both(OpInput... in) {
            return both(name, OpParams.NONE, in);
        }

        Builder both(String label, OpParams p, OpInput... in) {
            return add(label, EnumSet.of(Suite.GRADIENT, Suite.CONFORMANCE), p, null, H, RTOL, in);
        }

        private Builder add(String label, Set<Suite> suites, OpParams p, Function<Tensor[], Tensor> fn, double h,
                            double rtol, OpInput... in) {
            if (reference == null) {
                throw new IllegalStateException("OpRegistry: state " + name + "'s reference before its cases");
            }
            Function<Tensor[], Tensor> run = fn != null ? fn : x -> f.apply(x, p);
            cases.add(new Case(name, label, Collections.unmodifiableSet(suites), List.of(in), p, run, h, rtol));
            return this;
        }
    }
}
