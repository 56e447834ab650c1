package org.trainer.core.data;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipException;

import org.trainer.core.DType;
import org.trainer.core.Shapes;

/**
 * Fixed-size binary records of float32 values, streamed from one or more sources (plain or
 * gzipped, read in order as one sequence): each record is F feature values followed by T target
 * values, 4 x (F + T) bytes, little-endian by default (NumPy's {@code float32.tofile} on x86 and
 * ARM), with nothing between records and no header. A class target is one value holding a
 * non-negative integer.
 *
 * <p>Bad data is refused: a source whose length is not a whole number of records fails with an
 * {@link IOException} naming the source, the truncated record (1-based) and the bytes expected and
 * found, and a failing read (a damaged gzip stream, an I/O error) with one naming the source and
 * the record being read; a NaN or infinite value, or a class label that is not a non-negative
 * integer, fails with an {@link IllegalArgumentException} naming the source, the record and the
 * value's column (1-based, features first, then targets).
 *
 * <p>Instances are immutable; {@code with...} methods return modified copies.
 */
public final class BinaryRecords implements RecordFormat {
    private final List<RecordSource> sources;
    private final int[] featureShape;
    private final int targetCount;
    private final boolean classes;
    private final ByteOrder order;

    private BinaryRecords(List<RecordSource> sources, int[] featureShape, int targetCount, boolean classes,
                          ByteOrder order) {
        this.sources = sources;
        this.featureShape = featureShape;
        this.targetCount = targetCount;
        this.classes = classes;
        this.order = order;
    }

