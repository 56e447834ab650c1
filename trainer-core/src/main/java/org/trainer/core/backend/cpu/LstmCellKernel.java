package org.trainer.core.backend.cpu;

/**
 * One LSTM step's pointwise work on float32 rows, forward and backward, each in one pass over
 * memory. Gate blocks are laid out as PyTorch's, i, f, g, o, each {@code hidden} wide, in rows of
 * 4 * hidden. {@link PortableLstmCell} is the reference; {@code VectorLstmCell} computes the same
 * with the Vector API (its exp and tanh may differ from the scalar ones in the last bit).
 */
interface LstmCellKernel {
    /**
     * For rows r in [0, n): z = gates[r] + xProj[r] + bias (bias null counts as zero), then
     * i = sigmoid(z_i), f = sigmoid(z_f), g = tanh(z_g), o = sigmoid(z_o) overwrite gates[r],
     * c[r] = f cPrev[r] + i g and h[r] = o tanh(c[r]).
     */
    void forward(int n, int hidden, float[] gates, int gOff, float[] xProj, int xOff, float[] bias, float[] cPrev,
                 int cpOff, float[] c, int cOff, float[] h, int hOff);

    /**
     * The backward of {@link #forward} for rows r in [0, n), from the activated gates, cPrev and c:
     * with gh = gOut[r] + dh[r] (dh null counts as zero), gc = dc[r] and t = tanh(c[r]),
     * <pre>
     *   gc' = gc + gh o (1 - t^2)
     *   dz_i = gc' g i (1 - i),  dz_f = gc' cPrev f (1 - f),  dz_g = gc' i (1 - g^2),  dz_o = gh t o (1 - o)
     * </pre>
     * writes dz into dz[r] and gc' f (the gradient of cPrev) over dc[r]; dh and dc start at dOff.
     */
    void backward(int n, int hidden, float[] gates, int gOff, float[] cPrev, int cpOff, float[] c, int cOff,
                  float[] gOut, int goOff, float[] dh, float[] dc, int dOff, float[] dz, int dzOff);
}
