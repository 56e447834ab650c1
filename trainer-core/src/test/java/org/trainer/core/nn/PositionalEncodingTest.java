package org.trainer.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.core.Fixtures.tensor64;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.Tensor;

/**
 * The sinusoidal table against PyTorch's (reference/transformer/generate_transformer.py), both
 * encodings' addition, dropout and length checks, and the learned table's gradient.
 */
class PositionalEncodingTest {

    @Test
    void sinusoidalTableIsPyTorchs() throws Exception {
        Tensor expected = tensor64(TransformerReferenceTest.fixture().get("positional"));
        SinusoidalPositionalEncoding pe = new SinusoidalPositionalEncoding(12, 7, 0, 1);
        RecurrentReferenceTest.compare("SinusoidalPositionalEncoding", "table", expected, pe.table());
        assertEquals(List.of(), pe.parameters());
        assertTrue(pe.stateDict().isEmpty(), "the table is computed, not saved");
    }

    @Test
    void sinusoidalAddsTheFirstTRowsInTheInputsDtype() {
        SinusoidalPositionalEncoding pe = new SinusoidalPositionalEncoding(5, 10, 0, 1);
        double[] table = pe.table().toDoubleArray();
        // Odd d: the last column is a sine, of frequency 10000^(-4/5).
        assertEquals(Math.sin(3 * Math.pow(10000, -4.0 / 5)), table[3 * 5 + 4], 1e-15);
        Tensor x = Tensor.randn(1, 2, 3, 5);
        Tensor y = pe.forward(x);
        assertEquals(DType.FLOAT32, y.dtype());
        float[] xs = x.toFloatArray();
        float[] ys = y.toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            assertEquals(xs[i] + (float) table[i % 15], ys[i], 1e-6f, "element " + i);
        }
        Tensor y64 = pe.forward(x.to(DType.FLOAT64));
        assertEquals(DType.FLOAT64, y64.dtype());
    }

    @Test
    void learnedAddsItsTableAndOnlyUsedRowsGetGradients() {
        LearnedPositionalEncoding pe = new LearnedPositionalEncoding(4, 6, 0, 3);
        assertEquals(List.of("embedding.weight"), List.copyOf(pe.namedParameters().keySet()));
        Tensor x = Tensor.randn(2, 3, 4, 4).requiresGrad(true);
        Tensor y = pe.forward(x);
        float[] table = pe.embedding().weight().value().toFloatArray();
        float[] xs = x.toFloatArray();
        float[] ys = y.toFloatArray();
        for (int i = 0; i < xs.length; i++) {
            assertEquals(xs[i] + table[i % 16], ys[i], 1e-6f);
        }
        y.sum().backward();
        float[] g = pe.embedding().weight().grad().toFloatArray();
        for (int i = 0; i < g.length; i++) {
            assertEquals(i < 16 ? 3f : 0f, g[i], 0f, "row " + i / 4 + " is summed over the 3 samples, or unused");
        }
    }

    @Test
    void dropoutActsInTrainingOnly() {
        SinusoidalPositionalEncoding pe = new SinusoidalPositionalEncoding(8, 4, 0.5, 2);
        Tensor x = Tensor.randn(3, 2, 4, 8);
        float[] train = pe.forward(x).toFloatArray();
        pe.eval();
        float[] eval = pe.forward(x).toFloatArray();
        long zeros = 0;
        for (int i = 0; i < train.length; i++) {
            if (train[i] == 0) {
                zeros++;
            } else {
                assertEquals(2 * eval[i], train[i], 1e-5f);
            }
        }
        assertTrue(zeros > 0 && zeros < train.length, zeros + " of " + train.length + " dropped");
        assertFalse(Arrays.equals(train, eval));
    }

    @Test
    void errorsNameTheArgument() {
        SinusoidalPositionalEncoding pe = new SinusoidalPositionalEncoding(4, 3, 0, 1);
        assertEquals("SinusoidalPositionalEncoding: input has 5 positions, expected 1 to maxLen=3 (input [2, 5, 4])",
                assertThrows(IllegalArgumentException.class, () -> pe.forward(Tensor.zeros(2, 5, 4))).getMessage());
        assertEquals("LearnedPositionalEncoding: input must be [N, T, 4] (batch first), got [2, 3, 5]",
                assertThrows(IllegalArgumentException.class,
                        () -> new LearnedPositionalEncoding(4, 3, 0, 1).forward(Tensor.zeros(2, 3, 5))).getMessage());
        assertEquals("SinusoidalPositionalEncoding: dModel and maxLen must be >= 1, got dModel=0, maxLen=3",
                assertThrows(IllegalArgumentException.class,
                        () -> new SinusoidalPositionalEncoding(0, 3, 0, 1)).getMessage());
    }
}
