package org.trainer.core.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GruCellKernel} with the Vector API: a whole vector of each gate per iteration, with the
 * sigmoid and the rational tanh of {@link VectorLstmCell} (which round the same compiled or not).
 * Columns past the last full vector take the scalar code of {@link PortableGruCell}.
 *
 * <p>Loaded only through {@link CpuGru} after it has checked that {@code jdk.incubator.vector} is
 * in the boot layer; referencing this class without the module would fail to link.
 */
final class VectorGruCell implements GruCellKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Public so that {@link CpuGru} can create it reflectively. */
    public VectorGruCell() {
    }

    @Override
    public void forward(int n, int hidden, float[] gates, int gOff, float[] xProj, int xOff, float[] bias,
                        float[] hPrev, int hpOff, float[] hn, int hnOff, float[] h, int hOff) {
        int full = hidden - hidden % L;
        for (int row = 0; row < n; row++) {
            int gr = gOff + row * 3 * hidden;
            int xr = xOff + row * 3 * hidden;
            int k = row * hidden;
            for (int j = 0; j < full; j += L) {
                FloatVector pr = withBias(gates, gr + j, bias, j);
                FloatVector pz = withBias(gates, gr + hidden + j, bias, hidden + j);
                FloatVector pn = withBias(gates, gr + 2 * hidden + j, bias, 2 * hidden + j);
                FloatVector r = VectorLstmCell.sigmoid(FloatVector.fromArray(S, xProj, xr + j).add(pr));
                FloatVector z = VectorLstmCell.sigmoid(FloatVector.fromArray(S, xProj, xr + hidden + j).add(pz));
                FloatVector nv = VectorLstmCell.tanh(r.fma(pn, FloatVector.fromArray(S, xProj, xr + 2 * hidden + j)));
                r.intoArray(gates, gr + j);
                z.intoArray(gates, gr + hidden + j);
                nv.intoArray(gates, gr + 2 * hidden + j);
                pn.intoArray(hn, hnOff + k + j);
                z.fma(FloatVector.fromArray(S, hPrev, hpOff + k + j).sub(nv), nv).intoArray(h, hOff + k + j);
            }
            PortableGruCell.forwardRow(hidden, full, hidden, gates, gr, xProj, xr, bias, hPrev, hpOff + k, hn,
                    hnOff + k, h, hOff + k);
        }
    }

    @Override
    public void backward(int n, int hidden, float[] gates, int gOff, float[] hn, int hnOff, float[] hPrev, int hpOff,
                         float[] gOut, int goOff, float[] dh, int dOff, boolean withDh, float[] dx, float[] dhp,
                         int dzOff) {
        int full = hidden - hidden % L;
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int row = 0; row < n; row++) {
            int gr = gOff + row * 3 * hidden;
            int dr = dzOff + row * 3 * hidden;
            int k = row * hidden;
            for (int j = 0; j < full; j += L) {
                FloatVector r = FloatVector.fromArray(S, gates, gr + j);
                FloatVector z = FloatVector.fromArray(S, gates, gr + hidden + j);
                FloatVector nv = FloatVector.fromArray(S, gates, gr + 2 * hidden + j);
                FloatVector gh = FloatVector.fromArray(S, gOut, goOff + k + j);
                if (withDh) {
                    gh = gh.add(FloatVector.fromArray(S, dh, dOff + k + j));
                }
                FloatVector dn = gh.mul(one.sub(z)).mul(one.sub(nv.mul(nv)));
                FloatVector dz = gh.mul(FloatVector.fromArray(S, hPrev, hpOff + k + j).sub(nv)).mul(z)
                        .mul(one.sub(z));
                FloatVector drv = dn.mul(FloatVector.fromArray(S, hn, hnOff + k + j)).mul(r).mul(one.sub(r));
                drv.intoArray(dx, dr + j);
                dz.intoArray(dx, dr + hidden + j);
                dn.intoArray(dx, dr + 2 * hidden + j);
                drv.intoArray(dhp, dr + j);
                dz.intoArray(dhp, dr + hidden + j);
                dn.mul(r).intoArray(dhp, dr + 2 * hidden + j);
                gh.mul(z).intoArray(dh, dOff + k + j);
            }
            PortableGruCell.backwardRow(hidden, full, hidden, gates, gr, hn, hnOff + k, hPrev, hpOff + k, gOut,
                    goOff + k, dh, dOff + k, withDh, dx, dhp, dr);
        }
    }

    private static FloatVector withBias(float[] gates, int g, float[] bias, int b) {
        FloatVector v = FloatVector.fromArray(S, gates, g);
        return bias == null ? v : v.add(FloatVector.fromArray(S, bias, b));
    }
}
