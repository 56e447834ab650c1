package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.nn.LSTM;
import org.trainer.core.nn.RecurrentOptions;
import org.trainer.core.nn.RecurrentOutput;
import org.trainer.core.nn.RecurrentState;

/**
 * The batchify layout of {@link TbpttLoader}, and that carrying a detached LSTM state from one
 * window to the next continues each stream in forward while cutting the backward pass.
 */
class TbpttLoaderTest {

    private static int[] range(int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = i;
        }
        return t;
    }

    @Test
    void batchifyCutsParallelStreamsIntoWindowsWithNextTokenTargets() {
        // 23 tokens, 2 streams of 11 (token 22 dropped): 0..10 and 11..21; 10 steps with a target.
        TbpttLoader loader = new TbpttLoader(range(23), 2, 4);
        assertEquals(11, loader.streamLength());
        assertEquals(1, loader.droppedTokens());
        assertEquals(3, loader.size());
        Batch first = loader.batch(0);
        assertArrayEquals(new int[] {2, 4}, first.features().shape());
        assertArrayEquals(new int[] {0, 1, 2, 3, 11, 12, 13, 14}, first.features().toIntArray());
        assertArrayEquals(new int[] {1, 2, 3, 4, 12, 13, 14, 15}, first.targets().toIntArray());
        assertEquals(DType.INT32, first.targets().dtype());
        Batch last = loader.batch(2);
        assertArrayEquals(new int[] {2, 2}, last.features().shape());
        assertArrayEquals(new int[] {8, 9, 19, 20}, last.features().toIntArray());
        assertArrayEquals(new int[] {9, 10, 20, 21}, last.targets().toIntArray());
    }

    @Test
    void rowIOfConsecutiveWindowsIsStreamIInOrder() {
        int[] tokens = new int[101];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (i * 37) % 11;
        }
        TbpttLoader loader = new TbpttLoader(tokens, 3, 7);
        int l = loader.streamLength();
        List<Batch> windows = new ArrayList<>();
        loader.forEach(windows::add);
        assertEquals(loader.size(), windows.size());
        for (int i = 0; i < 3; i++) {
            int position = 0;
            for (Batch b : windows) {
                int len = b.features().size(1);
                int[] x = b.features().toIntArray();
                int[] y = b.targets().toIntArray();
                for (int t = 0; t < len; t++) {
                    assertEquals(tokens[i * l + position], x[i * len + t]);
                    assertEquals(tokens[i * l + position + 1], y[i * len + t]);
                    position++;
                }
            }
            assertEquals(l - 1, position, "every position with a next token is visited once");
        }
        var it = loader.iterator();
        windows.forEach(w -> it.next());
        assertThrows(NoSuchElementException.class, it::next);
    }

    @Test
    void carriedStateContinuesTheStreamInForward() {
        LSTM lstm = new LSTM(3, 5, RecurrentOptions.defaults().withBatchFirst(true), 2);
        lstm.to(DType.FLOAT64);
        Tensor whole = Tensor.random(DType.FLOAT64, true, 0, 1, 4, 2, 8, 3);
        RecurrentOutput once = lstm.forward(whole, null, null);

        RecurrentOutput first = lstm.forward(whole.narrow(1, 0, 4), null, null);
        RecurrentOutput second = lstm.forward(whole.narrow(1, 4, 4), null, first.state().detach());
        double[] expected = once.output().toDoubleArray();
        double[] pieces = Tensor.concat(1, first.output(), second.output()).toDoubleArray();
        assertArrayEquals(expected, pieces, 1e-14);
        assertArrayEquals(once.h().toDoubleArray(), second.h().toDoubleArray(), 1e-14);
        assertArrayEquals(once.c().toDoubleArray(), second.c().toDoubleArray(), 1e-14);

        // Without the carried state the second window starts over, and differs.
        RecurrentOutput fresh = lstm.forward(whole.narrow(1, 4, 4), null, null);
        assertFalse(java.util.Arrays.equals(second.output().toDoubleArray(), fresh.output().toDoubleArray()));
    }

    @Test
    void detachedStateStopsTheBackwardPassAtTheWindow() {
        LSTM lstm = new LSTM(3, 4, RecurrentOptions.defaults().withBatchFirst(true), 3);
        Tensor x1 = Tensor.randn(5, 2, 3, 3).requiresGrad(true);
        Tensor x2 = Tensor.randn(6, 2, 3, 3);
        RecurrentState carried = lstm.forward(x1, null, null).state();

        lstm.forward(x2, null, carried.detach()).output().sum().backward();
        assertNull(x1.grad(), "the first window is outside the truncated backward pass");
        assertNotNull(lstm.parameters().get(0).grad());

        lstm.zeroGrad();
        lstm.forward(x2, null, carried).output().sum().backward();
        assertNotNull(x1.grad(), "an attached state lets the gradient reach the first window");
        float worst = 0;
        for (float g : x1.grad().toFloatArray()) {
            worst = Math.max(worst, Math.abs(g));
        }
        assertFalse(worst == 0);
    }

    @Test
    void errorsNameTheArgument() {
        assertEquals("TbpttLoader: 5 tokens make streams of 1 tokens for batchSize 4, expected at least 2 per stream"
                        + " (2 * batchSize = 8 tokens)",
                assertThrows(IllegalArgumentException.class, () -> new TbpttLoader(range(5), 4, 3)).getMessage());
        assertEquals("TbpttLoader: window must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new TbpttLoader(range(9), 2, 0)).getMessage());
        assertEquals("TbpttLoader: window index must be in [0, 2), got 2",
                assertThrows(IllegalArgumentException.class, () -> new TbpttLoader(range(9), 2, 2).batch(2))
                        .getMessage());
    }
}
