package org.trainer.core.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ConvRuns} whose folding adds with 256-bit vectors (8 floats, a whole output row of a 12x12
 * image convolved with a 5x5 kernel) and a scalar tail; copies stay {@code System.arraycopy}, which
 * measured faster than vector copies here. Loaded only through {@link CpuConv} after
 * {@link Sgemm#dotKernel()} has shown that the Vector API is present.
 */
final class VectorConvRuns extends ConvRuns {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final int L = S.length();

    /** Public so that {@link CpuConv} can create it reflectively. */
    public VectorConvRuns() {
    }

    @Override
    void add(float[] src, int s, float[] dst, int d, int n) {
        int j = 0;
        for (; j + L <= n; j += L) {
            FloatVector.fromArray(S, dst, d + j).add(FloatVector.fromArray(S, src, s + j)).intoArray(dst, d + j);
        }
        for (; j < n; j++) {
            dst[d + j] += src[s + j];
        }
    }
}
