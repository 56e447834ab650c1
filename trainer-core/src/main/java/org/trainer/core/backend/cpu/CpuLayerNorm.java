package org.trainer.core.backend.cpu;

/**
 * The CPU's {@link org.trainer.core.backend.Fused.LayerNorm}: each row's statistics in double over
 * four accumulators (the row stays in L1 between its passes), then one pass that writes y; backward,
 * one pass over the rows for gx and one over column ranges for the weight and bias gradients, whose
 * sums run over the rows in order whatever the split. float32 and float64 each have their loops.
 */
final class CpuLayerNorm {
    private CpuLayerNorm() {
    }

    /** Rows [r0, r1) of the forward in float32. */
    static void forward(float[] x, float[] w, float[] b, int n, double eps, float[] y, float[] mean, float[] rstd,
                        int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int o = r * n;
            double mu = FloatKernels.sum(x, o, n) / n;
            float muF = (float) mu;
            double v0 = 0;
            double v1 = 0;
            int j = 0;
            for (; j + 1 < n; j += 2) {
                double d0 = x[o + j] - mu;
                double d1 = x[o + j + 1] - mu;
                v0 += d0 * d0;
                v1 += d1 * d1;
            }
            for (; j < n; j++) {
                double d = x[o + j] - mu;
                v0 += d * d;
            }
            float rs = (float) (1 / Math.sqrt((v0 + v1) / n + eps));
            for (j = 0; j < n; j++) {
                y[o + j] = (x[o + j] - muF) * rs * w[j] + b[j];
            }
            mean[r] = muF;
            rstd[r] = rs;
        }
    }

    /** Rows [r0, r1) of the forward in float64. */
    static void forward(double[] x, double[] w, double[] b, int n, double eps, double[] y, double[] mean,
                        double[] rstd, int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int o = r * n;
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += x[o + j];
            }
            double mu = s / n;
            double v = 0;
            for (int j = 0; j < n; j++) {
                double d = x[o + j] - mu;
                v += d * d;
            }
            double rs = 1 / Math.sqrt(v / n + eps);
            for (int j = 0; j < n; j++) {
                y[o + j] = (x[o + j] - mu) * rs * w[j] + b[j];
            }
            mean[r] = mu;
            rstd[r] = rs;
        }
    }

    /** Rows [r0, r1) of x's gradient in float32: gx = rstd (gh - mean(gh) - xhat mean(gh xhat)), gh = gy w. */
    static void backwardRows(float[] x, float[] w, float[] mean, float[] rstd, float[] gy, int n, float[] gx,
                             int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int o = r * n;
            float mu = mean[r];
            float rs = rstd[r];
            double a = 0;
            double c = 0;
            for (int j = 0; j < n; j++) {
                float gh = gy[o + j] * w[j];
                a += gh;
                c += gh * ((x[o + j] - mu) * rs);
            }
            float ma = (float) (a / n);
            float mc = (float) (c / n);
            for (int j = 0; j < n; j++) {
                float gh = gy[o + j] * w[j];
                gx[o + j] = rs * (gh - ma - (x[o + j] - mu) * rs * mc);
            }
        }
    }

    /** Rows [r0, r1) of x's gradient in float64. */
    static void backwardRows(double[] x, double[] w, double[] mean, double[] rstd, double[] gy, int n, double[] gx,
                             int r0, int r1) {
        for (int r = r0; r < r1; r++) {
            int o = r * n;
            double mu = mean[r];
            double rs = rstd[r];
            double a = 0;
            double c = 0;
            for (int j = 0; j < n; j++) {
                double gh = gy[o + j] * w[j];
                a += gh;
                c += gh * ((x[o + j] - mu) * rs);
            }
            a /= n;
            c /= n;
            for (int j = 0; j < n; j++) {
                double gh = gy[o + j] * w[j];
                gx[o + j] = rs * (gh - a - (x[o + j] - mu) * rs * c);
            }
        }
    }

    /** Columns [j0, j1) of the weight and bias gradients in float32, summed in double over all rows in order. */
    static void backwardColumns(float[] x, float[] mean, float[] rstd, float[] gy, int rows, int n, float[] gw,
                                float[] gb, int j0, int j1) {
        double[] sw = new double[j1 - j0];
        double[] sb = new double[j1 - j0];
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            float mu = mean[r];
            float rs = rstd[r];
            for (int j = j0; j < j1; j++) {
                float g = gy[o + j];
                sw[j - j0] += g * ((x[o + j] - mu) * rs);
                sb[j - j0] += g;
            }
        }
        for (int j = j0; j < j1; j++) {
            gw[j] = (float) sw[j - j0];
            gb[j] = (float) sb[j - j0];
        }
    }

    /** Columns [j0, j1) of the weight and bias gradients in float64. */
    static void backwardColumns(double[] x, double[] mean, double[] rstd, double[] gy, int rows, int n, double[] gw,
                                double[] gb, int j0, int j1) {
        java.util.Arrays.fill(gw, j0, j1, 0);
        java.util.Arrays.fill(gb, j0, j1, 0);
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            double mu = mean[r];
            double rs = rstd[r];
            for (int j = j0; j < j1; j++) {
                double g = gy[o + j];
                gw[j] += g * ((x[o + j] - mu) * rs);
                gb[j] += g;
            }
        }
    }
}
