package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.core.data.IdxFiles.idx;
import static org.trainer.core.data.IdxFiles.pattern;
import static org.trainer.core.data.IdxFiles.write;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.trainer.core.DType;
import org.trainer.core.Tensor;

class IdxReaderTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readsImagesRawAndScaledPlainOrGzipped(boolean gzip) throws IOException {
        byte[] data = pattern(2 * 3 * 4);
        Path f = write(dir.resolve("images"), idx(new int[] {2, 3, 4}, data), gzip);
        Tensor raw = IdxReader.readImages(f, false);
        Tensor scaled = IdxReader.readImages(f, true);
        assertArrayEquals(new int[] {2, 3, 4}, raw.shape());
        assertEquals(DType.FLOAT32, raw.dtype());
        float[] r = raw.toFloatArray();
        float[] s = scaled.toFloatArray();
        for (int i = 0; i < data.length; i++) {
            assertEquals(data[i] & 0xFF, r[i], "unsigned byte " + i);
            assertEquals((data[i] & 0xFF) / 255f, s[i], 1e-7, "scaled byte " + i);
        }
    }

    @Test
    void fullByteRangeMapsToZeroAndOne() throws IOException {
        Path f = write(dir.resolve("ends"), idx(new int[] {2}, new byte[] {0, (byte) 255}), false);
        assertArrayEquals(new float[] {0, 1}, IdxReader.readImages(f, true).toFloatArray());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readsLabelsAsInt32(boolean gzip) throws IOException {
        Path f = write(dir.resolve("labels.gz"), idx(new int[] {4}, new byte[] {9, 0, (byte) 200, 3}), gzip);
        Tensor y = IdxReader.readLabels(f);
        assertEquals(DType.INT32, y.dtype());
        assertArrayEquals(new int[] {9, 0, 200, 3}, y.toIntArray());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void truncatedDataNamesFileAndByteCounts(boolean gzip) throws IOException {
        byte[] full = idx(new int[] {3, 2, 2}, pattern(12));
        Path f = write(dir.resolve("train-images-idx3-ubyte"), Arrays.copyOf(full, full.length - 7), gzip);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(f, true));
        assertEquals(f + ": truncated: record 2 of 3 is cut short at byte 21 (it needs 4 bytes, got 1); shape [3, 2, 2]",
                e.getMessage());
    }

    @Test
    void truncationAtARecordBoundaryNamesTheLastWholeRecord() throws IOException {
        byte[] full = idx(new int[] {3, 2, 2}, pattern(12));
        Path f = write(dir.resolve("labels-idx3-ubyte"), Arrays.copyOf(full, full.length - 4), false);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readLabels(f));
        assertEquals(f + ": truncated: record 3 of 3 is cut short at byte 24 (it needs 4 bytes, got 0); shape [3, 2, 2]",
                e.getMessage());
        Path empty = write(dir.resolve("empty-idx3-ubyte"), Arrays.copyOf(full, full.length - 12), false);
        assertEquals(empty + ": truncated: record 1 of 3 is cut short at byte 16 (it needs 4 bytes, got 0); shape"
                + " [3, 2, 2]", assertThrows(IOException.class, () -> IdxReader.readImages(empty, false)).getMessage());
    }

    @Test
    void truncatedHeaderIsReported() throws IOException {
        byte[] full = idx(new int[] {3, 2, 2}, pattern(12));
        Path f = write(dir.resolve("short"), Arrays.copyOf(full, 10), false);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readLabels(f));
        assertEquals(f + ": truncated header: expected 4 bytes for the size of dimension 1, got 2", e.getMessage());
    }

    @Test
    void badMagicIsReported() throws IOException {
        Path f = write(dir.resolve("text.csv"), "1,2,3,4,5\n".getBytes(), false);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(f, true));
        assertTrue(e.getMessage().startsWith(f + ": bad magic number 0x312c322c"), e.getMessage());
    }

    @Test
    void nonByteTypeIsReported() throws IOException {
        byte[] content = idx(new int[] {1}, new byte[4]);
        content[2] = 0x0D; // float32 elements
        Path f = write(dir.resolve("floats"), content, false);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readImages(f, true));
        assertTrue(e.getMessage().contains("unsupported IDX data type 0x0d"), e.getMessage());
    }

    @Test
    void trailingBytesAreReported() throws IOException {
        byte[] full = idx(new int[] {2}, new byte[] {1, 2});
        Path f = write(dir.resolve("long"), Arrays.copyOf(full, full.length + 3), true);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readLabels(f));
        assertTrue(e.getMessage().startsWith(f + ": trailing bytes"), e.getMessage());
    }

    @Test
    void truncatedGzipStreamIsReported() throws IOException {
        Path whole = write(dir.resolve("whole.gz"), idx(new int[] {1000}, pattern(1000)), true);
        byte[] gz = Files.readAllBytes(whole);
        Path f = write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2), false);
        IOException e = assertThrows(IOException.class, () -> IdxReader.readLabels(f));
        assertTrue(e.getMessage().startsWith(f + ": corrupt or truncated gzip stream"), e.getMessage());
    }

    @Test
    void readsTheInstalledFashionMnistTestLabels() throws IOException {
        Path labels = FashionMnist.DEBIAN_DIR.resolve("t10k-labels-idx1-ubyte.gz");
        Assumptions.assumeTrue(Files.isRegularFile(labels), "dataset-fashion-mnist not installed");
        int[] y = IdxReader.readLabels(labels).toIntArray();
        assertEquals(10_000, y.length);
        int[] counts = new int[10];
        for (int v : y) {
            counts[v]++;
        }
        int[] thousandEach = new int[10];
        Arrays.fill(thousandEach, 1000);
        assertArrayEquals(thousandEach, counts);
    }
}
