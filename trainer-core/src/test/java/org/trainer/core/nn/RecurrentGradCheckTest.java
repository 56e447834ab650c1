package org.trainer.core.nn;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.GradMode;
import org.trainer.core.GradientCheck;
import org.trainer.core.Tensor;

/**
 * Finite-difference gradient checks of the recurrent layers in float64 on tiny sizes (input 2,
 * hidden 3, projections to 2 for one LSTM, T 4, N 3, two bidirectional layers, given initial
 * states, unequal lengths, and for the GRU and RNN also full lengths, which take their fused recurrences): the
 * gradients of the input and initial states through {@link GradientCheck}, and those of every
 * parameter element by central differences of the same weighted loss.
 */
class RecurrentGradCheckTest {
    private static final double H = 1e-6;
    private static final double RTOL = 1e-6;
    private static final RecurrentOptions TWO_BIDIRECTIONAL = RecurrentOptions.defaults().withNumLayers(2)
            .withBidirectional(true);

    private static Tensor n(long seed, int... shape) {
        return Tensor.random(DType.FLOAT64, true, 0, 1, seed, shape);
    }

    /** Output, final h and (for an LSTM) final c, flattened into one vector. */
    private static Tensor all(RecurrentOutput out) {
        Tensor v = Tensor.concat(0, out.output().flatten(), out.h().flatten());
        return out.c() == null ? v : Tensor.concat(0, v, out.c().flatten());
    }

    private static void check(String name, RecurrentLayer layer, boolean batchFirst) {
        check(name, layer, batchFirst, Tensor.fromArray(new int[] {2, 4, 3}, 3));
    }

    /** As above with these lengths; null (full-length sequences) takes a fused recurrence where there is one. */
    private static void check(String name, RecurrentLayer layer, boolean batchFirst, Tensor lengths) {
        layer.to(DType.FLOAT64);
        int d = layer.options().directions() * layer.options().numLayers();
        Tensor x = batchFirst ? n(1, 3, 4, 2) : n(1, 4, 3, 2);
        Tensor h0 = n(2, d, 3, layer.projSize() > 0 ? layer.projSize() : 3).mul(0.5);
        Tensor c0 = n(3, d, 3, 3).mul(0.5);
        boolean lstm = layer instanceof LSTM;
        Tensor[] inputs = lstm ? new Tensor[] {x, h0, c0} : new Tensor[] {x, h0};
        java.util.function.Function<Tensor[], Tensor> f = t -> all(layer.forward(t[0], lengths,
                new RecurrentState(t[1], lstm ? t[2] : null)));
        GradientCheck.assertMatches(name + " inputs", f, inputs, H, RTOL);
        checkParameters(name, layer, () -> f.apply(new Tensor[] {x.detach(), h0.detach(), c0.detach()}));
    }

    /** d/dp of sum(f() * w) by backward against central differences, for every parameter element. */
    private static void checkParameters(String name, RecurrentLayer layer, java.util.function.Supplier<Tensor> f) {
        Tensor y = f.get();
        Tensor w = n(999, y.shape());
        layer.zeroGrad();
        y.mul(w).sum().backward();
        for (Map.Entry<String, Parameter> e : layer.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            assertNotNull(p.grad(), name + ": " + e.getKey() + " got no gradient");
            double[] analytic = p.grad().toDoubleArray();
            double[] base = p.value().toDoubleArray();
            int[] shape = p.value().shape();
            for (int j = 0; j < base.length; j++) {
                double up = lossWith(layer, p, base, shape, j, H, f, w);
                double down = lossWith(layer, p, base, shape, j, -H, f, w);
                double num = (up - down) / (2 * H);
                if (Math.abs(num - analytic[j]) > 1e-6 + RTOL * Math.abs(num)) {
                    throw new AssertionError(name + ": d/d" + e.getKey() + "[" + j + "] analytic " + analytic[j]
                            + " vs numeric " + num);
                }
            }
            p.set(Tensor.fromArray(base, shape));
        }
    }

    private static double lossWith(RecurrentLayer layer, Parameter p, double[] base, int[] shape, int j, double h,
                                   java.util.function.Supplier<Tensor> f, Tensor w) {
        double[] moved = base.clone();
        moved[j] += h;
        p.set(Tensor.fromArray(moved, shape));
        try (GradMode off = Tensor.noGrad()) {
            return f.get().mul(w).sum().item();
        }
    }

    @Test
    void rnnTanh() {
        check("RNN tanh", new RNN(2, 3, RNN.Nonlinearity.TANH, TWO_BIDIRECTIONAL, 5), false);
    }

    @Test
    void rnnRelu() {
        // Seed picked so that no pre-activation lies within the finite-difference step of relu's kink.
        check("RNN relu", new RNN(2, 3, RNN.Nonlinearity.RELU, TWO_BIDIRECTIONAL.withBatchFirst(true), 6), true);
    }

    @Test
    void lstm() {
        check("LSTM", new LSTM(2, 3, TWO_BIDIRECTIONAL, 7), false);
    }

    @Test
    void lstmBatchFirstWithoutBias() {
        check("LSTM no bias", new LSTM(2, 3, TWO_BIDIRECTIONAL.withBias(false).withBatchFirst(true), 8), true);
    }

    @Test
    void lstmWithProjections() {
        check("LSTM proj", new LSTM(2, 3, 2, TWO_BIDIRECTIONAL, 10), false);
    }

    @Test
    void lstmWithProjectionsBatchFirstWithoutBias() {
        check("LSTM proj no bias", new LSTM(2, 3, 2, TWO_BIDIRECTIONAL.withBias(false).withBatchFirst(true), 11), true);
    }

    @Test
    void gru() {
        check("GRU", new GRU(2, 3, TWO_BIDIRECTIONAL.withBatchFirst(true), 9), true);
    }

    /** Full-length sequences: through the fused recurrence ({@code GruFusedTest} checks that it is taken). */
    @Test
    void gruFused() {
        check("GRU fused", new GRU(2, 3, TWO_BIDIRECTIONAL, 12), false, null);
    }

    @Test
    void rnnFused() {
        check("RNN fused", new RNN(2, 3, RNN.Nonlinearity.TANH, TWO_BIDIRECTIONAL, 14), false, null);
    }

    @Test
    void rnnReluFusedBatchFirstWithoutBias() {
        check("RNN relu fused no bias", new RNN(2, 3, RNN.Nonlinearity.RELU,
                TWO_BIDIRECTIONAL.withBias(false).withBatchFirst(true), 15), true, null);
    }

    @Test
    void gruFusedBatchFirstWithoutBias() {
        check("GRU fused no bias", new GRU(2, 3, TWO_BIDIRECTIONAL.withBias(false).withBatchFirst(true), 13), true,
                null);
    }
}
