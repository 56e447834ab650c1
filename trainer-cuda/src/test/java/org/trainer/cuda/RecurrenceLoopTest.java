package org.trainer.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.Backends;
import org.trainer.core.backend.Fused;
import org.trainer.core.backend.Storage;

/**
 * The host loop of {@link CudaRecurrences} without a GPU: bound to host arrays, with the products
 * in plain loops and recurrent.cu's kernels transcribed into Java (same parameters in the same
 * order, one iteration per thread of the grid-stride loop), it must give what the CPU backend's
 * fused recurrences give in float64, forward and reversed, with and without bias and gradients.
 * This checks the step order, the offsets, the flags and the launch arguments the loop passes; the
 * kernels themselves are checked on a GPU by the conformance suite.
 */
class RecurrenceLoopTest {
    private static final Backend CPU = Backends.cpu();

    /** recurrent.cu over double[] storages. */
    static final class HostDevice implements CudaRecurrences.Device<double[]> {
        int launches;

        @Override
        public void gemm(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, double[] b,
                         int bOff, double[] c, int cOff, boolean accumulate) {
            assertTrue(m >= 1 && n >= 1 && k >= 1, "gemm sizes " + m + ", " + n + ", " + k);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        double av = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                        double bv = transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
                        s += av * bv;
                    }
                    c[cOff + i * n + j] = (accumulate ? c[cOff + i * n + j] : 0) + s;
                }
            }
        }

        @Override
        public void copy(double[] src, int srcOff, double[] dst, int dstOff, int size) {
            System.arraycopy(src, srcOff, dst, dstOff, size);
        }

        @Override
        public String suffix(double[] s) {
            return "f64";
        }

        private static double sigmoid(double x) {
            if (x >= 0) {
                return 1 / (1 + Math.exp(-x));
            }
            double e = Math.exp(x);
            return e / (1 + e);
        }

        @Override
        public void launch(String name, long total, Object... a) {
            launches++;
            assertTrue(name.endsWith("_f64"), name);
            switch (name.substring(0, name.length() - 4)) {
                case "lstm_cell_forward" -> lstmForward(total, (int) a[0], (int) a[1], (double[]) a[2], (int) a[3],
                        (double[]) a[4], (double[]) a[5], (int) a[6], (double[]) a[7], (int) a[8], (double[]) a[9],
                        (double[]) a[10], (int) a[11]);
                case "lstm_cell_backward" -> lstmBackward(total, (int) a[0], (int) a[1], (double[]) a[2], (int) a[3],
                        (double[]) a[4], (int) a[5], (double[]) a[6], (double[]) a[7], (int) a[8], (double[]) a[9],
                        (int) a[10], (double[]) a[11], (double[]) a[12]);
                case "gru_cell_forward" -> gruForward(total, (int) a[0], (int) a[1], (double[]) a[2], (int) a[3],
                        (double[]) a[4], (double[]) a[5], (int) a[6], (double[]) a[7], (int) a[8], (double[]) a[9],
                        (double[]) a[10], (int) a[11]);
                case "gru_cell_backward" -> gruBackward(total, (int) a[0], (int) a[1], (double[]) a[2], (int) a[3],
                        (double[]) a[4], (double[]) a[5], (int) a[6], (double[]) a[7], (int) a[8], (double[]) a[9],
                        (int) a[10], (double[]) a[11], (double[]) a[12]);
                case "rnn_cell_forward" -> rnnForward(total, (int) a[0], (int) a[1], (int) a[2], (double[]) a[3],
                        (int) a[4], (double[]) a[5], (double[]) a[6], (int) a[7]);
                case "rnn_cell_backward" -> rnnBackward(total, (int) a[0], (int) a[1], (double[]) a[2], (int) a[3],
                        (double[]) a[4], (double[]) a[5], (int) a[6], (double[]) a[7]);
                case "column_sums" -> columnSums(total, (int) a[0], (int) a[1], (double[]) a[2], (double[]) a[3]);
                default -> fail("recurrent.cu has no kernel " + name);
            }
        }

        private static void lstmForward(long total, int n, int hidden, double[] gates, int gOff, double[] xProj,
                                        double[] bias, int hasBias, double[] cPrev, int cpOff, double[] c, double[] h,
                                        int hOff) {
            for (int k = 0; k < total; k++) {
                int gr = gOff + k / hidden * 4 * hidden;
                int j = k % hidden;
                double[] z = new double[4];
                for (int q = 0; q < 4; q++) {
                    z[q] = gates[gr + q * hidden + j] + xProj[gr + q * hidden + j]
                            + (hasBias != 0 ? bias[q * hidden + j] : 0);
                }
                double i = sigmoid(z[0]);
                double f = sigmoid(z[1]);
                double g = Math.tanh(z[2]);
                double o = sigmoid(z[3]);
                gates[gr + j] = i;
                gates[gr + hidden + j] = f;
                gates[gr + 2 * hidden + j] = g;
                gates[gr + 3 * hidden + j] = o;
                double cv = f * cPrev[cpOff + k] + i * g;
                c[hOff + k] = cv;
                h[hOff + k] = o * Math.tanh(cv);
            }
        }

        private static void lstmBackward(long total, int n, int hidden, double[] gates, int gOff, double[] cPrev,
                                         int cpOff, double[] c, double[] gOut, int hOff, double[] dh, int hasDh,
                                         double[] dc, double[] dz) {
            for (int k = 0; k < total; k++) {
                int gr = gOff + k / hidden * 4 * hidden;
                int j = k % hidden;
                double i = gates[gr + j];
                double f = gates[gr + hidden + j];
                double g = gates[gr + 2 * hidden + j];
                double o = gates[gr + 3 * hidden + j];
                double t = Math.tanh(c[hOff + k]);
                double gh = gOut[hOff + k] + (hasDh != 0 ? dh[k] : 0);
                double gc = dc[k] + gh * o * (1 - t * t);
                dz[gr + j] = gc * g * i * (1 - i);
                dz[gr + hidden + j] = gc * cPrev[cpOff + k] * f * (1 - f);
                dz[gr + 2 * hidden + j] = gc * i * (1 - g * g);
                dz[gr + 3 * hidden + j] = gh * t * o * (1 - o);
                dc[k] = gc * f;
            }
        }

        private static void gruForward(long total, int n, int hidden, double[] gates, int gOff, double[] xProj,
                                       double[] bias, int hasBias, double[] hPrev, int hpOff, double[] hn, double[] h,
                                       int hOff) {
            for (int k = 0; k < total; k++) {
                int gr = gOff + k / hidden * 3 * hidden;
                int j = k % hidden;
                double pr = gates[gr + j] + (hasBias != 0 ? bias[j] : 0);
                double pz = gates[gr + hidden + j] + (hasBias != 0 ? bias[hidden + j] : 0);
                double pn = gates[gr + 2 * hidden + j] + (hasBias != 0 ? bias[2 * hidden + j] : 0);
                double r = sigmoid(xProj[gr + j] + pr);
                double z = sigmoid(xProj[gr + hidden + j] + pz);
                double nv = Math.tanh(xProj[gr + 2 * hidden + j] + r * pn);
                gates[gr + j] = r;
                gates[gr + hidden + j] = z;
                gates[gr + 2 * hidden + j] = nv;
                hn[hOff + k] = pn;
                h[hOff + k] = nv + z * (hPrev[hpOff + k] - nv);
            }
        }

        private static void gruBackward(long total, int n, int hidden, double[] gates, int gOff, double[] hn,
                                        double[] hPrev, int hpOff, double[] gOut, int hOff, double[] dh, int hasDh,
                                        double[] dx, double[] dhp) {
            for (int k = 0; k < total; k++) {
                int gr = gOff + k / hidden * 3 * hidden;
                int j = k % hidden;
                double r = gates[gr + j];
                double z = gates[gr + hidden + j];
                double nv = gates[gr + 2 * hidden + j];
                double gh = gOut[hOff + k] + (hasDh != 0 ? dh[k] : 0);
                double dn = gh * (1 - z) * (1 - nv * nv);
                double dzv = gh * (hPrev[hpOff + k] - nv) * z * (1 - z);
                double dr = dn * hn[hOff + k] * r * (1 - r);
                dx[gr + j] = dr;
                dx[gr + hidden + j] = dzv;
                dx[gr + 2 * hidden + j] = dn;
                dhp[gr + j] = dr;
                dhp[gr + hidden + j] = dzv;
                dhp[gr + 2 * hidden + j] = dn * r;
                dh[k] = gh * z;
            }
        }

        private static void rnnForward(long total, int n, int hidden, int relu, double[] h, int hOff, double[] xProj,
                                       double[] bias, int hasBias) {
            for (int k = 0; k < total; k++) {
                double z = h[hOff + k] + xProj[hOff + k] + (hasBias != 0 ? bias[k % hidden] : 0);
                h[hOff + k] = relu != 0 ? (z > 0 ? z : 0) : Math.tanh(z);
            }
        }

        private static void rnnBackward(long total, int size, int relu, double[] h, int hOff, double[] gOut,
                                        double[] dh, int hasDh, double[] dz) {
            assertEquals(size, total, "rnn_cell_backward: threads");
            for (int k = 0; k < total; k++) {
                double gh = gOut[hOff + k] + (hasDh != 0 ? dh[k] : 0);
                double y = h[hOff + k];
                dz[hOff + k] = relu != 0 ? (y > 0 ? gh : 0) : gh * (1 - y * y);
            }
        }

        private static void columnSums(long total, int rows, int cols, double[] x, double[] sums) {
            assertEquals(cols, total, "column_sums: threads");
            for (int j = 0; j < total; j++) {
                double s = 0;
                for (int r = 0; r < rows; r++) {
                    s += x[r * cols + j];
                }
                sums[j] = s;
            }
        }
    }

    private static double[] random(Random r, int size) {
        double[] v = new double[size];
        for (int i = 0; i < size; i++) {
            v[i] = 2 * r.nextDouble() - 1;
        }
        return v;
    }

    /** Garbage, so that a buffer the loop reads before writing shows. */
    private static double[] garbage(int size) {
        double[] v = new double[size];
        java.util.Arrays.fill(v, Double.NaN);
        return v;
    }

    private static Storage cpu(double[] v) {
        return v == null ? null : CPU.fromArray(v.clone());
    }

    private static void same(String what, double[] expected, Storage actualCpu, double[] actual) {
        double[] e = actualCpu == null ? expected : CPU.toDoubleArray(actualCpu);
        assertEquals(e.length, actual.length, what + ": length");
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(e[i] - actual[i]) <= 1e-12 * Math.max(1, Math.abs(e[i])))) {
                fail(what + ": element " + i + " is " + actual[i] + ", the CPU backend's is " + e[i]);
            }
        }
    }

    /** {T, N, H}: one step of one sample of one unit; an odd shape. */
    private static final int[][] SIZES = {{1, 1, 1}, {5, 3, 4}, {4, 2, 7}};

    @Test
    void lstmLoopMatchesTheCpuRecurrence() {
        Fused.Lstm ref = CPU.capability(Fused.Lstm.class).orElseThrow();
        int cases = 0;
        for (int[] sz : SIZES) {
            for (boolean reverse : new boolean[] {false, true}) {
                for (boolean full : new boolean[] {false, true}) {
                    int t = sz[0];
                    int n = sz[1];
                    int h = sz[2];
                    int nh = n * h;
                    Random r = new Random(31 * t + n + h + (reverse ? 1 : 0));
                    double[] xProj = random(r, t * 4 * nh);
                    double[] w = random(r, 4 * h * h);
                    double[] b = full ? random(r, 4 * h) : null;
                    double[] h0 = random(r, nh);
                    double[] c0 = random(r, nh);
                    double[] gOut = random(r, (t + 1) * nh);
                    HostDevice dev = new HostDevice();
                    CudaRecurrences<double[]> loop = new CudaRecurrences<>(dev);
                    double[] out = garbage((t + 1) * nh);
                    double[] cs = garbage(t * nh);
                    double[] gates = garbage(t * 4 * nh);
                    loop.lstmForward(t, n, h, reverse, xProj, w, b, h0, c0, out, cs, gates);
                    Storage[] o = {cpu(out), cpu(cs), cpu(gates)};
                    assertTrue(ref.lstmForward(t, n, h, reverse, cpu(xProj), cpu(w), cpu(b), cpu(h0), cpu(c0), o[0],
                            o[1], o[2]));
                    same("lstm out", null, o[0], out);
                    same("lstm cs", null, o[1], cs);
                    same("lstm gates", null, o[2], gates);
                    assertEquals(t, dev.launches, "one kernel per step");
                    double[] gx = garbage(t * 4 * nh);
                    double[] gw = full ? garbage(4 * h * h) : null;
                    double[] gb = full ? garbage(4 * h) : null;
                    double[] gh0 = full ? garbage(nh) : null;
                    double[] gc0 = full ? garbage(nh) : null;
                    loop.lstmBackward(t, n, h, reverse, w, h0, c0, out, cs, gates, gOut, gx, gw, gb, gh0, gc0,
                            garbage(nh), garbage(nh));
                    Storage[] g = {cpu(gx), cpu(gw), cpu(gb), cpu(gh0), cpu(gc0)};
                    assertTrue(ref.lstmBackward(t, n, h, reverse, cpu(w), cpu(h0), cpu(c0), o[0], o[1], o[2],
                            cpu(gOut), g[0], g[1], g[2], g[3], g[4], CPU.allocate(o[0].dtype(), nh),
                            CPU.allocate(o[0].dtype(), nh)));
                    String what = "lstm " + java.util.Arrays.toString(sz) + (reverse ? " reversed" : "");
                    same(what + " gxProj", null, g[0], gx);
                    if (full) {
                        same(what + " gw", null, g[1], gw);
                        same(what + " gb", null, g[2], gb);
                        same(what + " gh0", null, g[3], gh0);
                        same(what + " gc0", null, g[4], gc0);
                    }
                    cases++;
                }
            }
        }
        assertEquals(12, cases);
    }

    @Test
    void gruLoopMatchesTheCpuRecurrence() {
        Fused.Gru ref = CPU.capability(Fused.Gru.class).orElseThrow();
        for (int[] sz : SIZES) {
            for (boolean reverse : new boolean[] {false, true}) {
                for (boolean full : new boolean[] {false, true}) {
                    int t = sz[0];
                    int n = sz[1];
                    int h = sz[2];
                    int nh = n * h;
                    Random r = new Random(37 * t + n + h + (reverse ? 1 : 0));
                    double[] xProj = random(r, t * 3 * nh);
                    double[] w = random(r, 3 * h * h);
                    double[] b = full ? random(r, 3 * h) : null;
                    double[] h0 = random(r, nh);
                    double[] gOut = random(r, t * nh);
                    CudaRecurrences<double[]> loop = new CudaRecurrences<>(new HostDevice());
                    double[] out = garbage(t * nh);
                    double[] gates = garbage(t * 3 * nh);
                    double[] hn = garbage(t * nh);
                    loop.gruForward(t, n, h, reverse, xProj, w, b, h0, out, gates, hn);
                    Storage[] o = {cpu(out), cpu(gates), cpu(hn)};
                    assertTrue(ref.gruForward(t, n, h, reverse, cpu(xProj), cpu(w), cpu(b), cpu(h0), o[0], o[1],
                            o[2]));
                    same("gru out", null, o[0], out);
                    same("gru gates", null, o[1], gates);
                    same("gru hn", null, o[2], hn);
                    double[] gx = garbage(t * 3 * nh);
                    double[] gp = garbage(t * 3 * nh);
                    double[] gw = full ? garbage(3 * h * h) : null;
                    double[] gb = full ? garbage(3 * h) : null;
                    double[] gh0 = full ? garbage(nh) : null;
                    loop.gruBackward(t, n, h, reverse, w, h0, out, gates, hn, gOut, gx, gp, gw, gb, gh0, garbage(nh));
                    Storage[] g = {cpu(gx), cpu(gp), cpu(gw), cpu(gb), cpu(gh0)};
                    assertTrue(ref.gruBackward(t, n, h, reverse, cpu(w), cpu(h0), o[0], o[1], o[2], cpu(gOut), g[0],
                            g[1], g[2], g[3], g[4], CPU.allocate(o[0].dtype(), nh)));
                    String what = "gru " + java.util.Arrays.toString(sz) + (reverse ? " reversed" : "");
                    same(what + " gxProj", null, g[0], gx);
                    same(what + " gp", null, g[1], gp);
                    if (full) {
                        same(what + " gw", null, g[2], gw);
                        same(what + " gb", null, g[3], gb);
                        same(what + " gh0", null, g[4], gh0);
                    }
                }
            }
        }
    }

    @Test
    void rnnLoopMatchesTheCpuRecurrence() {
        Fused.Rnn ref = CPU.capability(Fused.Rnn.class).orElseThrow();
        List<String> checked = new ArrayList<>();
        for (int[] sz : SIZES) {
            for (boolean reverse : new boolean[] {false, true}) {
                for (boolean relu : new boolean[] {false, true}) {
                    boolean full = reverse != relu;
                    int t = sz[0];
                    int n = sz[1];
                    int h = sz[2];
                    int nh = n * h;
                    Random r = new Random(41 * t + n + h + (reverse ? 1 : 0) + (relu ? 2 : 0));
                    double[] xProj = random(r, t * nh);
                    double[] w = random(r, h * h);
                    double[] b = full ? random(r, h) : null;
                    double[] h0 = random(r, nh);
                    double[] gOut = random(r, t * nh);
                    CudaRecurrences<double[]> loop = new CudaRecurrences<>(new HostDevice());
                    double[] out = garbage(t * nh);
                    loop.rnnForward(t, n, h, reverse, relu, xProj, w, b, h0, out);
                    Storage o = cpu(out);
                    assertTrue(ref.rnnForward(t, n, h, reverse, relu, cpu(xProj), cpu(w), cpu(b), cpu(h0), o));
                    String what = "rnn " + (relu ? "relu " : "tanh ") + java.util.Arrays.toString(sz)
                            + (reverse ? " reversed" : "");
                    same(what + " out", null, o, out);
                    double[] gx = garbage(t * nh);
                    double[] gw = full ? garbage(h * h) : null;
                    double[] gb = full ? garbage(h) : null;
                    double[] gh0 = full ? garbage(nh) : null;
                    loop.rnnBackward(t, n, h, reverse, relu, w, h0, out, gOut, gx, gw, gb, gh0, garbage(nh));
                    Storage[] g = {cpu(gx), cpu(gw), cpu(gb), cpu(gh0)};
                    assertTrue(ref.rnnBackward(t, n, h, reverse, relu, cpu(w), cpu(h0), o, cpu(gOut), g[0], g[1],
                            g[2], g[3], CPU.allocate(o.dtype(), nh)));
                    same(what + " gxProj", null, g[0], gx);
                    if (full) {
                        same(what + " gw", null, g[1], gw);
                        same(what + " gb", null, g[2], gb);
                        same(what + " gh0", null, g[3], gh0);
                    }
                    checked.add(what);
                }
            }
        }
        assertEquals(12, checked.size());
    }
}
