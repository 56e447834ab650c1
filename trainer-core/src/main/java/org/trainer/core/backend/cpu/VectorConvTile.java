package org.trainer.core.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API {@link ConvTileKernel}: 6 x (2 vectors), like {@link VectorSgemmKernel}, whose
 * six broadcast values are read from the image at {@code rows[i] + cols[p]} instead of from a
 * packed panel. Per step: one index load, two vector loads, six scalar broadcasts, twelve fused
 * multiply-adds.
 *
 * <p>Loaded only through {@link DirectConv} after {@link Sgemm} has found the Vector API.
 */
final class VectorConvTile implements ConvTileKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Public so that {@link DirectConv} can create it reflectively. */
    public VectorConvTile() {
    }

    @Override
    public int mr() {
        return 6;
    }

    @Override
    public int nr() {
        return 2 * L;
    }

    @Override
    public void tile(int k, float[] x, int[] rows, int[] cols, int colOff, float[] b, int bOff, float[] out) {
        int x0 = rows[0];
        int x1 = rows[1];
        int x2 = rows[2];
        int x3 = rows[3];
        int x4 = rows[4];
        int x5 = rows[5];
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
        for (int p = 0; p < k; p++) {
            int bo = bOff + p * 2 * L;
            int v = cols[colOff + p];
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector av = FloatVector.broadcast(S, x[x0 + v]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(S, x[x1 + v]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(S, x[x2 + v]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(S, x[x3 + v]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(S, x[x4 + v]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(S, x[x5 + v]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        // Written out rather than in a helper, as in VectorSgemmKernel (a vector-taking call that C2
        // does not inline would box).
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
    }
}
