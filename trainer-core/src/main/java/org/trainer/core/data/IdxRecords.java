package org.trainer.core.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.ZipException;

import org.trainer.core.DType;

/**
 * An IDX image file and its IDX label file (the format of MNIST and Fashion-MNIST, plain or
 * gzipped), streamed one image and label at a time, never loading either file whole: the streaming
 * counterpart of {@link IdxReader#readImages(Path, boolean)} and {@link IdxReader#readLabels(Path)},
 * giving the same values. Features are float32 [B, rows, cols, ...] (the image dimensions of the
 * header), each byte v as v / 255 when {@code scaleToUnit}, else v; targets are int32 class labels [B].
 *
 * <p>The record count N is the first size of the headers, known before the data is read, so a
 * {@link StreamingLoader} over this format knows its batches per epoch. The sources are read front
 * to back only, so named pipes and other one-shot streams serve (one pass each, or one per epoch
 * with {@link RecordSource#perEpoch(Path)}): {@link #recordCount()} reads the label header from the
 * stream that epoch 0 then reads on, and a loader given its count never asks. Malformed files are refused
 * with an {@link IOException} naming the file: bad magic, an unsupported type (only unsigned bytes,
 * 0x08), image and label counts that differ, a truncated image or label (naming the record), or
 * bytes after the last record.
 */
public final class IdxRecords implements RecordFormat {
    private static final int UNSIGNED_BYTE = 0x08;

    private final RecordSource images;
    private final RecordSource labels;
    private final boolean scaleToUnit;
    private long count = -1;
    private Headed pendingLabels;

    private IdxRecords(RecordSource images, RecordSource labels, boolean scaleToUnit) {
        this.images = Objects.requireNonNull(images, "images");
        this.labels = Objects.requireNonNull(labels, "labels");
        this.scaleToUnit = scaleToUnit;
    }

    /**
     * Images (rank at least 2: [N, rows, cols, ...]) and their labels ([N]).
     *
     * @param images the images file
     * @param labels the labels file
     * @param scaleToUnit whether to divide the pixels by 255
     * @return the format
     */
    public static IdxRecords of(RecordSource images, RecordSource labels, boolean scaleToUnit) {
        return new IdxRecords(images, labels, scaleToUnit);
    }

    /**
     * {@link #of(RecordSource, RecordSource, boolean)} over two files.
     *
     * @param images the images file
     * @param labels the labels file
     * @param scaleToUnit whether to divide the pixels by 255
     * @return the format
     */
    public static IdxRecords of(Path images, Path labels, boolean scaleToUnit) {
        return of(RecordSource.of(images), RecordSource.of(labels), scaleToUnit);
    }

