package org.trainer.cuda;

/**
 * The block shape of the layer-norm kernels (norm.cu), which give each row one block: whole warps,
 * since the blocks reduce through warp shuffles, and no more threads than the row has elements
 * (up to {@link #MAX_THREADS}), so that a short row does not leave most of a block idle.
 */
final class LayerNormLaunch {
    /** norm.cu's MAX_THREADS: the shared memory of a block holds one slot per warp of this many threads. */
    static final int MAX_THREADS = 256;
    static final int WARP = 32;

    private LayerNormLaunch() {
    }

    /**
     * Threads per row block for rows of n elements: n rounded up to a multiple of 32, between 32 and
     * {@link #MAX_THREADS}.
     *
     * @throws IllegalArgumentException if n &lt; 1
     */
    static int threads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("layer norm launch: row length n must be >= 1, got " + n);
        }
        long rounded = ((long) n + WARP - 1) / WARP * WARP;
        return (int) Math.min(MAX_THREADS, rounded);
    }
}
