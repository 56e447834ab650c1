package org.trainer.core.backend.cpu;

/**
 * The float64 GRU cell of {@link CpuGru}, for gradient checks and reference tests: the math of
 * {@link GruCellKernel} in double, in the order of {@code GRU}'s composed cell (the sigmoid as
 * {@code UnaryOp.SIGMOID} computes it), so the fused and the composed forms agree to rounding.
 */
final class DoubleGruCell {
    private DoubleGruCell() {
    }

    static void forward(int n, int hidden, double[] gates, int gOff, double[] xProj, int xOff, double[] bias,
                        double[] hPrev, int hpOff, double[] hn, int hnOff, double[] h, int hOff) {
        for (int row = 0; row < n; row++) {
            int gr = gOff + row * 3 * hidden;
            int xr = xOff + row * 3 * hidden;
            for (int j = 0; j < hidden; j++) {
                double pr = gates[gr + j] + (bias == null ? 0 : bias[j]);
                double pz = gates[gr + hidden + j] + (bias == null ? 0 : bias[hidden + j]);
                double pn = gates[gr + 2 * hidden + j] + (bias == null ? 0 : bias[2 * hidden + j]);
                double r = DoubleLstmCell.sigmoid(xProj[xr + j] + pr);
                double z = DoubleLstmCell.sigmoid(xProj[xr + hidden + j] + pz);
                double nv = Math.tanh(xProj[xr + 2 * hidden + j] + r * pn);
                gates[gr + j] = r;
                gates[gr + hidden + j] = z;
                gates[gr + 2 * hidden + j] = nv;
                int k = row * hidden + j;
                hn[hnOff + k] = pn;
                h[hOff + k] = nv + z * (hPrev[hpOff + k] - nv);
            }
        }
    }

    static void backward(int n, int hidden, double[] gates, int gOff, double[] hn, int hnOff, double[] hPrev,
                         int hpOff, double[] gOut, int goOff, double[] dh, int dOff, boolean withDh, double[] dx,
                         double[] dhp, int dzOff) {
        for (int row = 0; row < n; row++) {
            int gr = gOff + row * 3 * hidden;
            int dr = dzOff + row * 3 * hidden;
            for (int j = 0; j < hidden; j++) {
                int k = row * hidden + j;
                double r = gates[gr + j];
                double z = gates[gr + hidden + j];
                double nv = gates[gr + 2 * hidden + j];
                double gh = gOut[goOff + k] + (withDh ? dh[dOff + k] : 0);
                double dn = gh * (1 - z) * (1 - nv * nv);
                double dz = gh * (hPrev[hpOff + k] - nv) * z * (1 - z);
                double drv = dn * hn[hnOff + k] * r * (1 - r);
                dx[dr + j] = drv;
                dx[dr + hidden + j] = dz;
                dx[dr + 2 * hidden + j] = dn;
                dhp[dr + j] = drv;
                dhp[dr + hidden + j] = dz;
                dhp[dr + 2 * hidden + j] = dn * r;
                dh[dOff + k] = gh * z;
            }
        }
    }
}