    /**
     * The count in the label header of epoch 0. The header is read once, and the stream it came
     * from is kept for epoch 0's pass rather than closed, since a pipe or another one-shot stream
     * gives its bytes only once; the count is then remembered.
     */
    @Override
    public synchronized long recordCount() {
        if (count < 0) {
            try {
                Headed l = openHeaded(labels, 0, 1);
                checkLabelShape(l);
                pendingLabels = l;
                count = l.shape[0];
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
        return count;
    }

    @Override
    public RecordReader open() throws IOException {
        return open(0);
    }

    /** A pass over the images and labels of {@code epoch}, both opened and their headers checked. */
    @Override
    public RecordReader open(int epoch) throws IOException {
        Headed image = null;
        Headed label = null;
        try {
            image = openHeaded(images, epoch, 2);
            label = takePending(epoch);
            if (label == null) {
                label = openHeaded(labels, epoch, 1);
                checkLabelShape(label);
            }
            if (image.shape[0] != label.shape[0]) {
                throw new IOException(image.name + " holds " + image.shape[0] + " images but " + label.name
                        + " holds " + label.shape[0] + " labels; expected the same count");
            }
            return new Reader(image, label);
        } catch (IOException | RuntimeException e) {
            closeQuietly(image == null ? null : image.in, e);
            closeQuietly(label == null ? null : label.in, e);
            throw e;
        }
    }

    /** The label stream that {@link #recordCount()} read the header of, for epoch 0's pass only. */
    private synchronized Headed takePending(int epoch) {
        Headed l = epoch == 0 ? pendingLabels : null;
        if (l != null) {
            pendingLabels = null;
        }
        return l;
    }

    /** A source's stream for the epoch, past its header, with the shape the header states. */
    private record Headed(String name, InputStream in, int[] shape) {
    }

    private static Headed openHeaded(RecordSource source, int epoch, int minRank) throws IOException {
        InputStream in = SourceSequence.open(source, epoch);
        String name = source.name(epoch);
        try {
            return new Headed(name, in, header(name, in, minRank));
        } catch (IOException | RuntimeException e) {
            closeQuietly(in, e);
            throw e;
        }
    }

    private static void checkLabelShape(Headed label) throws IOException {
        if (label.shape.length != 1) {
            closeQuietly(label.in, null);
            throw new IOException(label.name + ": a label file has 1 dimension, got shape "
                    + Arrays.toString(label.shape));
        }
    }

    private static void closeQuietly(InputStream in, Exception failure) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                }
            }
        }
    }

    /** Reads and checks a header: magic 0x0000 08 d, then d big-endian sizes; returns the sizes. */
    private static int[] header(String name, InputStream in, int minRank) throws IOException {
        int magic = headerInt(name, in, "magic number");
        int type = (magic >>> 8) & 0xFF;
        int rank = magic & 0xFF;
        if ((magic >>> 16) != 0) {
            throw new IOException(name + ": bad magic number 0x" + String.format("%08x", magic)
                    + ": expected 0x0000TTDD (two zero bytes, a type byte and a dimension count)");
        }
        if (type != UNSIGNED_BYTE) {
            throw new IOException(name + ": unsupported IDX data type 0x" + String.format("%02x", type)
                    + ": expected 0x08 (unsigned byte)");
        }
        if (rank < minRank) {
            throw new IOException(name + ": " + rank + " dimensions, expected at least " + minRank);
        }
        int[] shape = new int[rank];
        long recordBytes = 1;
        for (int i = 0; i < rank; i++) {
            shape[i] = headerInt(name, in, "size of dimension " + i);
            if (shape[i] < 0) {
                throw new IOException(name + ": dimension " + i + " has negative size " + shape[i]);
            }
            if (i > 0) {
                recordBytes *= shape[i];
                if (recordBytes > Integer.MAX_VALUE - 8) {
                    throw new IOException(name + ": one record of shape "
                            + Arrays.toString(Arrays.copyOfRange(shape, 1, i + 1)) + "... is too large for an array");
                }
            }
        }
        return shape;
    }

    private static int headerInt(String name, InputStream in, String what) throws IOException {
        byte[] b = readBytes(name, in, 4, "the header");
        if (b.length < 4) {
            throw new IOException(name + ": truncated header: expected 4 bytes for the " + what + ", got "
                    + b.length);
        }
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    private static byte[] readBytes(String name, InputStream in, int n, String where) throws IOException {
        try {
            return in.readNBytes(n);
        } catch (ZipException | EOFException e) {
            throw new IOException(name + ": corrupt or truncated gzip stream in " + where + ": "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException(name + ": reading " + where + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "IdxRecords(" + images.name() + ", " + labels.name() + ", scaleToUnit " + scaleToUnit + ")";
    }

    private final class Reader implements RecordReader {
        private final Headed images;
        private final Headed labels;
        private final int[] imageShape;
        private final byte[] pixels;
        private final byte[] label = new byte[1];
        private final float scale = scaleToUnit ? 1f / 255f : 1f;
        private final long count;
        private long record;
        private boolean endChecked;

        Reader(Headed images, Headed labels) {
            this.images = images;
            this.labels = labels;
            this.imageShape = Arrays.copyOfRange(images.shape, 1, images.shape.length);
            this.pixels = new byte[Arrays.stream(imageShape).reduce(1, (a, b) -> a * b)];
            this.count = images.shape[0];
        }

        @Override
        public int[] featureShape() {
            return imageShape.clone();
        }

        @Override
        public int[] targetShape() {
            return new int[0];
        }

        @Override
        public DType targetType() {
            return DType.INT32;
        }

        @Override
        public long recordCount() {
            return count;
        }

        @Override
        public boolean read(float[] features, int featureOffset, float[] targets, int targetOffset) throws IOException {
            if (record == count) {
                if (!endChecked) {
                    endChecked = true;
                    checkEnd(images, "images");
                    checkEnd(labels, "labels");
                }
                return false;
            }
            record++;
            readRecord(images, pixels, 4L + 4L * (imageShape.length + 1));
            readRecord(labels, label, 8);
            for (int i = 0; i < pixels.length; i++) {
                features[featureOffset + i] = (pixels[i] & 0xFF) * scale;
            }
            targets[targetOffset] = label[0] & 0xFF;
            return true;
        }

        private void readRecord(Headed source, byte[] into, long headerBytes) throws IOException {
            int n;
            try {
                n = source.in.readNBytes(into, 0, into.length);
            } catch (ZipException | EOFException e) {
                throw new IOException(source.name + ": corrupt or truncated gzip stream in record " + record + ": "
                        + e.getMessage(), e);
            } catch (IOException e) {
                throw new IOException(source.name + ": reading record " + record + " failed: " + e.getMessage(), e);
            }
            if (n < into.length) {
                throw new IOException(source.name + ": " + IdxReader.cutShort(record, count,
                        headerBytes + (record - 1) * into.length + n, into.length, n));
            }
        }

        private void checkEnd(Headed source, String what) throws IOException {
            if (readBytes(source.name, source.in, 1, "the end of the data").length != 0) {
                throw new IOException(source.name + ": trailing bytes after the " + count + " " + what
                        + " its header declares");
            }
        }

        @Override
        public void close() throws IOException {
            try {
                images.in.close();
            } finally {
                labels.in.close();
            }
        }
    }
}
