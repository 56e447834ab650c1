package org.trainer.distributed.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.loss.Loss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Conv2d;
import org.trainer.core.nn.Flatten;
import org.trainer.core.nn.Init;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.MaxPool2d;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Optimizer;

/**
 * Float64 models with fixed seeds for comparing pipelined with unsplit training, and the unsplit
 * reference loop. Linear and Conv2d create float32 biases, so the layers are built without one and
 * a float64 {@link Bias} follows them.
 */
final class Models64 {
    private Models64() {
    }

    /** A learnable float64 bias added to the input, of the shape it broadcasts over (e.g. [C, 1, 1]). */
    static final class Bias extends Module {
        private final Parameter bias;

        Bias(long seed, int... shape) {
            bias = registerParameter("bias", new Parameter(Tensor.random(DType.FLOAT64, false, -0.3, 0.3, seed, shape)));
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.add(bias.value());
        }
    }

    static Linear linear(int in, int out, long seed) {
        return new Linear(in, out, false, (shape, s) -> Init.xavierUniform(1).create(shape, s).to(DType.FLOAT64), seed);
    }

    /** 6 -> 16 -> 12 -> 4 with tanh and ReLU: children 0..8, three per layer (linear, bias, activation). */
    static Sequential mlp(long seed) {
        return new Sequential(
                linear(6, 16, seed), new Bias(seed + 1, 16), new Activation.Tanh(),
                linear(16, 12, seed + 2), new Bias(seed + 3, 12), new Activation.ReLU(),
                linear(12, 4, seed + 4), new Bias(seed + 5, 4), new Activation.Tanh());
    }

    /**
     * [n, 1, 6, 6] -> conv 3x3 (3 channels) -> tanh -> max-pool 2 -> [n, 3, 2, 2] -> flatten -> dense 4:
     * children 0..6, the dense part starting at child 4 (Flatten).
     */
    static Sequential cnn(long seed) {
        Conv2d conv = new Conv2d(1, 3, 3, 1, 0, 1, false,
                (shape, s) -> Init.xavierUniform(1).create(shape, s).to(DType.FLOAT64), seed);
        return new Sequential(conv, new Bias(seed + 1, 3, 1, 1), new Activation.Tanh(), new MaxPool2d(2),
                new Flatten(), linear(12, 4, seed + 2), new Bias(seed + 3, 4));
    }

    static Tensor randn(long seed, int... shape) {
        return Tensor.random(DType.FLOAT64, true, 0, 1, seed, shape);
    }

    /**
     * {@code steps} mini-batches {features, targets} of n samples, the targets a fixed smooth function
     * of the features (tanh of a random linear map), so that a model can learn them.
     */
    static List<Tensor[]> batches(int steps, int n, int[] featureShape, int outputs, long seed) {
        int[] shape = new int[featureShape.length + 1];
        shape[0] = n;
        System.arraycopy(featureShape, 0, shape, 1, featureShape.length);
        int d = 1;
        for (int f : featureShape) {
            d *= f;
        }
        Tensor teacher = randn(seed - 1, d, outputs).div(Math.sqrt(d));
        List<Tensor[]> out = new ArrayList<>();
        for (int t = 0; t < steps; t++) {
            Tensor x = randn(seed + t, shape);
            out.add(new Tensor[] {x, x.reshape(n, d).matmul(teacher).tanh().detach()});
        }
        return out;
    }

    /** What a run ends with: the loss of every step and every parameter by name. */
    record Run(double[] losses, Map<String, double[]> parameters) {
    }

    static Map<String, double[]> values(Module m) {
        Map<String, double[]> out = new LinkedHashMap<>();
        m.namedParameters().forEach((k, p) -> out.put(k, p.value().toDoubleArray()));
        return out;
    }

    /** Unsplit training: one forward, loss, backward and step per mini-batch. */
    static Run reference(Supplier<Sequential> model, Function<List<Parameter>, Optimizer> optimizer,
                         List<Tensor[]> batches, Loss loss) {
        Sequential m = model.get();
        Optimizer opt = optimizer.apply(m.parameters());
        double[] losses = new double[batches.size()];
        for (int t = 0; t < batches.size(); t++) {
            opt.zeroGrad();
            Tensor l = loss.compute(m.forward(batches.get(t)[0]), batches.get(t)[1]);
            l.backward();
            losses[t] = l.item();
            opt.step();
        }
        return new Run(losses, values(m));
    }

    /** |a - b| &lt;= tol max(|b|, 1e-6), element by element, with the first offender in the message. */
    static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            assertTrue(Math.abs(a - e) <= tol * Math.max(Math.abs(e), 1e-6),
                    what + "[" + i + "]: expected " + e + ", got " + a + " (relative error "
                            + Math.abs(a - e) / Math.max(Math.abs(e), 1e-6) + ")");
        }
    }

    /** Every rank's stage parameters, together, equal the reference's (each name exactly once). */
    static void assertSameParameters(Run reference, List<Run> ranks, double tol, String what) {
        Map<String, double[]> seen = new LinkedHashMap<>();
        for (Run r : ranks) {
            r.parameters().forEach((k, v) -> assertEquals(null, seen.put(k, v), what + ": " + k + " on two stages"));
        }
        assertEquals(reference.parameters().keySet(), seen.keySet(), what + ": the stages' parameter names");
        reference.parameters().forEach((k, v) -> assertClose(v, seen.get(k), tol, what + " " + k));
    }
}
