package org.trainer.core.data;

import java.util.Arrays;
import java.util.Objects;

import org.trainer.core.DType;
import org.trainer.core.Tensor;

/**
 * Checks a dataset once, at the boundary, before any training: bad data is refused with the sample
 * and the feature named, never patched and never left to surface as a NaN loss hours later. The
 * readers check their files as they read them ({@link CsvReader} names the line and column,
 * {@link IdxReader} the file and the cut-short record); these checks are for data built in memory
 * or read by other means, and for the class count that only the caller knows.
 *
 * <p>Each check reads the whole dataset once (a copy of its values) and returns it unchanged.
 */
public final class DataChecks {
    private DataChecks() {
    }

    /**
     * A classification dataset: every feature finite, targets int32 [N] with every label in
     * [0, numClasses).
     *
     * @param source names the data in messages (a file name, "train", ...)
     * @param data the dataset to check
     * @param numClasses the number of classes
     * @return {@code data}
     * @throws IllegalArgumentException naming the source, the sample and the feature (or the label
     *     and the classes expected)
     */
    public static TensorDataset classification(String source, TensorDataset data, int numClasses) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(data, "data");
        if (numClasses < 1) {
            throw new IllegalArgumentException("DataChecks.classification: numClasses must be >= 1, got " + numClasses);
        }
        Tensor y = data.targets();
        if (y.dtype() != DType.INT32 || y.rank() != 1) {
            throw new IllegalArgumentException(source + ": targets are " + y.dtype() + " " + Arrays.toString(y.shape())
                    + ", expected INT32 class labels [" + data.size() + "]");
        }
        finite(source, "feature", data.features());
        int[] labels = y.toIntArray();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException(source + ": sample " + i + ": label " + labels[i] + " is not one of the "
                        + numClasses + " classes (expected 0 to " + (numClasses - 1) + ")");
            }
        }
        return data;
    }

    /**
     * A regression dataset: every feature and every target finite.
     *
     * @param source names the data in messages
     * @param data the dataset to check
     * @return {@code data}
     * @throws IllegalArgumentException naming the source, the sample and the feature or target
     */
    public static TensorDataset regression(String source, TensorDataset data) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(data, "data");
        finite(source, "feature", data.features());
        finite(source, "target", data.targets());
        return data;
    }

    /**
     * Refuses the first NaN or infinite value of [N, ...] {@code t}, naming its sample and position;
     * integer tensors pass.
     *
     * @param source the name for the message, e.g. the dataset's or the caller's ("Smote")
     * @param what   what the values are, e.g. "feature" or "target"
     * @param t the values to check
     */
    public static void finite(String source, String what, Tensor t) {
        if (!t.dtype().isFloating()) {
            return; // integers are always finite
        }
        int n = t.size(0);
        int per = n == 0 ? 1 : t.numel() / n;
        int bad = -1;
        double value = 0;
        if (t.dtype() == DType.FLOAT64) {
            double[] v = t.toDoubleArray();
            for (int i = 0; i < v.length && bad < 0; i++) {
                bad = Double.isFinite(v[i]) ? -1 : i;
            }
            value = bad < 0 ? 0 : v[bad];
        } else {
            float[] v = t.toFloatArray();
            for (int i = 0; i < v.length && bad < 0; i++) {
                bad = Float.isFinite(v[i]) ? -1 : i;
            }
            value = bad < 0 ? 0 : v[bad];
        }
        if (bad >= 0) {
            throw new IllegalArgumentException(source + ": sample " + bad / per + ", " + what
                    + position(t.shape(), bad % per) + ": " + value + "; NaN and infinity are refused");
        }
    }

    /** " 5" for a flat feature axis, " [0, 3, 4]" for [N, C, H, W], "" for one value per sample. */
    private static String position(int[] shape, int offset) {
        if (shape.length == 1) {
            return "";
        }
        if (shape.length == 2) {
            return " " + offset;
        }
        int[] index = new int[shape.length - 1];
        for (int a = shape.length - 1; a >= 1; a--) {
            index[a - 1] = offset % shape[a];
            offset /= shape[a];
        }
        return " " + Arrays.toString(index);
    }
}
