package org.trainer.core.backend.cpu;

/** {@link LstmCellKernel} in plain Java: the reference, and the kernel without the Vector API. */
final class PortableLstmCell implements LstmCellKernel {
    @Override
    public void forward(int n, int hidden, float[] gates, int gOff, float[] xProj, int xOff, float[] bias,
                        float[] cPrev, int cpOff, float[] c, int cOff, float[] h, int hOff) {
        for (int r = 0; r < n; r++) {
            forwardRow(hidden, 0, hidden, gates, gOff + r * 4 * hidden, xProj, xOff + r * 4 * hidden, bias,
                    cPrev, cpOff + r * hidden, c, cOff + r * hidden, h, hOff + r * hidden);
        }
    }

    @Override
    public void backward(int n, int hidden, float[] gates, int gOff, float[] cPrev, int cpOff, float[] c, int cOff,
                         float[] gOut, int goOff, float[] dh, float[] dc, int dOff, float[] dz, int dzOff) {
        for (int r = 0; r < n; r++) {
            backwardRow(hidden, 0, hidden, gates, gOff + r * 4 * hidden, cPrev, cpOff + r * hidden, c,
                    cOff + r * hidden, gOut, goOff + r * hidden, dh, dOff + r * hidden, dc, dOff + r * hidden, dz,
                    dzOff + r * 4 * hidden);
        }
    }

    /** {@link #forward} for columns [j0, j1) of one row, whose blocks start at the given offsets. */
    static void forwardRow(int hidden, int j0, int j1, float[] gates, int gr, float[] xProj, int xr, float[] bias,
                           float[] cPrev, int cp, float[] c, int co, float[] h, int ho) {
        for (int j = j0; j < j1; j++) {
            float zi = gates[gr + j] + xProj[xr + j] + (bias == null ? 0 : bias[j]);
            float zf = gates[gr + hidden + j] + xProj[xr + hidden + j] + (bias == null ? 0 : bias[hidden + j]);
            float zg = gates[gr + 2 * hidden + j] + xProj[xr + 2 * hidden + j]
                    + (bias == null ? 0 : bias[2 * hidden + j]);
            float zo = gates[gr + 3 * hidden + j] + xProj[xr + 3 * hidden + j]
                    + (bias == null ? 0 : bias[3 * hidden + j]);
            float i = sigmoid(zi);
            float f = sigmoid(zf);
            float g = (float) Math.tanh(zg);
            float o = sigmoid(zo);
            gates[gr + j] = i;
            gates[gr + hidden + j] = f;
            gates[gr + 2 * hidden + j] = g;
            gates[gr + 3 * hidden + j] = o;
            float cv = f * cPrev[cp + j] + i * g;
            c[co + j] = cv;
            h[ho + j] = o * (float) Math.tanh(cv);
        }
    }

    /** {@link #backward} for columns [j0, j1) of one row, whose blocks start at the given offsets. */
    static void backwardRow(int hidden, int j0, int j1, float[] gates, int gr, float[] cPrev, int cp, float[] c,
                            int co, float[] gOut, int go, float[] dh, int dhOff, float[] dc, int dcOff, float[] dz,
                            int dr) {
        for (int j = j0; j < j1; j++) {
            float i = gates[gr + j];
            float f = gates[gr + hidden + j];
            float g = gates[gr + 2 * hidden + j];
            float o = gates[gr + 3 * hidden + j];
            float t = (float) Math.tanh(c[co + j]);
            float gh = gOut[go + j] + (dh == null ? 0 : dh[dhOff + j]);
            float gc = dc[dcOff + j] + gh * o * (1 - t * t);
            dz[dr + j] = gc * g * i * (1 - i);
            dz[dr + hidden + j] = gc * cPrev[cp + j] * f * (1 - f);
            dz[dr + 2 * hidden + j] = gc * i * (1 - g * g);
            dz[dr + 3 * hidden + j] = gh * t * o * (1 - o);
            dc[dcOff + j] = gc * f;
        }
    }

    static float sigmoid(float z) {
        return (float) (1 / (1 + Math.exp(-z)));
    }
}
