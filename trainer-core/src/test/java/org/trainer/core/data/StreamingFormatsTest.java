package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.core.data.IdxFiles.idx;
import static org.trainer.core.data.IdxFiles.pattern;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.DType;
import org.trainer.core.Tensor;

/** Each record format, streamed, against the in-memory path over the same data, and its errors. */
class StreamingFormatsTest {
    @TempDir
    Path dir;

    /** Asserts that two sources give bitwise-equal batches (shapes, dtypes, values) for epoch 0. */
    private static int assertSameBatches(BatchSource expected, BatchSource actual) {
        int batches = 0;
        try (BatchIterator a = expected.iterator(0); BatchIterator b = actual.iterator(0)) {
            while (a.hasNext()) {
                assertTrue(b.hasNext(), "the stream ended early, after " + batches + " batches");
                Batch x = a.next();
                Batch y = b.next();
                assertArrayEquals(x.features().shape(), y.features().shape(), "features of batch " + batches);
                assertArrayEquals(x.targets().shape(), y.targets().shape(), "targets of batch " + batches);
                assertEquals(x.targets().dtype(), y.targets().dtype());
                assertArrayEquals(x.features().toFloatArray(), y.features().toFloatArray());
                if (x.targets().dtype() == DType.INT32) {
                    assertArrayEquals(x.targets().toIntArray(), y.targets().toIntArray());
                } else {
                    assertArrayEquals(x.targets().toFloatArray(), y.targets().toFloatArray());
                }
                batches++;
            }
            assertFalse(b.hasNext(), "the stream has more batches than the dataset");
        }
        return batches;
    }

    private static DataLoader inMemory(TensorDataset d, int batch) {
        return DataLoader.builder(d).batchSize(batch).build();
    }

    private static StreamingLoader streamed(RecordFormat f, int batch) {
        return StreamingLoader.builder(f).batchSize(batch).build();
    }

    /** Every record of one epoch, to make a format's error surface. */
    private static void drain(RecordFormat f) {
        try (BatchIterator it = streamed(f, 4).iterator(0)) {
            while (it.hasNext()) {
                it.next();
            }
        }
    }

    private static String error(Class<? extends Throwable> type, RecordFormat f) {
        return assertThrows(type, () -> drain(f)).getMessage();
    }

