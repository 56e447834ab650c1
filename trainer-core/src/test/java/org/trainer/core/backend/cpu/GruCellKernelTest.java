package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The Vector API GRU cell against the portable one (the reference), on gate inputs that reach
 * saturation, for a hidden size with a scalar tail, with and without bias and incoming dh.
 */
class GruCellKernelTest {

    private static float[] random(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

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
        for (int q = 0; q < names.length; q++) {
            for (int i = 0; i < results[0][q].length; i++) {
                assertEquals(results[0][q][i], results[1][q][i], 2e-6 * (1 + Math.abs(results[0][q][i])),
                        names[q] + " at " + i + (withBiasAndDh ? "" : " (no bias, no dh)"));
            }
        }
    }
}
