package org.trainer.core.backend.cpu;

import static org.trainer.core.backend.cpu.CellKernelChecks.random;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The Vector API RNN cell against the portable one (the reference), tanh and relu, on inputs that
 * reach saturation and both signs, for a hidden size with a scalar tail, with and without bias and
 * incoming dh.
 */
class RnnCellKernelTest {

    @Test
    void vectorCellMatchesThePortableCell() {
        for (boolean relu : new boolean[] {false, true}) {
            for (boolean withBiasAndDh : new boolean[] {true, false}) {
                compare(3, 37, relu, withBiasAndDh);
            }
        }
    }

    private static void compare(int n, int hidden, boolean relu, boolean withBiasAndDh) {
        SplittableRandom r = new SplittableRandom(9);
        float[] p = random(r, n * hidden, 12);
        float[] x = random(r, n * hidden, 3);
        float[] bias = withBiasAndDh ? random(r, hidden, 1) : null;
        float[] gOut = random(r, n * hidden, 1);
        float[] dh = withBiasAndDh ? random(r, n * hidden, 1) : null;
        RnnCellKernel[] kernels = {new PortableRnnCell(), new VectorRnnCell()};
        float[][][] results = new float[2][][];
        for (int k = 0; k < 2; k++) {
            float[] h = p.clone();
            float[] dz = new float[n * hidden];
            kernels[k].forward(n, hidden, relu, h, 0, x, 0, bias);
            kernels[k].backward(n * hidden, relu, h, 0, gOut, 0, dh, 0, dz, 0);
            results[k] = new float[][] {h, dz};
        }
        String[] names = {"h", "dz"};
        CellKernelChecks.assertSame(names, results[0], results[1],
                (relu ? " (relu)" : " (tanh)") + (withBiasAndDh ? "" : " (no bias, no dh)"));
    }
}
