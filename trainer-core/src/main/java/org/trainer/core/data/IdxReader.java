package org.trainer.core.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipException;

import org.trainer.core.Tensor;

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

    /**
     * The file as a float32 tensor of the shape in its header, e.g. [60000, 28, 28]: each byte v
     * becomes v / 255 (in [0, 1]) when {@code scaleToUnit}, else v (in [0, 255]).
     */
    public static Tensor readImages(Path file, boolean scaleToUnit) throws IOException {
        Raw raw = read(file);
        float scale = scaleToUnit ? 1f / 255f : 1f;
        float[] v = new float[raw.data.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (raw.data[i] & 0xFF) * scale;
        }
        return Tensor.fromArray(v, raw.shape);
    }

    /** The file as an int32 tensor of the shape in its header, e.g. labels [60000] with values 0 to 255. */
    public static Tensor readLabels(Path file) throws IOException {
        Raw raw = read(file);
        int[] v = new int[raw.data.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = raw.data[i] & 0xFF;
        }
        return Tensor.fromArray(v, raw.shape);
    }

    private record Raw(int[] shape, byte[] data) {
    }

    private static Raw read(Path file) throws IOException {
        try (InputStream in = Gzip.maybeDecompress(FileStreams.open(file))) {
            return read(file, new DataInputStream(in));
        } catch (ZipException | EOFException e) {
            // A truncated or damaged gzip member surfaces from the inflater, whatever field was being read.
            throw new IOException(file + ": corrupt or truncated gzip stream: " + e.getMessage(), e);
        }
    }

    private static Raw read(Path file, DataInputStream in) throws IOException {
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
        byte[] data = in.readNBytes((int) total);
        if (data.length < total) {
            long perRecord = total / shape[0];
            throw new IOException(file + ": " + cutShort(data.length / perRecord + 1, shape[0],
                    4L + 4L * rank + data.length, perRecord, data.length % perRecord) + "; shape "
                    + Arrays.toString(shape));
        }
        if (in.read() != -1) {
            throw new IOException(file + ": trailing bytes after the " + total + " data bytes of shape "
                    + Arrays.toString(shape) + ": the header does not describe this file");
        }
        return new Raw(shape, data);
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

    private static int readHeaderInt(Path file, DataInputStream in, String what) throws IOException {
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