    private static RecordSource text(String name, String csv) {
        return RecordSource.of(name, () -> new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
    }

    private static RecordSource bytes(String name, byte[] content) {
        return RecordSource.of(name, () -> new ByteArrayInputStream(content));
    }

    /** n rows of 4 random features and a class label 0-9 (last column), with a header. */
    private static String randomCsv(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder("a,b,c,d,label\n");
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                s.append((float) r.nextGaussian()).append(',');
            }
            s.append(r.nextInt(10)).append(i % 7 == 3 ? "\n\n" : "\n"); // some blank lines too
        }
        return s.toString();
    }

    @Test
    void csvStreamsTheSameBatchesAsCsvReaderGzippedOrNot() throws IOException {
        String csv = randomCsv(61, 1);
        Path plain = Files.writeString(dir.resolve("rows.csv"), csv);
        Path gzipped = IdxFiles.write(dir.resolve("rows.csv.gz"), csv.getBytes(StandardCharsets.UTF_8), true);
        TensorDataset memory = CsvReader.classColumn(-1).withHeader(true).read(plain);
        for (Path file : new Path[] {plain, gzipped}) {
            assertEquals(16, assertSameBatches(inMemory(memory, 4),
                    streamed(CsvRecords.classColumn(-1, file).withHeader(true), 4)), file.toString());
        }
        TensorDataset regression = CsvReader.regression(0).withHeader(true).read(plain);
        assertEquals(DType.FLOAT32, regression.targets().dtype());
        assertSameBatches(inMemory(regression, 7), streamed(CsvRecords.regression(0, plain).withHeader(true), 7));
    }

    @Test
    void csvReadsSeveralSourcesEachWithItsHeaderAndOtherDelimiters() throws IOException {
        StreamingLoader two = streamed(CsvRecords.classColumn(0, text("a.csv", "y;x1;x2\n1;0.5;2\n"),
                text("b.csv", "y;x1;x2\n\n0;-1;3e2\n2;4;5\n")).withHeader(true).withDelimiter(';'), 2);
        TensorDataset memory = new TensorDataset(Tensor.fromArray(new float[] {0.5f, 2, -1, 300, 4, 5}, 3, 2),
                Tensor.fromArray(new int[] {1, 0, 2}, 3));
        assertEquals(2, assertSameBatches(inMemory(memory, 2), two));
    }

    @Test
    void csvErrorsNameTheSourceRecordLineAndColumn() {
        assertEquals("t.csv: record 3 (line 4) has 4 columns, expected 3 (as line 1 of t.csv)",
                error(IllegalArgumentException.class, CsvRecords.classColumn(-1, text("t.csv", "x,y,c\n1,2,0\n3,4,1\n5,6,7,1\n"))
                        .withHeader(true)));
        assertEquals("t.csv: record 2 (line 2), column 2: not a number: \"abc\"",
                error(IllegalArgumentException.class, CsvRecords.classColumn(-1, text("t.csv", "1,2,0\n3,abc,1\n"))));
        assertEquals("t.csv: record 2 (line 3), column 1 (\"x\"): \"NaN\" is not finite; NaN and infinity are refused",
                error(IllegalArgumentException.class, CsvRecords.classColumn(-1, text("t.csv", "x,y,c\n1,2,0\nNaN,4,1\n"))
                        .withHeader(true)));
        assertEquals("u.csv: record 1 (line 1), column 2: \"-Infinity\" is not finite; NaN and infinity are refused",
                error(IllegalArgumentException.class, CsvRecords.regression(0, text("t.csv", "1,2\n"),
                        text("u.csv", "1,-Infinity\n"))));
        assertEquals("t.csv: record 1 (line 1), column 3: class label 1.5 is not an integer from 0 to 16777216",
                error(IllegalArgumentException.class, CsvRecords.classColumn(-1, text("t.csv", "1,2,1.5\n"))));
        String quote = assertThrows(UncheckedIOException.class, () -> drain(CsvRecords.classColumn(-1,
                text("q.csv", "1,2,0\n3,\"4,1\n")))).getMessage();
        assertTrue(quote.startsWith("q.csv: record 2 (near line "), quote);
        assertEquals("t.csv: no data rows after the header",
                assertThrows(IllegalArgumentException.class,
                        () -> streamed(CsvRecords.classColumn(-1, text("t.csv", "x,y\n\n")).withHeader(true), 1).iterator(0))
                        .getMessage());
        String missing = assertThrows(UncheckedIOException.class,
                () -> streamed(CsvRecords.classColumn(-1, dir.resolve("absent.csv")), 1).iterator(0)).getMessage();
        assertTrue(missing.contains("absent.csv"), missing);
    }

    /** n little-endian records of 4 features and 2 float targets: feature j of record i is i + j / 8, targets -i and i / 2. */
    private static byte[] regressionRecords(int n, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(n * 24).order(order);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                b.putFloat(i + j / 8f);
            }
            b.putFloat(-i).putFloat(i / 2f);
        }
        return b.array();
    }

    private static TensorDataset regressionDataset(int n) {
        float[] x = new float[n * 4];
        float[] y = new float[n * 2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                x[i * 4 + j] = i + j / 8f;
            }
            y[2 * i] = -i;
            y[2 * i + 1] = i / 2f;
        }
        return new TensorDataset(Tensor.fromArray(x, n, 1, 2, 2), Tensor.fromArray(y, n, 2));
    }

    @Test
    void binaryRecordsStreamTheSameBatchesAsTensorsInMemory() throws IOException {
        Path gz = IdxFiles.write(dir.resolve("r.bin.gz"), regressionRecords(50, ByteOrder.LITTLE_ENDIAN), true);
        BinaryRecords le = BinaryRecords.regression(4, 2, gz).withFeatureShape(1, 2, 2);
        assertEquals(24, le.recordBytes());
        assertEquals(8, assertSameBatches(inMemory(regressionDataset(50), 7), streamed(le, 7)));
        BinaryRecords be = BinaryRecords.regression(4, 2, bytes("be.bin", regressionRecords(50, ByteOrder.BIG_ENDIAN)))
                .withFeatureShape(1, 2, 2).withByteOrder(ByteOrder.BIG_ENDIAN);
        assertSameBatches(inMemory(regressionDataset(50), 50), streamed(be, 50));
        StreamingLoader oneTarget = streamed(BinaryRecords.regression(2, 1, bytes("n.bin", RecordBytes.numbered(5))), 5);
        assertArrayEquals(new int[] {5}, oneTarget.iterator(0).next().targets().shape(), "one target: [B]");
    }

    @Test
    void binaryErrorsNameTheSourceRecordAndColumn() {
        byte[] truncated = Arrays.copyOf(RecordBytes.numbered(3), 2 * 12 + 5);
        assertEquals("t.bin: record 3 is truncated: expected 12 bytes (2 features and 1 targets of 4 bytes), got 5"
                + " before the end of the data", error(UncheckedIOException.class, BinaryRecords.classes(2,
                        bytes("t.bin", truncated))));
        byte[] badLabel = RecordBytes.numbered(3);
        ByteBuffer.wrap(badLabel).order(ByteOrder.LITTLE_ENDIAN).putFloat(12 + 8, 2.5f);
        assertEquals("l.bin: record 2, column 3 (target 1): class label 2.5 is not an integer from 0 to 16777216",
                error(IllegalArgumentException.class, BinaryRecords.classes(2, bytes("l.bin", badLabel))));
        byte[] inf = regressionRecords(2, ByteOrder.LITTLE_ENDIAN);
        ByteBuffer.wrap(inf).order(ByteOrder.LITTLE_ENDIAN).putFloat(24 + 20, Float.POSITIVE_INFINITY);
        assertEquals("i.bin: record 2, column 6 (target 2): Infinity is not finite; NaN and infinity are refused",
                error(IllegalArgumentException.class, BinaryRecords.regression(4, 2, bytes("i.bin", inf))));
        assertEquals("BinaryRecords: feature shape [3, 3] holds 9 values, expected 4 (the feature count)",
                assertThrows(IllegalArgumentException.class,
                        () -> BinaryRecords.regression(4, 2, bytes("x", new byte[0])).withFeatureShape(3, 3)).getMessage());
        assertEquals("BinaryRecords: featureCount must be from 1 to 536870906, got 0",
                assertThrows(IllegalArgumentException.class, () -> BinaryRecords.classes(0, bytes("x", new byte[0])))
                        .getMessage());
    }

    /** A source that gives {@code good} bytes, then fails as a pipe read can ("Illegal seek"). */
    private static RecordSource failingAfter(String name, byte[] good) {
        return RecordSource.of(name, () -> new java.io.InputStream() {
            private int at;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (at == good.length) {
                    throw new IOException("Illegal seek");
                }
                int n = Math.min(len, good.length - at);
                System.arraycopy(good, at, b, off, n);
                at += n;
                return n;
            }
        });
    }

    @Test
    void readFailuresNameTheSourceAndTheRecord() {
        assertEquals("b.bin: reading record 3 failed: Illegal seek", error(UncheckedIOException.class,
                BinaryRecords.classes(2, failingAfter("b.bin", RecordBytes.numbered(2)))));
        byte[] twoImages = Arrays.copyOf(idx(new int[] {3, 2, 2}, pattern(12)), 16 + 8);
        assertEquals("images: reading record 3 failed: Illegal seek", error(UncheckedIOException.class,
                IdxRecords.of(failingAfter("images", twoImages), bytes("labels", idx(new int[] {3}, pattern(3))), true)));
        assertEquals("labels: reading the header failed: Illegal seek", error(UncheckedIOException.class,
                IdxRecords.of(bytes("images", idx(new int[] {3, 2, 2}, pattern(12))), failingAfter("labels",
                        new byte[] {0, 0, 8}), true)));
    }

    @Test
    void idxPairsStreamTheSameBatchesAsIdxReaderAndStateTheirCount() throws IOException {
        byte[] labels = new byte[50];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) (i * 3 % 10);
        }
        Path images = IdxFiles.write(dir.resolve("images.gz"), idx(new int[] {50, 4, 3}, pattern(50 * 12)), true);
        Path labelFile = IdxFiles.write(dir.resolve("labels"), idx(new int[] {50}, labels), false);
        for (boolean unit : new boolean[] {true, false}) {
            TensorDataset memory = new TensorDataset(IdxReader.readImages(images, unit), IdxReader.readLabels(labelFile));
            StreamingLoader stream = streamed(IdxRecords.of(images, labelFile, unit), 8);
            assertEquals(50, stream.recordCount(), "from the header");
            assertEquals(7, stream.batchesPerEpoch(), "ceil(50 / 8), known before reading");
            assertEquals(7, assertSameBatches(inMemory(memory, 8), stream));
        }
    }

    @Test
    void idxErrorsNameTheFileAndRecord() throws IOException {
        RecordSource labels = bytes("labels", idx(new int[] {3}, new byte[] {1, 2, 3}));
        assertEquals("images: truncated: record 3 of 3 is cut short at byte 25 (it needs 4 bytes, got 1)",
                error(UncheckedIOException.class, IdxRecords.of(bytes("images", Arrays.copyOf(
                        idx(new int[] {3, 2, 2}, pattern(12)), 16 + 9)), labels, true)));
        assertEquals("images holds 2 images but labels holds 3 labels; expected the same count",
                error(UncheckedIOException.class, IdxRecords.of(bytes("images", idx(new int[] {2, 2, 2}, pattern(8))),
                        labels, true)));
        byte[] trailing = Arrays.copyOf(idx(new int[] {3, 2, 2}, pattern(12)), 16 + 13);
        assertEquals("images: trailing bytes after the 3 images its header declares",
                error(UncheckedIOException.class, IdxRecords.of(bytes("images", trailing), labels, true)));
        byte[] badMagic = idx(new int[] {3, 2, 2}, pattern(12));
        badMagic[0] = 1;
        assertTrue(error(UncheckedIOException.class, IdxRecords.of(bytes("images", badMagic), labels, true))
                .startsWith("images: bad magic number 0x01000803"));
        Path gz = IdxFiles.write(dir.resolve("cut.gz"), idx(new int[] {3, 2, 2}, pattern(12)), true);
        byte[] cut = Files.readAllBytes(gz);
        String corrupt = error(UncheckedIOException.class,
                IdxRecords.of(bytes("cut.gz", Arrays.copyOf(cut, cut.length - 12)), labels, true));
        assertTrue(corrupt.startsWith("cut.gz: "), corrupt);
    }

    private static void assertSameData(TensorDataset expected, TensorDataset actual) {
        assertEquals(expected.size(), actual.size());
        assertSameBatches(inMemory(expected, Math.max(1, expected.size())), inMemory(actual, Math.max(1, actual.size())));
    }

    @Test
    void readAllLoadsAnyFormatIntoMemory() throws IOException {
        String csv = randomCsv(150, 2);
        Path file = Files.writeString(dir.resolve("all.csv"), csv);
        assertSameData(CsvReader.classColumn(-1).withHeader(true).read(file),
                CsvRecords.classColumn(-1, file).withHeader(true).readAll());
        assertSameData(regressionDataset(300), BinaryRecords.regression(4, 2, bytes("r.bin",
                regressionRecords(300, ByteOrder.LITTLE_ENDIAN))).withFeatureShape(1, 2, 2).readAll());
        Path images = IdxFiles.write(dir.resolve("images"), idx(new int[] {70, 2, 3}, pattern(70 * 6)), false);
        Path labels = IdxFiles.write(dir.resolve("labels"), idx(new int[] {70}, pattern(70)), true);
        assertSameData(new TensorDataset(IdxReader.readImages(images, false), IdxReader.readLabels(labels)),
                IdxRecords.of(images, labels, false).readAll());
        assertEquals(0, BinaryRecords.classes(2, bytes("empty.bin", new byte[0])).readAll().size());
    }

    @Test
    void fashionMnistTestSetStreamsAsItLoads() throws IOException {
        Path images = FashionMnist.DEBIAN_DIR.resolve("t10k-images-idx3-ubyte.gz");
        Path labels = FashionMnist.DEBIAN_DIR.resolve("t10k-labels-idx1-ubyte.gz");
        Assumptions.assumeTrue(Files.isRegularFile(images) && Files.isRegularFile(labels),
                "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        TensorDataset memory = new TensorDataset(IdxReader.readImages(images, true), IdxReader.readLabels(labels));
        StreamingLoader stream = StreamingLoader.builder(IdxRecords.of(images, labels, true)).batchSize(500)
                .prefetch(2).build();
        assertEquals(20, stream.batchesPerEpoch());
        assertEquals(20, assertSameBatches(inMemory(memory, 500), stream));
    }
}
