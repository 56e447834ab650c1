package org.trainer.core.backend.cpu;

/** {@link GruCellKernel} in plain Java: the reference, and the kernel without the Vector API. */
final class PortableGruCell implements GruCellKernel {
    @Override
    public void forward(int n, int hidden, float[] gates, int gOff, float[] xProj, int xOff, float[] bias,
                        float[] hPrev, int hpOff, float[] hn, int hnOff, float[] h, int hOff) {
        for (int r = 0; r < n; r++) {
            forwardRow(hidden, 0, hidden, gates, gOff + r * 3 * hidden, xProj, xOff + r * 3 * hidden, bias, hPrev,
                    hpOff + r * hidden, hn, hnOff + r * hidden, h, hOff + r * hidden);
        }
    }

    @Override
    public void backward(int n, int hidden, float[] gates, int gOff, float[] hn, int hnOff, float[] hPrev, int hpOff,
                         float[] gOut, int goOff, float[] dh, int dOff, boolean withDh, float[] dx, float[] dhp,
                         int dzOff) {
        for (int r = 0; r < n; r++) {
            int k = r * hidden;
            backwardRow(hidden, 0, hidden, gates, gOff + 3 * k, hn, hnOff + k, hPrev, hpOff + k, gOut, goOff + k, dh,
                    dOff + k, withDh, dx, dhp, dzOff + 3 * k);
        }
    }

    /** {@link #forward} for columns [j0, j1) of one row, whose blocks start at the given offsets. */
    static void forwardRow(int hidden, int j0, int j1, float[] gates, int gr, float[] xProj, int xr, float[] bias,
                           float[] hPrev, int hp, float[] hn, int hno, float[] h, int ho) {
        for (int j = j0; j < j1; j++) {
            float pr = gates[gr + j] + (bias == null ? 0 : bias[j]);
            float pz = gates[gr + hidden + j] + (bias == null ? 0 : bias[hidden + j]);
            float pn = gates[gr + 2 * hidden + j] + (bias == null ? 0 : bias[2 * hidden + j]);
            float r = PortableLstmCell.sigmoid(xProj[xr + j] + pr);
            float z = PortableLstmCell.sigmoid(xProj[xr + hidden + j] + pz);
            float nv = (float) Math.tanh(xProj[xr + 2 * hidden + j] + r * pn);
            gates[gr + j] = r;
            gates[gr + hidden + j] = z;
            gates[gr + 2 * hidden + j] = nv;
            hn[hno + j] = pn;
            h[ho + j] = nv + z * (hPrev[hp + j] - nv);
        }
    }

    /** {@link #backward} for columns [j0, j1) of one row, whose blocks start at the given offsets. */
    static void backwardRow(int hidden, int j0, int j1, float[] gates, int gr, float[] hn, int hno, float[] hPrev,
                            int hp, float[] gOut, int go, float[] dh, int d, boolean withDh, float[] dx, float[] dhp,
                            int dr) {
        for (int j = j0; j < j1; j++) {
            float r = gates[gr + j];
            float z = gates[gr + hidden + j];
            float nv = gates[gr + 2 * hidden + j];
            float gh = gOut[go + j] + (withDh ? dh[d + j] : 0);
            float dn = gh * (1 - z) * (1 - nv * nv);
            float dz = gh * (hPrev[hp + j] - nv) * z * (1 - z);
            float drv = dn * hn[hno + j] * r * (1 - r);
            dx[dr + j] = drv;
            dx[dr + hidden + j] = dz;
            dx[dr + 2 * hidden + j] = dn;
            dhp[dr + j] = drv;
            dhp[dr + hidden + j] = dz;
            dhp[dr + 2 * hidden + j] = dn * r;
            dh[d + j] = gh * z;
        }
    }
}
