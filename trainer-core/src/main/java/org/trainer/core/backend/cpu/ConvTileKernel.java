package org.trainer.core.backend.cpu;

/**
 * A register tile of a product whose left operand is gathered straight from an image instead of
 * unfolded into columns first: {@code out[i*nr() + j] = sum_{p < k} x[rows[i] + cols[colOff + p]] * b[bOff + p*nr() + j]}
 * for {@code i < mr()} and {@code j < nr()}. In a convolution the entries of the unfolded matrix
 * are {@code x[pixel base + tap offset]}: with i over taps, p over the pixels of a group of images
 * and b the output gradient, this is the weight gradient ({@link DirectConv}). Each element is
 * summed over p in order, so results do not depend on how the caller splits the work.
 */
interface ConvTileKernel {
    /** Rows of the tile (entries of {@code rows}). */
    int mr();

    /** Columns of the tile, the width of one row of the packed right operand. */
    int nr();

    /**
     * Overwrites {@code out[0 .. mr()*nr())} with the tile described in the type's Javadoc; every
     * index {@code rows[i] + cols[colOff + p]} must lie inside {@code x}.
     */
    void tile(int k, float[] x, int[] rows, int[] cols, int colOff, float[] b, int bOff, float[] out);
}
