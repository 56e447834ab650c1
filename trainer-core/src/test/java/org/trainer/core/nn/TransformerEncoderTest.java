package org.trainer.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.GradientCheck;
import org.trainer.core.Tensor;
import org.trainer.core.nn.TransformerEncoderLayer.FeedForwardActivation;

/**
 * The encoder's behaviour beyond the PyTorch reference: the copies of the prototype, causality,
 * dropout in training only, a finite-difference check in training mode's arithmetic without
 * dropout, and the argument errors.
 */
class TransformerEncoderTest {

    @Test
    void layersStartAsCopiesOfThePrototypeAndTrainApart() {
        TransformerEncoderLayer proto = new TransformerEncoderLayer(8, 2, 16, 0, FeedForwardActivation.GELU, true,
                1e-5, 4);
        TransformerEncoder enc = new TransformerEncoder(proto, 3, null);
        assertEquals(3, enc.numLayers());
        for (int k = 0; k < 3; k++) {
            for (var e : proto.stateDict().entrySet()) {
                Tensor copy = enc.layer(k).stateDict().get(e.getKey());
                assertArrayEquals(e.getValue().toFloatArray(), copy.toFloatArray(), e.getKey());
            }
            assertNotSame(proto.namedParameters().get("linear1.weight").value(),
                    enc.layer(k).namedParameters().get("linear1.weight").value());
        }
        // Changing one copy leaves the prototype and the other copies alone.
        enc.layer(0).namedParameters().get("linear1.bias").set(Tensor.ones(16));
        float[] protoBias = proto.namedParameters().get("linear1.bias").value().toFloatArray();
        assertArrayEquals(protoBias, enc.layer(1).namedParameters().get("linear1.bias").value().toFloatArray());
        assertFalse(Arrays.equals(protoBias, enc.layer(0).namedParameters().get("linear1.bias").value()
                .toFloatArray()));
        assertEquals(3 * 12, enc.parameters().size());
        assertTrue(enc.namedParameters().containsKey("layers.2.norm2.bias"));
    }

    @Test
    void causalMaskKeepsEarlierOutputsIndependentOfLaterInputs() {
        TransformerEncoder enc = new TransformerEncoder(new TransformerEncoderLayer(8, 2, 16, 0,
                FeedForwardActivation.RELU, false, 1e-5, 5), 2, new LayerNorm(8));
        Tensor causal = MultiheadAttention.causalMask(6);
        float[] a = Tensor.randn(1, 2, 6, 8).toFloatArray();
        float[] b = a.clone();
        for (int i = 4 * 8; i < 6 * 8; i++) { // change positions 4 and 5 of sample 0
            b[i] += 1;
        }
        float[] ya = enc.forward(Tensor.fromArray(a, 2, 6, 8), causal, null).toFloatArray();
        float[] yb = enc.forward(Tensor.fromArray(b, 2, 6, 8), causal, null).toFloatArray();
        assertArrayEquals(Arrays.copyOf(ya, 4 * 8), Arrays.copyOf(yb, 4 * 8), 1e-6f);
        assertFalse(Arrays.equals(Arrays.copyOfRange(ya, 4 * 8, 6 * 8), Arrays.copyOfRange(yb, 4 * 8, 6 * 8)));
        assertArrayEquals(Arrays.copyOfRange(ya, 6 * 8, 12 * 8), Arrays.copyOfRange(yb, 6 * 8, 12 * 8), 0f,
                "sample 1 did not change");
    }

    @Test
    void paddedKeysDoNotChangeTheRealPositions() {
        TransformerEncoder enc = new TransformerEncoder(new TransformerEncoderLayer(6, 3, 10, 0,
                FeedForwardActivation.GELU, true, 1e-5, 6), 2, null);
        Tensor kpm = Tensor.fromArray(new int[] {0, 0, 0, 1, 1}, 1, 5);
        float[] a = Tensor.randn(2, 1, 5, 6).toFloatArray();
        float[] b = a.clone();
        for (int i = 3 * 6; i < 5 * 6; i++) {
            b[i] = 100 * b[i];
        }
        float[] ya = enc.forward(Tensor.fromArray(a, 1, 5, 6), null, kpm).toFloatArray();
        float[] yb = enc.forward(Tensor.fromArray(b, 1, 5, 6), null, kpm).toFloatArray();
        assertArrayEquals(Arrays.copyOf(ya, 3 * 6), Arrays.copyOf(yb, 3 * 6), 1e-6f);
    }

    @Test
    void dropoutActsInTrainingOnly() {
        TransformerEncoder enc = new TransformerEncoder(new TransformerEncoderLayer(8, 2, 16, 0.3,
                FeedForwardActivation.RELU, false, 1e-5, 7), 2, null);
        Tensor x = Tensor.randn(8, 2, 4, 8);
        enc.eval();
        float[] e1 = enc.forward(x).toFloatArray();
        assertArrayEquals(e1, enc.forward(x).toFloatArray(), "evaluation is deterministic");
        enc.train();
        float[] t1 = enc.forward(x).toFloatArray();
        float[] t2 = enc.forward(x).toFloatArray();
        assertFalse(Arrays.equals(e1, t1));
        assertFalse(Arrays.equals(t1, t2), "each call draws new masks");
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        for (boolean normFirst : new boolean[] {false, true}) {
            TransformerEncoder enc = new TransformerEncoder(new TransformerEncoderLayer(4, 2, 6, 0,
                    FeedForwardActivation.GELU, normFirst, 1e-5, 9), 2, new LayerNorm(4));
            enc.to(DType.FLOAT64);
            Tensor kpm = Tensor.fromArray(new int[] {0, 0, 0, 0, 0, 0, 1, 1}, 2, 4);
            Tensor causal = MultiheadAttention.causalMask(4);
            Tensor[] x = {Tensor.random(DType.FLOAT64, true, 0, 1, 10, 2, 4, 4)};
            GradientCheck.assertMatches("TransformerEncoder normFirst=" + normFirst,
                    t -> enc.forward(t[0], causal, kpm), x, 1e-6, 1e-6);
        }
    }

    @Test
    void errorsNameTheArgument() {
        assertEquals("TransformerEncoderLayer: dModel must be a positive multiple of numHeads, got dModel=10, numHeads=3",
                assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(10, 3)).getMessage());
        assertEquals("TransformerEncoderLayer: dimFeedforward must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(6, 3, 0, 0,
                        FeedForwardActivation.RELU, false, 1e-5, 1)).getMessage());
        assertEquals("TransformerEncoderLayer: dropout must be in [0, 1), got 1.0",
                assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(6, 3, 4, 1,
                        FeedForwardActivation.RELU, false, 1e-5, 1)).getMessage());
        TransformerEncoderLayer layer = new TransformerEncoderLayer(6, 3, 4, 0, FeedForwardActivation.RELU, false,
                1e-5, 1);
        assertEquals("TransformerEncoderLayer: src must be [N, T, 6] (batch first), got [2, 6]",
                assertThrows(IllegalArgumentException.class, () -> layer.forward(Tensor.zeros(2, 6))).getMessage());
        assertEquals("MultiheadAttention: keyPaddingMask must be [2, 4], got [2, 3]",
                assertThrows(IllegalArgumentException.class, () -> layer.forward(Tensor.zeros(2, 4, 6), null,
                        Tensor.fromArray(new int[6], 2, 3))).getMessage());
        assertEquals("TransformerEncoder: numLayers must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new TransformerEncoder(layer, 0, null)).getMessage());
        assertTrue(layer.toString().startsWith("TransformerEncoderLayer(dModel=6, numHeads=3, dimFeedforward=4"));
    }
}
