package org.trainer.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.DType;
import org.trainer.core.Device;
import org.trainer.core.Tensor;
import org.trainer.core.loss.CrossEntropyLoss;

/**
 * Every primitive, through the public Tensor API, on the CPU and on cuda:0 with the same random
 * inputs (odd sizes included), forward and backward, in float32 and float64. Inputs move with
 * {@code tensor.to(device)}; backward runs on each tensor's own backend.
 */
@Tag("gpu")
class ConformanceTest {
    private static final double TOL32 = 1e-4;
    private static final double TOL64 = 1e-9;

    /** How an input is drawn. */
    enum Domain { ANY, POSITIVE, WIDE, ROUNDED }

    /** A floating input of a shape, or an int32 index vector of {@code length} values below {@code bound}. */
    record Input(int[] shape, Domain domain, int bound) {
        static Input any(int... shape) {
            return new Input(shape, Domain.ANY, 0);
        }

        static Input positive(int... shape) {
            return new Input(shape, Domain.POSITIVE, 0);
        }

        static Input wide(int... shape) {
            return new Input(shape, Domain.WIDE, 0);
        }

        static Input rounded(int... shape) {
            return new Input(shape, Domain.ROUNDED, 0);
        }

        static Input index(int length, int bound) {
            return new Input(new int[] {length}, null, bound);
        }

        boolean isIndex() {
            return domain == null;
        }
    }

    record Case(String name, Function<Tensor[], Tensor> f, Input... inputs) {
    }

    private static final Random SIZES = new Random(20240611);

    /** A random size, odd more often than not, so no kernel gets only tile-aligned shapes. */
    private static int d() {
        int[] choices = {1, 2, 3, 5, 7, 8, 13, 17, 31, 33, 64, 65};
        return choices[SIZES.nextInt(choices.length)];
    }

