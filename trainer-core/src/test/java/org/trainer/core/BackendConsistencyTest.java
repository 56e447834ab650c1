package org.trainer.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.trainer.core.backend.cpu.Parallel;

/**
 * The float32 fast paths and the parallel split agree with the float64 reference path on shapes
 * large enough to take every branch (long runs, broadcast rows, many chunks, odd sizes).
 */
class BackendConsistencyTest {

    private static void agree(String what, Function<Tensor[], Tensor> f, Tensor... inputs) {
        Tensor[] x32 = new Tensor[inputs.length];
        Tensor[] x64 = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            x32[i] = inputs[i].dtype().isFloating() ? inputs[i].to(DType.FLOAT32) : inputs[i];
            x64[i] = inputs[i].dtype().isFloating() ? inputs[i].to(DType.FLOAT64) : inputs[i];
        }
        double[] a = f.apply(x32).toDoubleArray();
        double[] b = f.apply(x64).toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i] - b[i]) > 1e-4 * (1 + Math.abs(b[i]))) {
                throw new AssertionError(what + ": element " + i + " float32 " + a[i] + " vs float64 " + b[i]);
            }
        }
    }

    @Test
    void float32MatchesFloat64OnLargeShapes() {
        Tensor big = Tensor.randn(1, 300, 1001);
        Tensor row = Tensor.randn(2, 1001);
        Tensor col = Tensor.randn(3, 300, 1);
        agree("add", x -> x[0].add(x[1]), big, big.mul(0.5));
        agree("bias add", x -> x[0].add(x[1]), big, row);
        agree("column mul", x -> x[0].mul(x[1]), big, col);
        agree("column sub", x -> x[0].sub(x[1]), big, col);
        agree("column div", x -> x[0].div(x[1].abs().add(0.5)), big, col);
        agree("sub broadcast both", x -> x[0].sub(x[1]), col, row);
        agree("div", x -> x[0].div(x[1].abs().add(0.5)), big, row);
        agree("relu", x -> x[0].relu(), big);
        agree("ge threshold", x -> x[0].ge(0.3), big);
        agree("gt threshold", x -> x[0].gt(-0.2), big);
        agree("lt threshold", x -> x[0].lt(0.1), big);
        agree("le threshold", x -> x[0].le(0), big);
        agree("tanh", x -> x[0].tanh(), big);
        agree("sum rows", x -> x[0].sum(1, false), big);
        agree("sum cols", x -> x[0].sum(0, false), big);
        agree("max", x -> x[0].max(0, false), big);
        agree("softmax", x -> x[0].softmax(1), big);
        agree("logSoftmax axis 0", x -> x[0].logSoftmax(0), big);
        agree("permute", x -> x[0].reshape(3, 100, 1001).permute(2, 0, 1), big);
        agree("matmul", x -> x[0].matmul(x[1]), Tensor.randn(4, 67, 129), Tensor.randn(5, 129, 33));
        agree("batched small matmul", x -> x[0].matmul(x[1]), Tensor.randn(11, 48, 20, 8), Tensor.randn(12, 48, 8, 21));
        agree("conv", x -> x[0].conv2d(x[1], x[2], 1, 1, 1), Tensor.randn(6, 8, 3, 17, 15), Tensor.randn(7, 5, 3, 3, 3),
                Tensor.randn(8, 5));
        agree("maxPool", x -> x[0].maxPool2d(2, 2, 0), Tensor.randn(9, 8, 3, 16, 16));
        agree("avgPool", x -> x[0].avgPool2d(3, 2, 1), Tensor.randn(10, 8, 3, 16, 16));
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        int before = Parallel.threads();
        try {
            Tensor a = Tensor.randn(1, 200, 300);
            Tensor b = Tensor.randn(2, 300, 150);
            Tensor w = Tensor.randn(3, 16, 3, 5, 5);
            Tensor img = Tensor.randn(4, 8, 3, 20, 20);
            Parallel.setThreads(1);
            float[] m1 = a.matmul(b).toFloatArray();
            float[] c1 = img.conv2d(w, null, 1, 2, 1).toFloatArray();
            float[] s1 = a.softmax(1).sum(0, false).toFloatArray();
            // Products too small to split are split by product; an LSTM long enough splits its batch.
            Tensor q = Tensor.randn(5, 64, 30, 16);
            Tensor k = Tensor.randn(6, 64, 16, 30);
            float[] b1 = q.matmul(k).toFloatArray();
            org.trainer.core.nn.LSTM lstm = new org.trainer.core.nn.LSTM(8, 64,
                    org.trainer.core.nn.RecurrentOptions.defaults(), 7);
            Tensor seq = Tensor.randn(7, 40, 32, 8);
            float[] l1 = lstm.forward(seq).toFloatArray();
            Parallel.setThreads(2);
            assertArrayEquals(b1, q.matmul(k).toFloatArray());
            assertArrayEquals(l1, lstm.forward(seq).toFloatArray());
            assertArrayEquals(m1, a.matmul(b).toFloatArray());
            assertArrayEquals(c1, img.conv2d(w, null, 1, 2, 1).toFloatArray());
            assertArrayEquals(s1, a.softmax(1).sum(0, false).toFloatArray());
        } finally {
            Parallel.setThreads(before);
        }
    }
}
