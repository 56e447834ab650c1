package org.trainer.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.Tensor;

/**
 * Properties of the recurrent layers that hold without a reference: parameter names, shapes and
 * initial ranges; variable lengths equal running each sequence alone; batch-first equals
 * time-first; dropout between layers; an LSTM's projections (names and shapes); argument errors
 * that name the argument and the value.
 */
class RecurrentLayerTest {

    private static List<RecurrentLayer> layers(RecurrentOptions o) {
        return List.of(new RNN(5, 7, RNN.Nonlinearity.TANH, o, 1), new LSTM(5, 7, o, 2), new GRU(5, 7, o, 3));
    }

    @Test
    void parametersHavePyTorchsNamesShapesAndInitialRange() {
        RecurrentOptions o = RecurrentOptions.defaults().withNumLayers(2).withBidirectional(true);
        int[] gates = {1, 4, 3};
        List<RecurrentLayer> all = layers(o);
        for (int k = 0; k < 3; k++) {
            Map<String, Parameter> p = all.get(k).namedParameters();
            int g = gates[k] * 7;
            assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse",
                    "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse", "weight_ih_l1", "weight_hh_l1",
                    "bias_ih_l1", "bias_hh_l1", "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse",
                    "bias_hh_l1_reverse"), List.copyOf(p.keySet()));
            assertArrayEquals(new int[] {g, 5}, p.get("weight_ih_l0").value().shape());
            assertArrayEquals(new int[] {g, 14}, p.get("weight_ih_l1_reverse").value().shape());
            assertArrayEquals(new int[] {g, 7}, p.get("weight_hh_l1").value().shape());
            assertArrayEquals(new int[] {g}, p.get("bias_hh_l0_reverse").value().shape());
            double bound = 1 / Math.sqrt(7);
            for (Parameter q : p.values()) {
                for (float v : q.value().toFloatArray()) {
                    assertTrue(v >= -bound && v <= bound, "initial value " + v + " outside +-" + bound);
                }
            }
            // Distinct draws per parameter: the two directions must not share weights.
            assertFalse(java.util.Arrays.equals(p.get("weight_hh_l0").value().toFloatArray(),
                    p.get("weight_hh_l0_reverse").value().toFloatArray()));
        }
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0"),
                List.copyOf(new GRU(5, 7, RecurrentOptions.defaults().withBias(false), 1).namedParameters().keySet()));
    }

    @Test
    void sameSeedSameWeights() {
        assertArrayEquals(new LSTM(3, 4, RecurrentOptions.defaults(), 42).stateDict().get("weight_hh_l0").toFloatArray(),
                new LSTM(3, 4, RecurrentOptions.defaults(), 42).stateDict().get("weight_hh_l0").toFloatArray());
    }

    /** A padded batch gives, per sequence, what that sequence alone (cut to its length) gives. */
    @Test
    void lengthsEqualRunningEachSequenceAlone() {
        RecurrentOptions o = RecurrentOptions.defaults().withNumLayers(2).withBidirectional(true).withBatchFirst(true);
        int[] len = {3, 5, 1};
        Tensor x = Tensor.random(DType.FLOAT64, true, 0, 1, 4, 3, 5, 5);
        for (RecurrentLayer layer : layers(o)) {
            layer.to(DType.FLOAT64);
            Tensor h0 = Tensor.random(DType.FLOAT64, true, 0, 1, 5, 4, 3, 7);
            Tensor c0 = layer instanceof LSTM ? Tensor.random(DType.FLOAT64, true, 0, 1, 6, 4, 3, 7) : null;
            RecurrentOutput batch = layer.forward(x, Tensor.fromArray(len, 3), new RecurrentState(h0, c0));
            for (int i = 0; i < 3; i++) {
                Tensor xi = x.narrow(0, i, 1).narrow(1, 0, len[i]);
                RecurrentOutput alone = layer.forward(xi, null, new RecurrentState(h0.narrow(1, i, 1),
                        c0 == null ? null : c0.narrow(1, i, 1)));
                Tensor yi = batch.output().narrow(0, i, 1);
                assertArrayEquals(alone.output().toDoubleArray(), yi.narrow(1, 0, len[i]).toDoubleArray(), 1e-12,
                        layer + " sample " + i);
                if (len[i] < 5) {
                    for (double v : yi.narrow(1, len[i], 5 - len[i]).toDoubleArray()) {
                        assertEquals(0.0, v, layer + ": padded output of sample " + i);
                    }
                }
                assertArrayEquals(alone.h().toDoubleArray(), batch.h().narrow(1, i, 1).toDoubleArray(), 1e-12);
                if (c0 != null) {
                    assertArrayEquals(alone.c().toDoubleArray(), batch.c().narrow(1, i, 1).toDoubleArray(), 1e-12);
                }
            }
        }
    }

    @Test
    void batchFirstIsTimeFirstTransposed() {
        Tensor x = Tensor.randn(8, 6, 3, 5);
        RecurrentOptions o = RecurrentOptions.defaults().withBidirectional(true);
        LSTM timeFirst = new LSTM(5, 7, o, 11);
        LSTM batchFirst = new LSTM(5, 7, o.withBatchFirst(true), 11);
        RecurrentOutput a = timeFirst.forward(x, null);
        RecurrentOutput b = batchFirst.forward(x.transpose(0, 1), null);
        assertArrayEquals(new int[] {6, 3, 14}, a.output().shape());
        assertArrayEquals(new int[] {3, 6, 14}, b.output().shape());
        assertArrayEquals(a.output().toFloatArray(), b.output().transpose(0, 1).toFloatArray());
        assertArrayEquals(a.h().toFloatArray(), b.h().toFloatArray());
        assertArrayEquals(a.c().toFloatArray(), b.c().toFloatArray());
        assertArrayEquals(a.output().toFloatArray(), timeFirst.forward(x).toFloatArray());
    }

    @Test
    void dropoutActsBetweenLayersInTrainingOnly() {
        Tensor x = Tensor.randn(9, 4, 2, 5);
        RecurrentOptions o = RecurrentOptions.defaults().withNumLayers(2);
        GRU plain = new GRU(5, 7, o, 12);
        GRU dropped = new GRU(5, 7, o.withDropout(0.5), 12);
        dropped.eval();
        assertArrayEquals(plain.forward(x).toFloatArray(), dropped.forward(x).toFloatArray());
        dropped.train();
        float[] first = dropped.forward(x).toFloatArray();
        float[] second = dropped.forward(x).toFloatArray();
        assertFalse(java.util.Arrays.equals(plain.forward(x).toFloatArray(), first));
        assertFalse(java.util.Arrays.equals(first, second), "each call draws a new mask");
        // The masks follow the Dropout sub-module's seed and call count, as checkpoints restore them.
        Dropout d = (Dropout) dropped.children().get("dropout");
        assertEquals(2, d.calls());
        d.setCalls(0);
        assertArrayEquals(first, dropped.forward(x).toFloatArray());
        // Dropout never touches the last layer's output: one layer has no dropout module at all.
        assertNull(new GRU(5, 7, RecurrentOptions.defaults().withDropout(0.5), 1).children().get("dropout"));
    }

    /** As in PyTorch, one sequence [T, in] runs as a batch of one, without the batch axis. */
    @Test
    void unbatchedSequenceIsABatchOfOne() {
        Tensor x = Tensor.randn(14, 6, 5);
        for (boolean batchFirst : new boolean[] {false, true}) {
            RecurrentOptions o = RecurrentOptions.defaults().withNumLayers(2).withBidirectional(true)
                    .withBatchFirst(batchFirst);
            LSTM lstm = new LSTM(5, 7, o, 15);
            Tensor h0 = Tensor.randn(16, 4, 7);
            Tensor c0 = Tensor.randn(17, 4, 7);
            RecurrentOutput one = lstm.forward(x, null, RecurrentState.of(h0, c0));
            RecurrentOutput batch = lstm.forward(x.unsqueeze(batchFirst ? 0 : 1), null,
                    RecurrentState.of(h0.unsqueeze(1), c0.unsqueeze(1)));
            assertArrayEquals(new int[] {6, 14}, one.output().shape());
            assertArrayEquals(new int[] {4, 7}, one.h().shape());
            assertArrayEquals(batch.output().toFloatArray(), one.output().toFloatArray());
            assertArrayEquals(batch.h().toFloatArray(), one.h().toFloatArray());
            assertArrayEquals(batch.c().toFloatArray(), one.c().toFloatArray());
        }
        assertEquals("GRU(5, 7, numLayers=2, dropout=0.5)",
                new GRU(5, 7, RecurrentOptions.defaults().withNumLayers(2).withDropout(0.5), 1).toString());
    }

    @Test
    void finalStateContinuesASequence() {
        Tensor x = Tensor.randn(13, 6, 2, 5);
        LSTM lstm = new LSTM(5, 7, RecurrentOptions.defaults().withNumLayers(2), 3);
        RecurrentOutput whole = lstm.forward(x, null);
        RecurrentOutput first = lstm.forward(x.narrow(0, 0, 4), null);
        RecurrentOutput rest = lstm.forward(x.narrow(0, 4, 2), first.state());
        assertArrayEquals(whole.output().narrow(0, 4, 2).toFloatArray(), rest.output().toFloatArray(), 1e-6f);
        assertArrayEquals(whole.h().toFloatArray(), rest.h().toFloatArray(), 1e-6f);
    }

    /** PyTorch's proj_size: weight_hr_l{k} [P, H] after each direction's biases; h and the output P wide, c H wide. */
    @Test
    void projectionsHavePyTorchsNamesAndShapes() {
        RecurrentOptions o = RecurrentOptions.defaults().withNumLayers(2).withBidirectional(true).withBatchFirst(true);
        LSTM lstm = new LSTM(5, 7, 3, o, 4);
        Map<String, Parameter> p = lstm.namedParameters();
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0",
                "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
                "weight_hr_l0_reverse", "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1", "weight_hr_l1",
                "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse",
                "weight_hr_l1_reverse"), List.copyOf(p.keySet()));
        assertArrayEquals(new int[] {28, 3}, p.get("weight_hh_l0").value().shape());
        assertArrayEquals(new int[] {28, 6}, p.get("weight_ih_l1").value().shape());
        assertArrayEquals(new int[] {3, 7}, p.get("weight_hr_l1_reverse").value().shape());
        double bound = 1 / Math.sqrt(7);
        for (float v : p.get("weight_hr_l0").value().toFloatArray()) {
            assertTrue(v >= -bound && v <= bound, "initial value " + v + " outside +-" + bound);
        }
        assertEquals(3, lstm.projSize());
        assertEquals(0, new LSTM(5, 7, o, 4).projSize());
        // Without projections the weights drawn are the same as before projections existed.
        assertArrayEquals(new LSTM(5, 7, o, 4).stateDict().get("weight_ih_l1_reverse").toFloatArray(),
                new LSTM(5, 7, 0, o, 4).stateDict().get("weight_ih_l1_reverse").toFloatArray());

        RecurrentOutput out = lstm.forward(Tensor.randn(18, 2, 6, 5), Tensor.fromArray(new int[] {6, 3}, 2), null);
        assertArrayEquals(new int[] {2, 6, 6}, out.output().shape());
        assertArrayEquals(new int[] {4, 2, 3}, out.h().shape());
        assertArrayEquals(new int[] {4, 2, 7}, out.c().shape());
        RecurrentOutput one = lstm.forward(Tensor.randn(19, 6, 5), null,
                RecurrentState.of(Tensor.randn(20, 4, 3), Tensor.randn(21, 4, 7)));
        assertArrayEquals(new int[] {6, 6}, one.output().shape());
        assertArrayEquals(new int[] {4, 3}, one.h().shape());
        assertArrayEquals(new int[] {4, 7}, one.c().shape());
        assertEquals("LSTM(5, 7, projSize=3, numLayers=2, batchFirst=true, bidirectional=true)", lstm.toString());

        assertEquals("LSTM: initial.h must be [4, 2, 3] (layers * directions, N, projSize), got [4, 2, 7]",
                message(() -> lstm.forward(Tensor.zeros(2, 6, 5), RecurrentState.of(Tensor.zeros(4, 2, 7),
                        Tensor.zeros(4, 2, 7)))));
        assertEquals("LSTM: initial.h must be [4, 3] (layers * directions, projSize) for an unbatched input, got "
                + "[4, 7]", message(() -> lstm.forward(Tensor.zeros(6, 5), RecurrentState.of(Tensor.zeros(4, 7),
                Tensor.zeros(4, 7)))));
        assertEquals("LSTM: projSize must be 0 (no projection) or in [1, hiddenSize) = [1, 7), got 7",
                message(() -> new LSTM(5, 7, 7, o)));
        assertEquals("LSTM: projSize must be 0 (no projection) or in [1, hiddenSize) = [1, 7), got -1",
                message(() -> new LSTM(5, 7, -1, o)));
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void errorsNameTheArgumentAndTheValue() {
        LSTM lstm = new LSTM(5, 7, RecurrentOptions.defaults().withBatchFirst(true), 1);
        assertEquals("LSTM: input must be [N, T, 5] with batchFirst, got [3, 6, 4]",
                message(() -> lstm.forward(Tensor.zeros(3, 6, 4))));
        assertEquals("GRU: input must be [T, N, 5] (time first), got [6, 4]",
                message(() -> new GRU(5, 7).forward(Tensor.zeros(6, 4))));
        assertEquals("GRU: lengths must be null for an unbatched input [6, 5], got [1]",
                message(() -> new GRU(5, 7).forward(Tensor.zeros(6, 5), Tensor.fromArray(new int[] {6}, 1), null)));
        assertEquals("GRU: initial.h must be [1, 7] (layers * directions, hiddenSize) for an unbatched input, got "
                + "[1, 1, 7]", message(() -> new GRU(5, 7).forward(Tensor.zeros(6, 5), RecurrentState.of(
                Tensor.zeros(1, 1, 7)))));
        Tensor x = Tensor.zeros(3, 6, 5);
        assertEquals("LSTM: lengths[1] is 7, expected a length in [1, 6] (the input has 6 steps)",
                message(() -> lstm.forward(x, Tensor.fromArray(new int[] {6, 7, 1}, 3), null)));
        assertEquals("LSTM: lengths[2] is 0, expected a length in [1, 6] (the input has 6 steps)",
                message(() -> lstm.forward(x, Tensor.fromArray(new int[] {6, 2, 0}, 3), null)));
        assertEquals("LSTM: lengths must be INT32 [3], got FLOAT32 [3]",
                message(() -> lstm.forward(x, Tensor.fromArray(new float[] {6, 2, 1}, 3), null)));
        assertEquals("LSTM: initial.h must be [1, 3, 7] (layers * directions, N, hiddenSize), got [1, 3, 6]",
                message(() -> lstm.forward(x, RecurrentState.of(Tensor.zeros(1, 3, 6), Tensor.zeros(1, 3, 7)))));
        assertEquals("LSTM: initial.c must be [1, 3, 7] (layers * directions, N, hiddenSize), got [2, 3, 7]",
                message(() -> lstm.forward(x, new RecurrentState(Tensor.zeros(1, 3, 7), Tensor.zeros(2, 3, 7)))));
        assertEquals("GRU: initial.c must be null (only an LSTM has a cell state), got [1, 6, 7]",
                message(() -> new GRU(5, 7).forward(Tensor.zeros(3, 6, 5),
                        new RecurrentState(Tensor.zeros(1, 6, 7), Tensor.zeros(1, 6, 7)))));
        assertEquals("LSTM: input dtype is FLOAT64, the parameters' is FLOAT32 (convert the input, or the layer with "
                + "to(DType))", message(() -> lstm.forward(Tensor.zeros(DType.FLOAT64, 3, 6, 5))));
        assertEquals("RNN: inputSize and hiddenSize must be >= 1, got inputSize=0, hiddenSize=3",
                message(() -> new RNN(0, 3)));
        assertEquals("RecurrentOptions: numLayers must be >= 1, got 0",
                message(() -> RecurrentOptions.defaults().withNumLayers(0)));
        assertEquals("RecurrentOptions: dropout must be in [0, 1), got 1.0",
                message(() -> RecurrentOptions.defaults().withDropout(1)));
    }
}
