package org.trainer.core.data;

import java.io.Closeable;
import java.io.IOException;

import org.trainer.core.DType;

/**
 * One pass over the records of a {@link RecordFormat}, one record at a time, in source order.
 * A record is a fixed number of float32 features (the product of {@link #featureShape()}) and a
 * fixed number of target values (the product of {@link #targetShape()}), the same for every record
 * of the pass. Class labels travel as floats holding exact integers (exact up to 2^24).
 *
 * <p>Malformed data is refused, never patched: {@link #read} throws an
 * {@link IllegalArgumentException} (a bad value) or an {@link IOException} (a damaged or truncated
 * file) whose message names the source, the 1-based record number and, for a value, the column.
 * One thread reads a reader.
 */
public interface RecordReader extends Closeable {

    /**
     * The shape of one record's features, e.g. [F] or [28, 28]: a batch's features are [B, ...this].
     *
     * @return the shape
     */
    int[] featureShape();

    /**
     * The shape of one record's target: [] for one value per record (a batch's targets are [B]), else [T, ...].
     *
     * @return the shape
     */
    int[] targetShape();

    /**
     * {@link DType#INT32} for class labels, {@link DType#FLOAT32} for real-valued targets.
     *
     * @return INT32 or FLOAT32
     */
    DType targetType();

    /**
     * The number of records this pass states before they are read (an IDX header), else -1. A
     * {@link StreamingLoader} given a count checks it here, before the first batch.
     */
    default long recordCount() {
        return -1;
    }

    /**
     * Reads the next record: its features into {@code features[featureOffset ...]} and its target
     * values into {@code targets[targetOffset ...]}.
     *
     * @param features receives the features
     * @param featureOffset where the features start
     * @param targets receives the target values (class labels as whole numbers)
     * @param targetOffset where the target values start
     * @return false, writing nothing, when the pass has no more records
     * @throws IOException if the source cannot be read or a record is malformed
     */
    boolean read(float[] features, int featureOffset, float[] targets, int targetOffset) throws IOException;
}