    private static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        int a = d(), b = d() + 2, e = d();
        // unary ops and their derivatives
        c.add(new Case("neg", t -> t[0].neg(), Input.any(a, b)));
        c.add(new Case("exp", t -> t[0].exp(), Input.any(a, b)));
        c.add(new Case("log", t -> t[0].log(), Input.positive(a, b)));
        c.add(new Case("sqrt", t -> t[0].sqrt(), Input.positive(b, a)));
        c.add(new Case("abs", t -> t[0].abs(), Input.any(a, b, 3)));
        c.add(new Case("pow 2.5", t -> t[0].pow(2.5), Input.positive(a, b)));
        c.add(new Case("pow 3", t -> t[0].pow(3), Input.any(a, b)));
        c.add(new Case("reciprocal", t -> t[0].reciprocal(), Input.positive(a, b)));
        c.add(new Case("relu", t -> t[0].relu(), Input.any(1000, 3)));
        c.add(new Case("leakyRelu", t -> t[0].leakyRelu(0.1), Input.any(a, b)));
        c.add(new Case("sigmoid", t -> t[0].sigmoid(), Input.wide(a, b)));
        c.add(new Case("tanh", t -> t[0].tanh(), Input.any(a, b)));
        c.add(new Case("gelu", t -> t[0].gelu(), Input.wide(a, b)));
        c.add(new Case("softplus", t -> t[0].softplus(), Input.wide(a, b)));
        c.add(new Case("clamp", t -> t[0].clamp(-0.5, 0.7), Input.any(a, b)));
        c.add(new Case("scale", t -> t[0].mul(2.5), Input.any(a, b)));
        c.add(new Case("shift", t -> t[0].add(1.5), Input.any(a, b)));
        // broadcast binary ops
        c.add(new Case("add broadcast", t -> t[0].add(t[1]), Input.any(e, a, b), Input.any(a, 1)));
        c.add(new Case("sub broadcast", t -> t[0].sub(t[1]), Input.any(e, 1, b), Input.any(a, b)));
        c.add(new Case("mul broadcast", t -> t[0].mul(t[1]), Input.any(a, b), Input.any(b)));
        c.add(new Case("div", t -> t[0].div(t[1]), Input.any(a, b), Input.positive(a, b)));
        c.add(new Case("pow tensor", t -> t[0].pow(t[1]), Input.positive(a, b), Input.any(1, b)));
        c.add(new Case("maximum", t -> t[0].maximum(t[1]), Input.rounded(a, b), Input.rounded(a, b)));
        c.add(new Case("minimum", t -> t[0].minimum(t[1]), Input.rounded(a, b), Input.rounded(1, b)));
        c.add(new Case("compare", t -> t[0].eq(t[1]).add(t[0].ne(t[1]).mul(2)).add(t[0].lt(t[1]).mul(4))
                .add(t[0].le(t[1]).mul(8)).add(t[0].gt(t[1]).mul(16)).add(t[0].ge(t[1]).mul(32)),
                Input.rounded(a, b), Input.rounded(a, b)));
        c.add(new Case("where", t -> Tensor.where(t[0].gt(0), t[1], t[2]), Input.any(a, b), Input.any(a, b),
                Input.any(1, b)));
        c.add(new Case("maskedFill", t -> t[1].maskedFill(t[0].lt(0), -3), Input.any(a, b), Input.any(a, b)));
        // layout (strided copies)
        c.add(new Case("permute", t -> t[0].permute(2, 0, 1).mul(t[1]), Input.any(a, b, e), Input.any(e, a, b)));
        c.add(new Case("transpose", t -> t[0].t().exp(), Input.any(a, b)));
        c.add(new Case("slice", t -> t[0].slice(1, 1, b - 1).exp(), Input.any(a, b, 3)));
        c.add(new Case("concat", t -> Tensor.concat(1, t[0], t[1]).tanh(), Input.any(a, 3), Input.any(a, b)));
        c.add(new Case("stack", t -> Tensor.stack(0, t[0], t[1]).sigmoid(), Input.any(a, b), Input.any(a, b)));
        c.add(new Case("broadcastTo", t -> t[0].broadcastTo(e, a, b).mul(t[1]), Input.any(1, b), Input.any(e, a, b)));
        c.add(new Case("cast", t -> t[0].to(t[0].dtype() == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32).exp(),
                Input.any(a, b)));
        // reductions
        c.add(new Case("sum all", t -> t[0].sum(), Input.any(a, b, e)));
        c.add(new Case("sum long rows", t -> t[0].sum(1, false), Input.any(a, 1000)));
        c.add(new Case("sum middle", t -> t[0].sum(1, true), Input.any(a, b, e)));
        c.add(new Case("mean", t -> t[0].mean(0, false), Input.any(b, a)));
        c.add(new Case("max axis", t -> t[0].max(1, false), Input.any(a, b, e)));
        c.add(new Case("max rows", t -> t[0].max(1, false), Input.any(a, 300)));
        c.add(new Case("min axis", t -> t[0].min(0, false), Input.any(b, a)));
        c.add(new Case("argmax", t -> t[0].argmax(1, false).to(t[0].dtype()), Input.any(a, b, e)));
        c.add(new Case("argmin", t -> t[0].argmin(0, false).to(t[0].dtype()), Input.any(b, a)));
        c.add(new Case("var", t -> t[0].var(1, false), Input.any(a, b)));
        // softmax, fused
        c.add(new Case("softmax rows", t -> t[0].softmax(1), Input.wide(a, 100)));
        c.add(new Case("softmax short", t -> t[0].softmax(1), Input.wide(a, 7)));
        c.add(new Case("softmax middle", t -> t[0].softmax(1), Input.wide(a, b, e)));
        c.add(new Case("logSoftmax rows", t -> t[0].logSoftmax(1), Input.wide(a, 257)));
        c.add(new Case("logSoftmax middle", t -> t[0].logSoftmax(0), Input.wide(b, a)));
        // matrix products
        c.add(new Case("matmul", t -> t[0].matmul(t[1]), Input.any(a, b), Input.any(b, e)));
        c.add(new Case("matmul large", t -> t[0].matmul(t[1]), Input.any(130, 67), Input.any(67, 129)));
        c.add(new Case("matmul batched", t -> t[0].matmul(t[1]), Input.any(3, a, b), Input.any(3, b, e)));
        c.add(new Case("matmul broadcast", t -> t[0].matmul(t[1]), Input.any(4, a, b), Input.any(b, e)));
        c.add(new Case("matmul transposed", t -> t[0].t().matmul(t[1].t()), Input.any(b, a), Input.any(e, b)));
        c.add(new Case("linear", t -> t[0].linear(t[1], t[2]), Input.any(a, b), Input.any(e, b), Input.any(e)));
        // convolution and pooling
        c.add(new Case("conv2d", t -> t[0].conv2d(t[1], t[2], 1, 1, 1), Input.any(2, 3, 9, 7), Input.any(5, 3, 3, 3),
                Input.any(5)));
        c.add(new Case("conv2d strided dilated", t -> t[0].conv2d(t[1], null, new int[] {2, 1}, new int[] {0, 2},
                new int[] {1, 2}), Input.any(3, 2, 11, 10), Input.any(4, 2, 3, 2)));
        c.add(new Case("maxPool2d", t -> t[0].maxPool2d(2, 2, 0), Input.any(2, 3, 9, 8)));
        c.add(new Case("maxPool2d overlapping padded", t -> t[0].maxPool2d(3, 2, 1), Input.any(2, 2, 9, 10)));
        c.add(new Case("avgPool2d", t -> t[0].avgPool2d(3, 2, 1), Input.any(2, 3, 9, 8)));
        // gather and scatter-add (embedding), repeated indices included
        c.add(new Case("indexSelect rows", t -> t[0].indexSelect(0, t[1]), Input.any(11, b), Input.index(a + 20, 11)));
        c.add(new Case("indexSelect middle", t -> t[0].indexSelect(1, t[1]), Input.any(a, 9, 3), Input.index(13, 9)));
        // a loss built from these ops
        c.add(new Case("crossEntropy", t -> new CrossEntropyLoss().compute(t[0], t[1]), Input.any(a + 3, 10),
                Input.index(a + 3, 10)));
        c.add(new Case("crossEntropy sum, 1000 classes", t -> new CrossEntropyLoss().withReduction(
                org.trainer.core.loss.Reduction.SUM).compute(t[0], t[1]), Input.wide(a + 1, 1000),
                Input.index(a + 1, 1000)));
        c.add(new Case("crossEntropy weighted, smoothed (composed)", t -> new CrossEntropyLoss()
                .withWeights(new float[] {1, 2, 0.5f, 1, 1, 3, 1}).withLabelSmoothing(0.1).compute(t[0], t[1]),
                Input.any(a + 2, 7), Input.index(a + 2, 7)));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> float32() {
        return tests(DType.FLOAT32, TOL32);
    }

