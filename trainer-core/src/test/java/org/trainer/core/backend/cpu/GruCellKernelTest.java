package org.trainer.core.backend.cpu;

import static org.trainer.core.backend.cpu.CellKernelChecks.random;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The Vector API GRU cell against the portable one (the reference), on gate inputs that reach
 * saturation, for a hidden size with a scalar tail, with and without bias and incoming dh.
 */
class GruCellKernelTest {

    @Test
    void vectorCellMatchesThePortableCell() {
        for (boolean withBiasAndDh : new boolean[] {true, false}) {
            compare(3, 37, withBiasAndDh);
        }
    }

    private static void compare(int n, int hidden, boolean withBiasAndDh) {
        SplittableRandom r = new SplittableRandom(7);
        float[] p = random(r, n * 3 * hidden, 12);
        float[] x = random(r, n * 3 * hidden, 3);
        float[] bias = withBiasAndDh ? random(r, 3 * hidden, 1) : null;
        float[] hPrev = random(r, n * hidden, 1);
        float[] gOut = random(r, n * hidden, 1);
        float[] dh0 = random(r, n * hidden, 1);
        GruCellKernel[] kernels = {new PortableGruCell(), new VectorGruCell()};
        float[][][] results = new float[2][][];
        for (int k = 0; k < 2; k++) {
            float[] gates = p.clone();
            float[] hn = new float[n * hidden];
            float[] h = new float[n * hidden];
            float[] dh = dh0.clone();
            float[] dx = new float[n * 3 * hidden];
            float[] dhp = new float[n * 3 * hidden];
            kernels[k].forward(n, hidden, gates, 0, x, 0, bias, hPrev, 0, hn, 0, h, 0);
            kernels[k].backward(n, hidden, gates, 0, hn, 0, hPrev, 0, gOut, 0, dh, 0, withBiasAndDh, dx, dhp, 0);
            results[k] = new float[][] {gates, hn, h, dh, dx, dhp};
        }
        String[] names = {"gates", "hn", "h", "dh", "dx", "dhp"};
        CellKernelChecks.assertSame(names, results[0], results[1], withBiasAndDh ? "" : " (no bias, no dh)");
    }
}
