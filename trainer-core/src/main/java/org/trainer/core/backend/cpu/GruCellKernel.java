package org.trainer.core.backend.cpu;

/**
 * One GRU step's pointwise work on float32 rows, forward and backward, each in one pass over
 * memory. Gate blocks are laid out as PyTorch's, r, z, n, each {@code hidden} wide, in rows of
 * 3 * hidden. {@link PortableGruCell} is the reference; {@code VectorGruCell} computes the same with
 * the Vector API (its tanh may differ from the scalar one in the last bits).
 */
interface GruCellKernel {
    /**
     * For rows r in [0, n), with hp = gates[r] (h' W_hh^T on entry) plus bias (null counts as zero)
     * and x = xProj[r]:
     * <pre>
     *   r = sigmoid(x_r + hp_r),  z = sigmoid(x_z + hp_z),  n = tanh(x_n + r hp_n)
     *   h = n + z (h' - n)
     * </pre>
     * r, z and n overwrite gates[r], hp_n is written to hn[r] and h to h[r].
     */
    void forward(int n, int hidden, float[] gates, int gOff, float[] xProj, int xOff, float[] bias, float[] hPrev,
                 int hpOff, float[] hn, int hnOff, float[] h, int hOff);

    /**
     * The backward of {@link #forward} for rows r in [0, n), from the gates, hn and h': with
     * gh = gOut[r] + dh[r] (dh counts as zero unless {@code withDh}),
     * <pre>
     *   dn = gh (1 - z) (1 - n^2),  dz = gh (h' - n) z (1 - z),  dr = dn hp_n r (1 - r)
     *   dx = [dr, dz, dn],  dhp = [dr, dz, dn r],  dh = gh z
     * </pre>
     * writes dx (the gradient of xProj) into dx[r], dhp (that of h' W_hh^T + b_hh) into dhp[r] and
     * gh z (the direct part of the gradient of h') over dh[r]; dh starts at dOff.
     */
    void backward(int n, int hidden, float[] gates, int gOff, float[] hn, int hnOff, float[] hPrev, int hpOff,
                  float[] gOut, int goOff, float[] dh, int dOff, boolean withDh, float[] dx, float[] dhp, int dzOff);
}
