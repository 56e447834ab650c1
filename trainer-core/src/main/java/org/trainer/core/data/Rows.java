package org.trainer.core.data;

import java.util.Arrays;

import org.trainer.core.DType;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;

/** Splits a batch tensor [B, ...] into its samples and stacks samples back, in host arrays. */
final class Rows {
    private Rows() {
    }

    /** The B samples of {@code batch}, each of shape batch.shape[1..], as independent copies. */
    static Tensor[] split(Tensor batch) {
        int b = batch.size(0);
        int[] rowShape = Arrays.copyOfRange(batch.shape(), 1, batch.rank());
        int width = Shapes.numel(rowShape);
        Tensor[] rows = new Tensor[b];
        switch (batch.dtype()) {
            case FLOAT32 -> {
                float[] v = batch.toFloatArray();
                for (int i = 0; i < b; i++) {
                    rows[i] = Tensor.fromArray(Arrays.copyOfRange(v, i * width, (i + 1) * width), rowShape);
                }
            }
            case FLOAT64 -> {
                double[] v = batch.toDoubleArray();
                for (int i = 0; i < b; i++) {
                    rows[i] = Tensor.fromArray(Arrays.copyOfRange(v, i * width, (i + 1) * width), rowShape);
                }
            }
            case INT32 -> {
                int[] v = batch.toIntArray();
                for (int i = 0; i < b; i++) {
                    rows[i] = Tensor.fromArray(Arrays.copyOfRange(v, i * width, (i + 1) * width), rowShape);
                }
            }
        }
        return rows;
    }

    /**
     * The samples stacked along a new axis 0, in the dtype of the first.
     *
     * @param firstPosition the epoch position of rows[0], for the error message
     * @throws IllegalArgumentException if the samples' shapes differ
     */
    static Tensor stack(Tensor[] rows, long firstPosition) {
        int[] shape = rows[0].shape();
        DType dtype = rows[0].dtype();
        for (int i = 1; i < rows.length; i++) {
            if (!Arrays.equals(shape, rows[i].shape())) {
                throw new IllegalArgumentException("DataLoader augmentation: the sample at epoch position "
                        + (firstPosition + i) + " came out of the transforms with shape " + Shapes.str(rows[i].shape())
                        + " but the first sample of its batch (position " + firstPosition + ") with "
                        + Shapes.str(shape) + "; a batch needs one shape (end the transforms with a fixed-size"
                        + " crop or length)");
            }
        }
        int width = Shapes.numel(shape);
        int[] out = new int[shape.length + 1];
        out[0] = rows.length;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return switch (dtype) {
            case FLOAT32 -> {
                float[] v = new float[rows.length * width];
                for (int i = 0; i < rows.length; i++) {
                    System.arraycopy(rows[i].to(dtype).toFloatArray(), 0, v, i * width, width);
                }
                yield Tensor.fromArray(v, out);
            }
            case FLOAT64 -> {
                double[] v = new double[rows.length * width];
                for (int i = 0; i < rows.length; i++) {
                    System.arraycopy(rows[i].to(dtype).toDoubleArray(), 0, v, i * width, width);
                }
                yield Tensor.fromArray(v, out);
            }
            case INT32 -> {
                int[] v = new int[rows.length * width];
                for (int i = 0; i < rows.length; i++) {
                    System.arraycopy(rows[i].to(dtype).toIntArray(), 0, v, i * width, width);
                }
                yield Tensor.fromArray(v, out);
            }
        };
    }
}
