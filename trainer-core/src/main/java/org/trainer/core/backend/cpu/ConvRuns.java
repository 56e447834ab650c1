package org.trainer.core.backend.cpu;

/**
 * The unit-stride inner loops of unfolding an image into columns and folding columns back. Their
 * runs are one output row long (often 8 to 24 floats), too short for HotSpot's auto-vectoriser, so
 * {@link CpuConv} uses {@code VectorConvRuns} when the Vector API kernels are in use, and this
 * plain-Java version otherwise.
 */
class ConvRuns {
    /** dst[d + j] = src[s + j] for j in [0, n). */
    void copy(float[] src, int s, float[] dst, int d, int n) {
        System.arraycopy(src, s, dst, d, n);
    }

    /** dst[d + j] += src[s + j] for j in [0, n). */
    void add(float[] src, int s, float[] dst, int d, int n) {
        for (int j = 0; j < n; j++) {
            dst[d + j] += src[s + j];
        }
    }
}
