package org.trainer.core.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipException;

import org.trainer.core.DType;
import org.trainer.core.Shapes;
import org.trainer.core.Tensor;
import org.trainer.core.backend.Backend;
import org.trainer.core.backend.Backends;
import org.trainer.core.backend.Storage;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, plain or gzipped (detected by the gzip
 * magic bytes 1f 8b, not by the file name).
 *
 * <p>Layout: a magic number 0x00 0x00 0x08 d (unsigned bytes, d dimensions), then d big-endian
 * int32 sizes, then size0 x ... x size(d-1) data bytes in row-major order, and nothing after. Only
 * the unsigned-byte type (0x08) is read, as every MNIST-family file uses it.
 *
 * <p>Every malformed file is refused with an {@link IOException} whose message starts with the
 * file and says what is wrong: bad magic, unsupported type, truncated header or data (with the
 * byte counts expected and found), corrupt gzip, or trailing bytes.
 */
public final class IdxReader {
    private static final int UNSIGNED_BYTE = 0x08;

    private IdxReader() {
    }

    /** Bytes decoded per step: the data goes from the stream into the tensor's storage through this window. */
    private static final int CHUNK = 1 << 16;

    /**
     * The file as a float32 tensor of the shape in its header, e.g. [60000, 28, 28]: each byte v
     * becomes v / 255 (in [0, 1]) when {@code scaleToUnit}, else v (in [0, 255]). The bytes are
     * decoded straight into the tensor's storage, so the heap holds the tensor and a small window,
     * never the file's bytes and a second copy besides. A named pipe reads as well as a file.
     */
    public static Tensor readImages(Path file, boolean scaleToUnit) throws IOException {
        return read(file, DType.FLOAT32, scaleToUnit ? 1f / 255f : 1f);
    }

    /**
     * The file as an int32 tensor of the shape in its header, e.g. labels [60000] with values 0 to 255.
     *
     * @param file an IDX file of unsigned bytes, gzipped or not
     * @return the labels
     * @throws IOException if the file cannot be read or is not a valid IDX file of unsigned bytes
     */
    public static Tensor readLabels(Path file) throws IOException {
        return read(file, DType.INT32, 1f);
    }

    private static Tensor read(Path file, DType dtype, float scale) throws IOException {
        try (InputStream in = Gzip.maybeDecompress(FileStreams.open(file))) {
            int[] shape = header(file, in);
            // Allocated outside any MemoryScope: a dataset outlives the step that loads it.
            Storage storage = Backends.cpu().allocate(dtype, Shapes.numel(shape));
            decode(file, in, shape, storage, scale);
            Tensor t = Tensor.wrap(storage, shape);
            if (in.read() != -1) {
                throw new IOException(file + ": trailing bytes after the " + Shapes.numel(shape)
                        + " data bytes of shape " + Arrays.toString(shape) + ": the header does not describe this file");
            }
            return t;
        } catch (ZipException | EOFException e) {
            // A truncated or damaged gzip member surfaces from the inflater, whatever field was being read.
            throw new IOException(file + ": corrupt or truncated gzip stream: " + e.getMessage(), e);
        }
    }

    private static int[] header(Path file, InputStream in) throws IOException {
        int magic = readHeaderInt(file, in, "magic number");
        int type = (magic >>> 8) & 0xFF;
        int rank = magic & 0xFF;
        if ((magic >>> 16) != 0) {
            throw new IOException(file + ": bad magic number 0x" + hex(magic) + ": expected 0x0000TTDD (an IDX file"
                    + " starts with two zero bytes, a type byte and a dimension count)");
        }
        if (type != UNSIGNED_BYTE) {
            throw new IOException(file + ": unsupported IDX data type 0x" + String.format("%02x", type)
                    + " in magic 0x" + hex(magic) + ": expected 0x08 (unsigned byte)");
        }
        if (rank == 0) {
            throw new IOException(file + ": magic 0x" + hex(magic) + " declares 0 dimensions: expected at least 1");
        }
        int[] shape = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++) {
            shape[i] = readHeaderInt(file, in, "size of dimension " + i);
            if (shape[i] < 0) {
                throw new IOException(file + ": dimension " + i + " has negative size " + shape[i]);
            }
            total *= shape[i];
            if (total > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": shape " + Arrays.toString(Arrays.copyOf(shape, i + 1))
                        + "... has more than " + (Integer.MAX_VALUE - 8) + " elements, too many for one tensor");
            }
        }
        return shape;
    }

    /**
     * Reads the data bytes into {@code out} (float32: v x scale; int32: v), a window at a time,
     * copying each window into place with the backend's strided copy.
     */
    private static void decode(Path file, InputStream in, int[] shape, Storage out, float scale) throws IOException {
        int size = out.size();
        Backend backend = out.backend();
        byte[] bytes = new byte[Math.max(1, Math.min(CHUNK, size))];
        boolean floats = out.dtype() == DType.FLOAT32;
        float[] f = floats ? new float[bytes.length] : null;
        int[] ints = floats ? null : new int[bytes.length];
        Storage window = backend.allocate(out.dtype(), bytes.length);
        int[] unit = {1};
        for (int at = 0; at < size; ) {
            int want = Math.min(bytes.length, size - at);
            int n = in.readNBytes(bytes, 0, want);
            if (n < want) {
                long got = (long) at + n;
                long perRecord = size / shape[0];
                throw new IOException(file + ": " + cutShort(got / perRecord + 1, shape[0],
                        4L + 4L * shape.length + got, perRecord, got % perRecord) + "; shape " + Arrays.toString(shape));
            }
            for (int k = 0; k < n; k++) {
                if (floats) {
                    f[k] = (bytes[k] & 0xFF) * scale;
                } else {
                    ints[k] = bytes[k] & 0xFF;
                }
            }
            backend.write(window, floats ? FloatBuffer.wrap(f) : IntBuffer.wrap(ints));
            backend.copy(window, 0, unit, out, at, unit, new int[] {n});
            at += n;
        }
    }

    /**
     * The one wording of a truncated IDX file, shared by this reader and the streaming
     * {@link IdxRecords}: "truncated: record 10 of 10 is cut short at byte 7850 (it needs 784 bytes,
     * got 6)". Records count from 1; the byte is the offset of the end of the (decompressed) file.
     */
    static String cutShort(long record, long count, long atByte, long needs, long got) {
        return "truncated: record " + record + " of " + count + " is cut short at byte " + atByte + " (it needs "
                + needs + " bytes, got " + got + ")";
    }

    private static int readHeaderInt(Path file, InputStream in, String what) throws IOException {
        byte[] b = in.readNBytes(4);
        if (b.length < 4) {
            throw new IOException(file + ": truncated header: expected 4 bytes for the " + what + ", got " + b.length);
        }
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    private static String hex(int v) {
        return String.format("%08x", v);
    }
}
