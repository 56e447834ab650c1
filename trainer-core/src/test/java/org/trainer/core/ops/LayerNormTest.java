package org.trainer.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.backend.cpu.Parallel;
import org.trainer.core.backend.cpu.RestoresThreadCount;

/**
 * The layer-norm op in float32 on the CPU's fused kernel: against the same op in float64 (whose
 * formulas the gradient check and the PyTorch fixtures hold), the same bits for one and two
 * threads, and errors that name the argument. Shapes as in the Transformer: rows of 128, 2048 rows.
 */
@ExtendWith(RestoresThreadCount.class)
class LayerNormTest {
    /** [y, gx, gWeight, gBias] of the op in this dtype, with the loss sum(y * r) for a fixed r. */
    private static double[][] run(DType dtype, int threads) {
        Parallel.setThreads(threads);
        Tensor x = Tensor.randn(1, 4, 512, 128).mul(3).add(1).to(dtype).requiresGrad(true);
        Tensor w = Tensor.randn(2, 128).to(dtype).requiresGrad(true);
        Tensor b = Tensor.randn(3, 128).to(dtype).requiresGrad(true);
        Tensor r = Tensor.randn(4, 4, 512, 128).to(dtype);
        Tensor y = x.layerNorm(w, b, 1e-5);
        y.mul(r).sum().backward();
        return new double[][] {y.toDoubleArray(), x.grad().toDoubleArray(), w.grad().toDoubleArray(),
            b.grad().toDoubleArray()};
    }

    @Test
    void float32MatchesFloat64AndIsTheSameForAnyThreadCount() {
        double[][] one = run(DType.FLOAT32, 1);
        double[][] two = run(DType.FLOAT32, 2);
        double[][] ref = run(DType.FLOAT64, 1);
        String[] names = {"y", "gx", "gWeight", "gBias"};
        for (int i = 0; i < names.length; i++) {
            assertArrayEquals(one[i], two[i], names[i] + ": one thread against two");
            double scale = 0;
            for (double v : ref[i]) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int j = 0; j < ref[i].length; j++) {
                assertEquals(ref[i][j], one[i][j], 1e-4 * scale, names[i] + "[" + j + "]");
            }
        }
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        Tensor x = Tensor.zeros(2, 3, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> x.layerNorm(Tensor.ones(3), Tensor.zeros(3), 1e-5));
        assertTrue(e.getMessage().contains("input [2, 3, 4] does not end with weight's shape [3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.layerNorm(Tensor.ones(4), Tensor.zeros(5), 1e-5));
        assertTrue(e.getMessage().contains("bias shape [5], expected weight's [4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.layerNorm(Tensor.ones(4), Tensor.zeros(4), -1));
        assertTrue(e.getMessage().contains("eps must be >= 0, got -1.0"), e.getMessage());
    }
}