    /**
     * Records of {@code featureCount} features and one class label (int32 targets [B]).
     *
     * @param featureCount float32 features per record
     * @param sources the sources, read in order
     * @return the format
     */
    public static BinaryRecords classes(int featureCount, RecordSource... sources) {
        return new BinaryRecords(SourceSequence.checked(sources), new int[] {checkFeatures(featureCount)}, 1, true,
                ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * {@link #classes(int, RecordSource...)} over files.
     *
     * @param featureCount float32 features per record
     * @param files the files, read in order
     * @return the format
     */
    public static BinaryRecords classes(int featureCount, Path... files) {
        return classes(featureCount, SourceSequence.files(files));
    }

    /**
     * Records of {@code featureCount} features and {@code targetCount} real-valued targets (float32
     * targets [B] when targetCount is 1, else [B, targetCount]).
     *
     * @param featureCount float32 features per record
     * @param targetCount float32 targets per record
     * @param sources the sources, read in order
     * @return the format
     */
    public static BinaryRecords regression(int featureCount, int targetCount, RecordSource... sources) {
        if (targetCount < 1) {
            throw new IllegalArgumentException("BinaryRecords: targetCount must be >= 1, got " + targetCount);
        }
        return new BinaryRecords(SourceSequence.checked(sources), new int[] {checkFeatures(featureCount)}, targetCount,
                false, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * {@link #regression(int, int, RecordSource...)} over files.
     *
     * @param featureCount float32 features per record
     * @param targetCount float32 targets per record
     * @param files the files, read in order
     * @return the format
     */
    public static BinaryRecords regression(int featureCount, int targetCount, Path... files) {
        return regression(featureCount, targetCount, SourceSequence.files(files));
    }

    /**
     * The shape of one record's features, e.g. [1, 28, 28] for images stored row-major; its
     * product must equal the feature count.
     *
     * @param shape the shape of one record's features
     * @return the changed format
     */
    public BinaryRecords withFeatureShape(int... shape) {
        int[] s = Shapes.check("BinaryRecords.withFeatureShape", shape);
        if (Shapes.numel(s) != featureCount()) {
            throw new IllegalArgumentException("BinaryRecords: feature shape " + Shapes.str(s) + " holds "
                    + Shapes.numel(s) + " values, expected " + featureCount() + " (the feature count)");
        }
        return new BinaryRecords(sources, s, targetCount, classes, order);
    }

    /**
     * The byte order of the values, little-endian by default.
     *
     * @param order the byte order
     * @return the changed format
     */
    public BinaryRecords withByteOrder(ByteOrder order) {
        if (order == null) {
            throw new IllegalArgumentException("BinaryRecords: byte order must be BIG_ENDIAN or LITTLE_ENDIAN, got null");
        }
        return new BinaryRecords(sources, featureShape, targetCount, classes, order);
    }

    /**
     * Bytes per record: 4 x (features + targets).
     *
     * @return the bytes per record
     */
    public int recordBytes() {
        return 4 * (featureCount() + targetCount);
    }

    private int featureCount() {
        return Shapes.numel(featureShape);
    }

    private static int checkFeatures(int featureCount) {
        if (featureCount < 1 || featureCount > (Integer.MAX_VALUE - 16) / 4 - 1) {
            throw new IllegalArgumentException("BinaryRecords: featureCount must be from 1 to "
                    + ((Integer.MAX_VALUE - 16) / 4 - 1) + ", got " + featureCount);
        }
        return featureCount;
    }

    @Override
    public RecordReader open() throws IOException {
        return open(0);
    }

    /** A pass over the sources' bytes of {@code epoch}; the first source opens at the first read. */
    @Override
    public RecordReader open(int epoch) throws IOException {
        return new Reader(epoch);
    }

    @Override
    public String toString() {
        return "BinaryRecords(" + SourceSequence.describe(sources) + ", features " + Shapes.str(featureShape) + ", "
                + targetCount + (classes ? " class label" : " float targets") + ", " + order + ")";
    }

    private final class Reader implements RecordReader {
        private final SourceSequence files;
        private final byte[] bytes = new byte[recordBytes()];
        private final FloatBuffer values = ByteBuffer.wrap(bytes).order(order).asFloatBuffer();
        private final int features = featureCount();
        private boolean open;
        private boolean ended;
        private long record;

        Reader(int epoch) {
            this.files = new SourceSequence(sources, epoch);
        }

        @Override
        public int[] featureShape() {
            return featureShape.clone();
        }

        @Override
        public int[] targetShape() {
            return targetCount == 1 ? new int[0] : new int[] {targetCount};
        }

        @Override
        public DType targetType() {
            return classes ? DType.INT32 : DType.FLOAT32;
        }

        @Override
        public boolean read(float[] x, int featureOffset, float[] y, int targetOffset) throws IOException {
            while (!ended) {
                if (!open) {
                    if (!files.advance()) {
                        ended = true;
                        return false;
                    }
                    open = true;
                    record = 0;
                }
                int n = readFully();
                if (n == 0) {
                    open = false;
                    continue;
                }
                record++;
                if (n < bytes.length) {
                    throw new IOException(files.name() + ": record " + record + " is truncated: expected "
                            + bytes.length + " bytes (" + features + " features and " + targetCount
                            + " targets of 4 bytes), got " + n + " before the end of the data");
                }
                values.get(0, x, featureOffset, features);
                values.get(features, y, targetOffset, targetCount);
                check(x, featureOffset, y, targetOffset);
                return true;
            }
            return false;
        }

        private int readFully() throws IOException {
            try {
                return files.stream().readNBytes(bytes, 0, bytes.length);
            } catch (ZipException | EOFException e) {
                throw new IOException(files.name() + ": corrupt or truncated gzip stream in record " + (record + 1)
                        + ": " + e.getMessage(), e);
            } catch (IOException e) {
                throw new IOException(files.name() + ": reading record " + (record + 1) + " failed: " + e.getMessage(),
                        e);
            }
        }

        private void check(float[] x, int featureOffset, float[] y, int targetOffset) {
            for (int i = 0; i < features; i++) {
                if (!Float.isFinite(x[featureOffset + i])) {
                    throw valueError(i, x[featureOffset + i] + " is not finite; NaN and infinity are refused");
                }
            }
            for (int i = 0; i < targetCount; i++) {
                float v = y[targetOffset + i];
                if (!Float.isFinite(v)) {
                    throw valueError(features + i, v + " is not finite; NaN and infinity are refused");
                }
                if (classes && (v < 0 || v != Math.rint(v) || v > 1 << 24)) {
                    throw valueError(features + i, "class label " + v + " is not an integer from 0 to " + (1 << 24));
                }
            }
        }

        private IllegalArgumentException valueError(int column, String what) {
            String role = column < features ? "feature " + (column + 1) : "target " + (column - features + 1);
            return new IllegalArgumentException(files.name() + ": record " + record + ", column " + (column + 1)
                    + " (" + role + "): " + what);
        }

        @Override
        public void close() throws IOException {
            files.close();
        }
    }
}
