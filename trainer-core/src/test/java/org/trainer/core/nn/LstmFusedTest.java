package org.trainer.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.trainer.core.Tensor;
import org.trainer.core.ops.LstmRecurrence;

/**
 * The fused float32 LSTM recurrence ({@link LstmRecurrence} on the CPU, with the Vector API cell
 * when the module is present) against the composed steps, which the layer runs when it is given
 * lengths: with every length equal to T nothing is masked, so both compute the same function.
 * float64 agreement with PyTorch is {@code RecurrentReferenceTest}'s; this covers the float32
 * kernels, for a hidden size that fills whole vectors and one that leaves a scalar tail, and for a
 * sequence too short for the transposed copies of W_hh.
 */
class LstmFusedTest {

    /** Hidden 21 leaves a scalar tail; 2 steps take the products without transposed weights. */
    @ParameterizedTest
    @CsvSource({"32, 5", "21, 5", "32, 2"})
    void fusedMatchesComposedStepsInFloat32(int hidden, int steps) {
        RecurrentOptions o = RecurrentOptions.defaults().withNumLayers(2).withBidirectional(true);
        int batch = 3;
        Tensor x = Tensor.randn(11, steps, batch, 6);
        Tensor h0 = Tensor.randn(12, 4, batch, hidden);
        Tensor c0 = Tensor.randn(13, 4, batch, hidden);
        Tensor weights = Tensor.randn(14, steps, batch, 2 * hidden);
        Tensor lengths = Tensor.fromArray(new int[] {steps, steps, steps}, batch);

        List<float[]> fused = run(new LSTM(6, hidden, o, 5), x, h0, c0, weights, null);
        List<float[]> composed = run(new LSTM(6, hidden, o, 5), x, h0, c0, weights, lengths);
        assertEquals(composed.size(), fused.size());
        for (int k = 0; k < fused.size(); k++) {
            assertClose(composed.get(k), fused.get(k), "result " + k);
        }
    }

    /**
     * Guards the comparison above against comparing the composed form with itself: without lengths
     * the output is rows of the fused op's packed result, with lengths a stack of the steps.
     */
    @Test
    void fullLengthSequencesTakeTheFusedPath() {
        LSTM lstm = new LSTM(4, 8, RecurrentOptions.defaults(), 3);
        Tensor x = Tensor.randn(5, 3, 2, 4).requiresGrad(true);
        assertEquals("Narrow", lstm.forward(x).gradFn().name());
        Tensor lengths = Tensor.fromArray(new int[] {3, 3}, 2);
        assertNotEquals("Narrow", lstm.forward(x, lengths, null).output().gradFn().name());
        assertNotNull(LstmRecurrence.apply(Tensor.zeros(3, 2, 32), Tensor.zeros(32, 8), null, Tensor.zeros(2, 8),
                Tensor.zeros(2, 8), false), "the CPU backend has a fused float32 LSTM");
    }

    /** Output, final states, then the gradients of x, h0, c0 and every parameter of a weighted sum of them. */
    private static List<float[]> run(LSTM lstm, Tensor x, Tensor h0, Tensor c0, Tensor weights, Tensor lengths) {
        Tensor xv = x.detach().requiresGrad(true);
        Tensor hv = h0.detach().requiresGrad(true);
        Tensor cv = c0.detach().requiresGrad(true);
        RecurrentOutput out = lstm.forward(xv, lengths, new RecurrentState(hv, cv));
        Tensor loss = out.output().mul(weights).sum().add(out.h().mul(out.h()).sum()).add(out.c().mul(1.5).sum());
        loss.backward();
        List<float[]> results = new ArrayList<>(List.of(out.output().toFloatArray(), out.h().toFloatArray(),
                out.c().toFloatArray(), xv.grad().toFloatArray(), hv.grad().toFloatArray(), cv.grad().toFloatArray()));
        for (Parameter p : lstm.parameters()) {
            assertNotNull(p.grad(), "no gradient for a parameter");
            results.add(p.grad().toFloatArray());
        }
        return results;
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-4 * (1 + Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, what + " at " + i);
        }
    }
}
