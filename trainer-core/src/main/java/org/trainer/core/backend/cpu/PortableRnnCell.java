package org.trainer.core.backend.cpu;

/** {@link RnnCellKernel} in plain Java: the reference, and the kernel without the Vector API. */
final class PortableRnnCell implements RnnCellKernel {
    @Override
    public void forward(int n, int hidden, boolean relu, float[] h, int hOff, float[] xProj, int xOff, float[] bias) {
        for (int r = 0; r < n; r++) {
            forwardRow(0, hidden, relu, h, hOff + r * hidden, xProj, xOff + r * hidden, bias);
        }
    }

    @Override
    public void backward(int size, boolean relu, float[] h, int hOff, float[] gOut, int goOff, float[] dh, int dOff,
                         float[] dz, int dzOff) {
        backwardRange(0, size, relu, h, hOff, gOut, goOff, dh, dOff, dz, dzOff);
    }

    /** {@link #forward} for columns [j0, j1) of the row at ho (h) and xo (xProj). */
    static void forwardRow(int j0, int j1, boolean relu, float[] h, int ho, float[] xProj, int xo, float[] bias) {
        for (int j = j0; j < j1; j++) {
            float z = h[ho + j] + xProj[xo + j] + (bias == null ? 0 : bias[j]);
            h[ho + j] = relu ? Math.max(0f, z) : (float) Math.tanh(z);
        }
    }

    /** {@link #backward} for elements [i0, i1) past the offsets. */
    static void backwardRange(int i0, int i1, boolean relu, float[] h, int hOff, float[] gOut, int goOff, float[] dh,
                              int dOff, float[] dz, int dzOff) {
        for (int i = i0; i < i1; i++) {
            float gh = gOut[goOff + i] + (dh == null ? 0 : dh[dOff + i]);
            float y = h[hOff + i];
            dz[dzOff + i] = relu ? (y > 0 ? gh : 0f) : gh * (1 - y * y);
        }
    }
}
