package org.trainer.core.backend.cpu;

/**
 * One Elman RNN step's pointwise work on float32 rows, forward and backward, each in one pass over
 * memory. {@link PortableRnnCell} is the reference; {@code VectorRnnCell} computes the same with
 * the Vector API (its tanh may differ from the scalar one in the last bits).
 */
interface RnnCellKernel {
    /**
     * For rows r in [0, n): h[r] = act(h[r] + xProj[r] + bias), act tanh or (relu) max(0, .), where
     * h[r] holds h' W_hh^T on entry and bias null counts as zero.
     */
    void forward(int n, int hidden, boolean relu, float[] h, int hOff, float[] xProj, int xOff, float[] bias);

    /**
     * The backward of {@link #forward} for the n * hidden elements from the given offsets: with
     * gh = gOut + dh (dh null counts as zero), dz = gh (1 - h^2) (tanh) or gh [h &gt; 0] (relu).
     */
    void backward(int size, boolean relu, float[] h, int hOff, float[] gOut, int goOff, float[] dh, int dOff,
                  float[] dz, int dzOff);
}
