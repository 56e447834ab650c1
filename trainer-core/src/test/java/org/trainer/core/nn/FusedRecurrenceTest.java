package org.trainer.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.ops.GruRecurrence;
import org.trainer.core.ops.LstmRecurrence;
import org.trainer.core.ops.RnnRecurrence;

/**
 * The fused GRU and RNN recurrences ({@link GruRecurrence}, {@link RnnRecurrence} on the CPU, with
 * the Vector API cells when the module is present) against the composed steps, which the layer
 * runs when it is given lengths:
 * with every length equal to T nothing is masked, so both compute the same function. Two
 * bidirectional layers, given h0, batch-first or not, with and without biases; in float64 to 1e-12
 * (the same math in the same order) and in float32 to 1e-4, for a hidden size that fills whole
 * vectors, one that leaves a scalar tail and a sequence too short for the transposed copies of W_hh.
 */
class FusedRecurrenceTest {

    /** The layer: "gru", "tanh" or "relu" (an RNN). */
    @ParameterizedTest
    @CsvSource({"gru, 32, 5, true, false", "gru, 21, 5, true, true", "gru, 32, 2, false, false",
            "gru, 7, 1, true, true", "tanh, 32, 5, true, false", "tanh, 21, 5, false, true",
            "relu, 21, 5, true, false", "relu, 32, 2, true, true"})
    void fusedMatchesComposedStepsInFloat32(String cell, int hidden, int steps, boolean bias, boolean batchFirst) {
        compare(cell, DType.FLOAT32, hidden, steps, bias, batchFirst, 1e-4);
    }

    @ParameterizedTest
    @CsvSource({"gru, 5, 4, true, false", "gru, 3, 7, false, true", "gru, 9, 1, true, true",
            "tanh, 5, 4, true, false", "tanh, 3, 7, false, true", "relu, 9, 4, true, true",
            "relu, 5, 1, false, false"})
    void fusedMatchesComposedStepsInFloat64(String cell, int hidden, int steps, boolean bias, boolean batchFirst) {
        compare(cell, DType.FLOAT64, hidden, steps, bias, batchFirst, 1e-12);
    }

    private static void compare(String cell, DType dtype, int hidden, int steps, boolean bias, boolean batchFirst,
                                double rtol) {
        RecurrentOptions o = RecurrentOptions.defaults().withNumLayers(2).withBidirectional(true).withBias(bias)
                .withBatchFirst(batchFirst);
        int batch = 3;
        Tensor x = Tensor.randn(11, batchFirst ? batch : steps, batchFirst ? steps : batch, 6).to(dtype);
        Tensor h0 = Tensor.randn(12, 4, batch, hidden).to(dtype);
        Tensor weights = Tensor.randn(14, x.size(0), x.size(1), 2 * hidden).to(dtype);
        Tensor lengths = Tensor.fromArray(new int[] {steps, steps, steps}, batch);

        List<double[]> fused = run(layer(cell, hidden, o, dtype), x, h0, weights, null);
        List<double[]> composed = run(layer(cell, hidden, o, dtype), x, h0, weights, lengths);
        assertEquals(composed.size(), fused.size());
        for (int k = 0; k < fused.size(); k++) {
            assertClose(composed.get(k), fused.get(k), rtol, dtype + " result " + k);
        }
    }

    private static RecurrentLayer layer(String cell, int hidden, RecurrentOptions o, DType dtype) {
        RecurrentLayer layer = switch (cell) {
            case "gru" -> new GRU(6, hidden, o, 5);
            case "tanh" -> new RNN(6, hidden, RNN.Nonlinearity.TANH, o, 5);
            default -> new RNN(6, hidden, RNN.Nonlinearity.RELU, o, 5);
        };
        layer.to(dtype);
        return layer;
    }

    /**
     * Guards the comparison above against comparing the composed form with itself: without lengths
     * the output is the fused op's result, with lengths a stack of the steps.
     */
    @Test
    void fullLengthSequencesTakeTheFusedPath() {
        GRU gru = new GRU(4, 8, RecurrentOptions.defaults(), 3);
        Tensor x = Tensor.randn(5, 3, 2, 4).requiresGrad(true);
        assertEquals("GruRecurrence", gru.forward(x).gradFn().name());
        Tensor lengths = Tensor.fromArray(new int[] {3, 3}, 2);
        assertNotEquals("GruRecurrence", gru.forward(x, lengths, null).output().gradFn().name());
        assertNotNull(GruRecurrence.apply(Tensor.zeros(3, 2, 24), Tensor.zeros(24, 8), null, Tensor.zeros(2, 8), false),
                "the CPU backend has a fused float32 GRU");
        RNN rnn = new RNN(4, 8, RNN.Nonlinearity.RELU, RecurrentOptions.defaults(), 3);
        assertEquals("RnnRecurrence", rnn.forward(x).gradFn().name());
        assertNotEquals("RnnRecurrence", rnn.forward(x, lengths, null).output().gradFn().name());
    }

    /** Every fused recurrence refuses operands of the wrong shape, naming the argument and both shapes. */
    @Test
    void operandsOfTheWrongShapeAreRefused() {
        Tensor h0 = Tensor.zeros(2, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GruRecurrence.apply(Tensor.zeros(3, 2, 24), Tensor.zeros(24, 8), null, Tensor.zeros(4, 8), false));
        assertEquals("gruRecurrence: h0 must be [2, 8], got [4, 8]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RnnRecurrence.apply(Tensor.zeros(3, 2, 8), Tensor.zeros(8, 8), Tensor.zeros(9), h0, false, true));
        assertEquals("rnnRecurrence: bias must be [8], got [9]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LstmRecurrence.apply(Tensor.zeros(3, 2, 32), Tensor.zeros(24, 8), null, h0, h0, false));
        assertEquals("lstmRecurrence: weight must be [32, 8], got [24, 8]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LstmRecurrence.apply(Tensor.zeros(3, 2, 32), Tensor.zeros(32, 8), null, h0, Tensor.zeros(2, 7),
                        false));
        assertEquals("lstmRecurrence: c0 must be [2, 8], got [2, 7]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GruRecurrence.apply(Tensor.zeros(2, 24), Tensor.zeros(24, 8), null, h0, false));
        assertEquals("gruRecurrence: expected xProj [T >= 1, N, 3H] and h0 [N, H], got xProj [2, 24] and h0 [2, 8]",
                e.getMessage());
    }

    /** Output, final h, then the gradients of x, h0 and every parameter of a weighted sum of them. */
    private static List<double[]> run(RecurrentLayer gru, Tensor x, Tensor h0, Tensor weights, Tensor lengths) {
        Tensor xv = x.detach().requiresGrad(true);
        Tensor hv = h0.detach().requiresGrad(true);
        RecurrentOutput out = gru.forward(xv, lengths, new RecurrentState(hv, null));
        Tensor loss = out.output().mul(weights).sum().add(out.h().mul(out.h()).sum());
        loss.backward();
        List<double[]> results = new ArrayList<>(List.of(out.output().toDoubleArray(), out.h().toDoubleArray(),
                xv.grad().toDoubleArray(), hv.grad().toDoubleArray()));
        for (Parameter p : gru.parameters()) {
            assertNotNull(p.grad(), "no gradient for a parameter");
            results.add(p.grad().toDoubleArray());
        }
        return results;
    }

    private static void assertClose(double[] expected, double[] actual, double rtol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], rtol * (1 + Math.abs(expected[i])), what + " at " + i);
        }
    }
}