    @TestFactory
    Stream<DynamicTest> float64() {
        return tests(DType.FLOAT64, TOL64);
    }

    private Stream<DynamicTest> tests(DType dtype, double tol) {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name() + " " + dtype, () -> run(c, dtype, tol)));
    }

    private static void run(Case c, DType dtype, double tol) {
        Device dev = GpuTests.device();
        Random r = new Random(c.name().hashCode());
        Tensor[] cpu = new Tensor[c.inputs().length];
        Tensor[] gpu = new Tensor[cpu.length];
        for (int i = 0; i < cpu.length; i++) {
            cpu[i] = input(c.inputs()[i], dtype, r);
            gpu[i] = cpu[i].to(dev);
            if (cpu[i].dtype().isFloating()) {
                cpu[i].requiresGrad(true);
                gpu[i].requiresGrad(true);
            }
        }
        Tensor yc = c.f().apply(cpu);
        Tensor yg = c.f().apply(gpu);
        String where = c.name() + " " + dtype;
        if (!GpuTests.SELF_CHECK) {
            org.junit.jupiter.api.Assertions.assertEquals(dev, yg.device(), where + ": output device");
        }
        // A float32 result (a cast from float64) is held to float32's tolerance, whatever the input.
        double outTol = yc.dtype() == DType.FLOAT32 ? Math.max(tol, TOL32) : tol;
        Close.assertClose(where + " forward", yc.toDoubleArray(), yg.toDoubleArray(), outTol);
        if (!yc.requiresGrad() || !yc.dtype().isFloating()) {
            return;
        }
        Tensor g = input(Input.any(yc.shape()), yc.dtype(), r);
        yc.backward(g);
        yg.backward(g.to(dev));
        for (int i = 0; i < cpu.length; i++) {
            if (cpu[i].grad() != null) {
                org.junit.jupiter.api.Assertions.assertNotNull(gpu[i].grad(), where + ": gradient of input " + i);
                Close.assertClose(where + " gradient of input " + i, cpu[i].grad().toDoubleArray(),
                        gpu[i].grad().toDoubleArray(), outTol * 10);
            }
        }
    }

    private static Tensor input(Input in, DType dtype, Random r) {
        int n = 1;
        for (int s : in.shape()) {
            n *= s;
        }
        if (in.isIndex()) {
            int[] v = new int[n];
            for (int i = 0; i < n; i++) {
                v[i] = r.nextInt(in.bound());
            }
            return Tensor.fromArray(v, in.shape());
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (in.domain()) {
                case ANY -> r.nextDouble() * 4 - 2;
                case POSITIVE -> 0.1 + r.nextDouble() * 3;
                case WIDE -> r.nextGaussian() * 12;
                case ROUNDED -> Math.round(r.nextDouble() * 6 - 3) * 0.5;
            };
        }
        return Tensor.fromArray(v, in.shape()).to(dtype).detach();
    }
}
