package org.trainer.core.backend.cpu;

/**
 * The float64 LSTM cell of {@link CpuLstm}, for gradient checks and reference tests: the math of
 * {@link LstmCellKernel} in double, with the sigmoid split on the sign as {@code UnaryOp.SIGMOID}
 * computes it, so the fused and the composed forms agree to rounding.
 */
final class DoubleLstmCell {
    private DoubleLstmCell() {
    }

    static void forward(int n, int hidden, double[] gates, int gOff, double[] xProj, int xOff, double[] bias,
                        double[] cPrev, int cpOff, double[] c, int cOff, double[] h, int hOff) {
        for (int r = 0; r < n; r++) {
            int gr = gOff + r * 4 * hidden;
            int xr = xOff + r * 4 * hidden;
            for (int j = 0; j < hidden; j++) {
                double i = sigmoid(pre(gates, gr, xProj, xr, bias, j));
                double f = sigmoid(pre(gates, gr, xProj, xr, bias, hidden + j));
                double g = Math.tanh(pre(gates, gr, xProj, xr, bias, 2 * hidden + j));
                double o = sigmoid(pre(gates, gr, xProj, xr, bias, 3 * hidden + j));
                gates[gr + j] = i;
                gates[gr + hidden + j] = f;
                gates[gr + 2 * hidden + j] = g;
                gates[gr + 3 * hidden + j] = o;
                int k = r * hidden + j;
                double cv = f * cPrev[cpOff + k] + i * g;
                c[cOff + k] = cv;
                h[hOff + k] = o * Math.tanh(cv);
            }
        }
    }

    static void backward(int n, int hidden, double[] gates, int gOff, double[] cPrev, int cpOff, double[] c, int cOff,
                         double[] gOut, int goOff, double[] dh, double[] dc, int dOff, double[] dz, int dzOff) {
        for (int r = 0; r < n; r++) {
            int gr = gOff + r * 4 * hidden;
            int dr = dzOff + r * 4 * hidden;
            for (int j = 0; j < hidden; j++) {
                int k = r * hidden + j;
                double i = gates[gr + j];
                double f = gates[gr + hidden + j];
                double g = gates[gr + 2 * hidden + j];
                double o = gates[gr + 3 * hidden + j];
                double t = Math.tanh(c[cOff + k]);
                double gh = gOut[goOff + k] + (dh == null ? 0 : dh[dOff + k]);
                double gc = dc[dOff + k] + gh * o * (1 - t * t);
                dz[dr + j] = gc * g * i * (1 - i);
                dz[dr + hidden + j] = gc * cPrev[cpOff + k] * f * (1 - f);
                dz[dr + 2 * hidden + j] = gc * i * (1 - g * g);
                dz[dr + 3 * hidden + j] = gh * t * o * (1 - o);
                dc[dOff + k] = gc * f;
            }
        }
    }

    private static double pre(double[] gates, int gr, double[] xProj, int xr, double[] bias, int col) {
        return gates[gr + col] + xProj[xr + col] + (bias == null ? 0 : bias[col]);
    }

    static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }
}
