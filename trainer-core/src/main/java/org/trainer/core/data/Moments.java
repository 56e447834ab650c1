package org.trainer.core.data;

import java.util.Arrays;

import org.trainer.core.DType;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/**
 * Mean and population variance of a tensor over some axes, accumulated in float64 by two passes
 * over the data. Written as a loop rather than with tensor ops so that fitting on a whole
 * training set (Fashion-MNIST: 47 million values) needs no float64 copy of it, and constant
 * columns come out with variance exactly 0.
 */
final class Moments {
    /** Values copied to float64 at a time: large enough to amortise the copy call, small enough to stay in cache. */
    private static final int CHUNK = 4096;

    /** The input shape with the reduced axes set to 1. */
    final int[] keptShape;
    /** Per group (one per element of keptShape, row-major). */
    final double[] mean;
    final double[] var;

    private Moments(int[] keptShape, double[] mean, double[] var) {
        this.keptShape = keptShape;
        this.mean = mean;
        this.var = var;
    }

    static Moments of(Tensor x, int[] axes) {
        int[] shape = x.shape();
        boolean[] reduced = new boolean[shape.length];
        for (int axis : axes) {
            int a = Shapes.axis("Normalize.fit", axis, shape.length);
            if (reduced[a]) {
                throw new IllegalArgumentException("Normalize.fit: axis " + axis + " appears twice in "
                        + Arrays.toString(axes));
            }
            reduced[a] = true;
        }
        int[] kept = shape.clone();
        for (int a = 0; a < shape.length; a++) {
            if (reduced[a]) {
                kept[a] = 1;
            }
        }
        int groups = Shapes.numel(kept);
        int n = x.numel();
        if (n == 0) {
            throw new IllegalArgumentException("Normalize.fit: x of shape " + Shapes.str(shape)
                    + " is empty; expected at least one value per statistic");
        }
        long count = n / groups;
        // Each element's group index advances by groupStride[a] along axis a (0 along reduced axes).
        int[] keptStrides = Shapes.strides(kept);
        int[] groupStride = new int[shape.length];
        for (int a = 0; a < shape.length; a++) {
            groupStride[a] = reduced[a] ? 0 : keptStrides[a];
        }
        Rows rows = rows(x);
        double[] mean = new double[groups];
        accumulate(shape, groupStride, rows, null, mean);
        for (int g = 0; g < groups; g++) {
            mean[g] /= count;
        }
        double[] var = new double[groups];
        accumulate(shape, groupStride, rows, mean, var);
        for (int g = 0; g < groups; g++) {
            var[g] /= count;
        }
        return new Moments(kept, mean, var);
    }

    /**
     * Adds every value (when {@code mean} is null) or its squared deviation from its group's mean
     * into {@code out[group]}. Walks the innermost axis as rows, copied chunk by chunk to a float64
     * buffer, and the outer axes by an odometer, so the inner loop is a plain array loop whatever
     * the dtype.
     */
    private static void accumulate(int[] shape, int[] groupStride, Rows rows, double[] mean, double[] out) {
        int rank = shape.length;
        int width = shape[rank - 1];
        int step = groupStride[rank - 1];
        int rowCount = width == 0 ? 0 : Shapes.numel(shape) / width;
        double[] buffer = new double[Math.min(width, CHUNK)];
        int[] coord = new int[rank];
        int g = 0;
        for (int r = 0; r < rowCount; r++) {
            for (int k0 = 0; k0 < width; k0 += CHUNK) {
                int len = Math.min(CHUNK, width - k0);
                int from = r * width + k0;
                rows.copy(from, buffer, len);
                int g0 = g + k0 * step;
                if (mean == null) {
                    for (int k = 0; k < len; k++) {
                        double v = buffer[k];
                        if (!Double.isFinite(v)) {
                            throw new IllegalArgumentException("Normalize.fit: x holds " + v + " at index "
                                    + Arrays.toString(coordinates(from + k, shape)) + "; expected finite values");
                        }
                        out[g0 + k * step] += v;
                    }
                } else {
                    for (int k = 0; k < len; k++) {
                        double d = buffer[k] - mean[g0 + k * step];
                        out[g0 + k * step] += d * d;
                    }
                }
            }
            // advance the odometer over the axes before the last one
            for (int a = rank - 2; a >= 0; a--) {
                coord[a]++;
                g += groupStride[a];
                if (coord[a] < shape[a]) {
                    break;
                }
                g -= groupStride[a] * shape[a];
                coord[a] = 0;
            }
        }
    }

    /** Copies row-major runs of the tensor's values into a float64 buffer. */
    private interface Rows {
        void copy(int from, double[] buffer, int len);
    }

    private static Rows rows(Tensor x) {
        if (x.dtype() == DType.FLOAT64) {
            double[] d = x.toDoubleArray();
            return (from, buffer, len) -> System.arraycopy(d, from, buffer, 0, len);
        }
        if (x.dtype() == DType.INT32) {
            int[] v = x.toIntArray();
            return (from, buffer, len) -> {
                for (int k = 0; k < len; k++) {
                    buffer[k] = v[from + k];
                }
            };
        }
        float[] f = x.toFloatArray();
        return (from, buffer, len) -> {
            for (int k = 0; k < len; k++) {
                buffer[k] = f[from + k];
            }
        };
    }

    private static int[] coordinates(int flat, int[] shape) {
        int[] c = new int[shape.length];
        for (int a = shape.length - 1; a >= 0; a--) {
            c[a] = flat % shape[a];
            flat /= shape[a];
        }
        return c;
    }
}
