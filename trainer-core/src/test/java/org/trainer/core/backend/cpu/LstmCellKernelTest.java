package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.core.backend.cpu.CellKernelChecks.random;

import java.util.SplittableRandom;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The Vector API LSTM cell against the portable one (the reference), on gate inputs that reach
 * saturation, for a hidden size with a scalar tail; and its tanh approximation against Math.tanh.
 */
class LstmCellKernelTest {

    @Test
    void vectorCellMatchesThePortableCell() {
        int n = 3;
        int hidden = 37;
        SplittableRandom r = new SplittableRandom(5);
        float[] z = random(r, n * 4 * hidden, 12);
        float[] x = random(r, n * 4 * hidden, 3);
        float[] bias = random(r, 4 * hidden, 1);
        float[] cPrev = random(r, n * hidden, 2);
        float[] gOut = random(r, n * hidden, 1);
        float[] dh = random(r, n * hidden, 1);
        float[] dc0 = random(r, n * hidden, 1);
        LstmCellKernel[] kernels = {new PortableLstmCell(), new VectorLstmCell()};
        float[][][] results = new float[2][][];
        for (int k = 0; k < 2; k++) {
            float[] gates = z.clone();
            float[] c = new float[n * hidden];
            float[] h = new float[n * hidden];
            float[] dc = dc0.clone();
            float[] dz = new float[n * 4 * hidden];
            kernels[k].forward(n, hidden, gates, 0, x, 0, bias, cPrev, 0, c, 0, h, 0);
            kernels[k].backward(n, hidden, gates, 0, cPrev, 0, c, 0, gOut, 0, dh, dc, 0, dz, 0);
            results[k] = new float[][] {gates, c, h, dc, dz};
        }
        String[] names = {"gates", "c", "h", "dc", "dz"};
        CellKernelChecks.assertSame(names, results[0], results[1], "");
    }

    @Test
    void tanhApproximationIsWithinAFewUlpsOfOne() {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        float[] in = new float[lanes];
        float[] out = new float[lanes];
        double worst = 0;
        for (int i = -200_000; i <= 200_000; i += lanes) {
            for (int l = 0; l < lanes; l++) {
                in[l] = (i + l) * 5e-5f;
            }
            VectorLstmCell.tanh(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, in, 0)).intoArray(out, 0);
            for (int l = 0; l < lanes; l++) {
                worst = Math.max(worst, Math.abs(out[l] - Math.tanh(in[l])));
                assertTrue(Math.abs(out[l]) <= 1, "tanh(" + in[l] + ") = " + out[l] + " is outside [-1, 1]");
            }
        }
        assertTrue(worst < 3e-7, "largest error of tanh on [-10, 10]: " + worst);
    }
}
