package org.trainer.core.backend.cpu;

/**
 * A register tile of a direct convolution vectorised along the output pixels: {@link #mr()} output
 * channels by {@link #pixels()} consecutive output pixels of one image, summed over the taps r
 * (input channel and window position) of a row-shifted copy of the image ({@link WindowConv}), in
 * which tap r's input for output pixel p is {@code xs[taps[r] + p]}:
 * <pre>{@code
 * y[yOff + j*planeSize + p] = bias[o0 + j] + sum_{r < k} xs[taps[r] + p0 + p] * w[wOff + r*mr + j]
 * }</pre>
 * for {@code j < channels <= mr()} and {@code p < count <= pixels()} (y at pixel p0 + p of channel
 * o0 + j; bias 0 when null). Each element is summed over r in order, so results do not depend on
 * how the caller splits the work.
 */
interface ConvRowKernel {
    /** Output channels per tile. */
    int mr();

    /** Output pixels per tile. */
    int pixels();

    /**
     * Writes the tile described in the type's Javadoc; {@code xs} must hold {@link #pixels()} floats
     * from every {@code taps[r] + p0}, and {@code out} at least {@code mr()*pixels()} floats of scratch.
     */
    void tile(int k, float[] xs, int[] taps, int p0, float[] w, int wOff, float[] bias, int o0, int channels,
              int count, float[] y, int yOff, int planeSize, float[] out);

    /**
     * The adjoint tile, for the input gradient: with {@code t[j][p] = sum_{o < k} gy[offs[o] + p0 + p] * w[wOff + o*mr + j]}
     * (summed over o in order), adds {@code t[j][p]} to {@code xs[taps[r0 + j] + p0 + p]} for
     * j &lt; rows &lt;= mr() and p &lt; count &lt;= pixels(), j in order; {@code gy} must hold
     * {@link #pixels()} floats from every {@code offs[o] + p0}, and {@code out} at least
     * {@code mr()*pixels()} floats of scratch.
     */
    void tileAdjoint(int k, float[] gy, int[] offs, int p0, float[] w, int wOff, int r0, int rows, int count,
                     float[] xs, int[] taps, float[] out);
}
