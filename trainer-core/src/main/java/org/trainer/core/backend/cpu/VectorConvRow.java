package org.trainer.core.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API {@link ConvRowKernel}: 6 output channels x (2 vectors of pixels), twelve
 * accumulators, like {@link VectorSgemmKernel} with the roles of the operands swapped and the
 * pixels read in place from the row-shifted image instead of a packed panel. Per tap: one tap
 * offset, two vector loads of pixels, six broadcast weights, twelve fused multiply-adds. Full
 * tiles are stored as vectors straight into y's [OC, OH*OW] planes.
 *
 * <p>Loaded only through {@link WindowConv} after {@link Sgemm} has found the Vector API.
 */
final class VectorConvRow implements ConvRowKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Public so that {@link WindowConv} can create it reflectively. */
    public VectorConvRow() {
    }

    @Override
    public int mr() {
        return 6;
    }

    @Override
    public int pixels() {
        return 2 * L;
    }

    @Override
    public void tile(int k, float[] xs, int[] taps, int p0, float[] w, int wOff, float[] bias, int o0, int channels,
                     int count, float[] y, int yOff, int planeSize, float[] out) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        for (int r = 0; r < k; r++) {
            int at = taps[r] + p0;
            int wo = wOff + r * 6;
            FloatVector x0 = FloatVector.fromArray(S, xs, at);
            FloatVector x1 = FloatVector.fromArray(S, xs, at + L);
            FloatVector w0 = FloatVector.broadcast(S, w[wo]);
            c00 = w0.fma(x0, c00);
            c01 = w0.fma(x1, c01);
            FloatVector w1 = FloatVector.broadcast(S, w[wo + 1]);
            c10 = w1.fma(x0, c10);
            c11 = w1.fma(x1, c11);
            FloatVector w2 = FloatVector.broadcast(S, w[wo + 2]);
            c20 = w2.fma(x0, c20);
            c21 = w2.fma(x1, c21);
            FloatVector w3 = FloatVector.broadcast(S, w[wo + 3]);
            c30 = w3.fma(x0, c30);
            c31 = w3.fma(x1, c31);
            FloatVector w4 = FloatVector.broadcast(S, w[wo + 4]);
            c40 = w4.fma(x0, c40);
            c41 = w4.fma(x1, c41);
            FloatVector w5 = FloatVector.broadcast(S, w[wo + 5]);
            c50 = w5.fma(x0, c50);
            c51 = w5.fma(x1, c51);
        }
        if (channels == 6 && count == 2 * L) {
            // Written out rather than in a helper, as in VectorSgemmKernel (a vector-taking call
            // that C2 does not inline would box).
            FloatVector b0 = FloatVector.broadcast(S, bias == null ? 0f : bias[o0 + 0]);
            c00.add(b0).intoArray(y, yOff);
            c01.add(b0).intoArray(y, yOff + L);
            FloatVector b1 = FloatVector.broadcast(S, bias == null ? 0f : bias[o0 + 1]);
            c10.add(b1).intoArray(y, yOff + planeSize);
            c11.add(b1).intoArray(y, yOff + planeSize + L);
            FloatVector b2 = FloatVector.broadcast(S, bias == null ? 0f : bias[o0 + 2]);
            c20.add(b2).intoArray(y, yOff + 2 * planeSize);
            c21.add(b2).intoArray(y, yOff + 2 * planeSize + L);
            FloatVector b3 = FloatVector.broadcast(S, bias == null ? 0f : bias[o0 + 3]);
            c30.add(b3).intoArray(y, yOff + 3 * planeSize);
            c31.add(b3).intoArray(y, yOff + 3 * planeSize + L);
            FloatVector b4 = FloatVector.broadcast(S, bias == null ? 0f : bias[o0 + 4]);
            c40.add(b4).intoArray(y, yOff + 4 * planeSize);
            c41.add(b4).intoArray(y, yOff + 4 * planeSize + L);
            FloatVector b5 = FloatVector.broadcast(S, bias == null ? 0f : bias[o0 + 5]);
            c50.add(b5).intoArray(y, yOff + 5 * planeSize);
            c51.add(b5).intoArray(y, yOff + 5 * planeSize + L);
            return;
        }
        c00.intoArray(out, 0);
        c01.intoArray(out, L);
        c10.intoArray(out, 2 * L);
        c11.intoArray(out, 3 * L);
        c20.intoArray(out, 4 * L);
        c21.intoArray(out, 5 * L);
        c30.intoArray(out, 6 * L);
        c31.intoArray(out, 7 * L);
        c40.intoArray(out, 8 * L);
        c41.intoArray(out, 9 * L);
        c50.intoArray(out, 10 * L);
        c51.intoArray(out, 11 * L);
        WindowConv.storePartial(out, 2 * L, bias, o0, channels, count, y, yOff, planeSize);
    }

    @Override
    public void tileAdjoint(int k, float[] gy, int[] offs, int p0, float[] w, int wOff, int r0, int rows, int count,
                            float[] xs, int[] taps, float[] out) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        for (int o = 0; o < k; o++) {
            int at = offs[o] + p0;
            int wo = wOff + o * 6;
            FloatVector x0 = FloatVector.fromArray(S, gy, at);
            FloatVector x1 = FloatVector.fromArray(S, gy, at + L);
            FloatVector w0 = FloatVector.broadcast(S, w[wo]);
            c00 = w0.fma(x0, c00);
            c01 = w0.fma(x1, c01);
            FloatVector w1 = FloatVector.broadcast(S, w[wo + 1]);
            c10 = w1.fma(x0, c10);
            c11 = w1.fma(x1, c11);
            FloatVector w2 = FloatVector.broadcast(S, w[wo + 2]);
            c20 = w2.fma(x0, c20);
            c21 = w2.fma(x1, c21);
            FloatVector w3 = FloatVector.broadcast(S, w[wo + 3]);
            c30 = w3.fma(x0, c30);
            c31 = w3.fma(x1, c31);
            FloatVector w4 = FloatVector.broadcast(S, w[wo + 4]);
            c40 = w4.fma(x0, c40);
            c41 = w4.fma(x1, c41);
            FloatVector w5 = FloatVector.broadcast(S, w[wo + 5]);
            c50 = w5.fma(x0, c50);
            c51 = w5.fma(x1, c51);
        }
        if (rows == 6 && count == 2 * L) {
            int d0 = taps[r0 + 0] + p0;
            FloatVector.fromArray(S, xs, d0).add(c00).intoArray(xs, d0);
            FloatVector.fromArray(S, xs, d0 + L).add(c01).intoArray(xs, d0 + L);
            int d1 = taps[r0 + 1] + p0;
            FloatVector.fromArray(S, xs, d1).add(c10).intoArray(xs, d1);
            FloatVector.fromArray(S, xs, d1 + L).add(c11).intoArray(xs, d1 + L);
            int d2 = taps[r0 + 2] + p0;
            FloatVector.fromArray(S, xs, d2).add(c20).intoArray(xs, d2);
            FloatVector.fromArray(S, xs, d2 + L).add(c21).intoArray(xs, d2 + L);
            int d3 = taps[r0 + 3] + p0;
            FloatVector.fromArray(S, xs, d3).add(c30).intoArray(xs, d3);
            FloatVector.fromArray(S, xs, d3 + L).add(c31).intoArray(xs, d3 + L);
            int d4 = taps[r0 + 4] + p0;
            FloatVector.fromArray(S, xs, d4).add(c40).intoArray(xs, d4);
            FloatVector.fromArray(S, xs, d4 + L).add(c41).intoArray(xs, d4 + L);
            int d5 = taps[r0 + 5] + p0;
            FloatVector.fromArray(S, xs, d5).add(c50).intoArray(xs, d5);
            FloatVector.fromArray(S, xs, d5 + L).add(c51).intoArray(xs, d5 + L);
            return;
        }
        c00.intoArray(out, 0);
        c01.intoArray(out, L);
        c10.intoArray(out, 2 * L);
        c11.intoArray(out, 3 * L);
        c20.intoArray(out, 4 * L);
        c21.intoArray(out, 5 * L);
        c30.intoArray(out, 6 * L);
        c31.intoArray(out, 7 * L);
        c40.intoArray(out, 8 * L);
        c41.intoArray(out, 9 * L);
        c50.intoArray(out, 10 * L);
        c51.intoArray(out, 11 * L);
        WindowConv.addPartial(out, 2 * L, r0, rows, count, xs, taps, p0);
    }
}
