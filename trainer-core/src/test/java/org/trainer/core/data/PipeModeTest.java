package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.core.data.IdxFiles.idx;
import static org.trainer.core.data.IdxFiles.pattern;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.DType;
import org.trainer.core.data.augment.HorizontalFlip;
import org.trainer.core.data.augment.RandomCrop;

/**
 * Every record format read from named pipes (FIFOs) through the same API as files: one epoch per
 * pipe, one pipe per epoch, gzipped or not; the batches are bitwise those of the files.
 */
class PipeModeTest {
    @TempDir
    Path dir;

    /** Asserts bitwise-equal batches (shapes, dtypes, values) of epoch {@code epoch}; returns how many. */
    static int assertSameBatches(BatchSource expected, BatchSource actual, int epoch) {
        int batches = 0;
        try (BatchIterator a = expected.iterator(epoch); BatchIterator b = actual.iterator(epoch)) {
            while (a.hasNext()) {
                assertTrue(b.hasNext(), "epoch " + epoch + ": the pipe ended early, after " + batches + " batches");
                Batch x = a.next();
                Batch y = b.next();
                assertArrayEquals(x.features().shape(), y.features().shape(), "features of batch " + batches);
                assertArrayEquals(x.features().toFloatArray(), y.features().toFloatArray(), "batch " + batches);
                assertEquals(x.targets().dtype(), y.targets().dtype());
                if (x.targets().dtype() == DType.INT32) {
                    assertArrayEquals(x.targets().toIntArray(), y.targets().toIntArray(), "batch " + batches);
                } else {
                    assertArrayEquals(x.targets().toFloatArray(), y.targets().toFloatArray(), "batch " + batches);
                }
                batches++;
            }
            assertFalse(b.hasNext(), "epoch " + epoch + ": the pipe has more batches than the file");
        }
        return batches;
    }

    /** n rows of 9 features (a few decimals each) and a class label 0-9, some blank lines between. */
    static String csv(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 9; j++) {
                s.append(r.nextInt(-5000, 5000) / 100.0).append(',');
            }
            s.append(r.nextInt(10)).append(i % 97 == 5 ? "\n\n" : "\n");
        }
        return s.toString();
    }

    private Path write(String name, byte[] bytes, boolean gzip) throws IOException {
        return IdxFiles.write(dir.resolve(name), bytes, gzip);
    }

    private static StreamingLoader loader(RecordFormat f, Function<StreamingLoader.Builder, StreamingLoader.Builder> options) {
        return options.apply(StreamingLoader.builder(f).batchSize(64)).build();
    }

    @Test
    void csvAndBinaryFromAFifoThroughThePathApiEqualTheFile() throws Exception {
        // Larger than the 64 KiB read buffer, so that the readers ask the pipe for more more than once.
        Path csvFile = write("rows.csv", csv(4000, 1).getBytes(StandardCharsets.UTF_8), false);
        Path binFile = write("rows.bin", RecordBytes.numbered(20_000), false);
        Path csvPipe = Fifos.make(dir.resolve("rows.fifo.csv"));
        Path binPipe = Fifos.make(dir.resolve("rows.fifo.bin"));

        Fifos.Writer w = Fifos.feed(csvPipe, Fifos.bytes(csvFile));
        assertEquals(63, assertSameBatches(loader(CsvRecords.classes(-1, csvFile), b -> b),
                loader(CsvRecords.classes(-1, csvPipe), b -> b), 0));
        w.await();
        w = Fifos.feed(binPipe, Fifos.bytes(binFile));
        assertEquals(313, assertSameBatches(loader(BinaryRecords.classes(2, binFile), b -> b),
                loader(BinaryRecords.classes(2, binPipe), b -> b.prefetch(2)), 0));
        w.await();

        // The in-memory reader reads a pipe too.
        w = Fifos.feed(csvPipe, Fifos.bytes(csvFile));
        TensorDataset fromPipe = CsvReader.classes(-1).read(csvPipe);
        w.await();
        assertSameBatches(DataLoader.builder(CsvReader.classes(-1).read(csvFile)).batchSize(500).build(),
                DataLoader.builder(fromPipe).batchSize(500).build(), 0);
    }

    @Test
    void idxFromFifosGzippedOrNotWithOrWithoutAStatedCount() throws Exception {
        int n = 3000;
        for (boolean gzip : new boolean[] {false, true}) {
            Path images = write("images" + gzip, idx(new int[] {n, 8, 8}, pattern(n * 64)), gzip);
            Path labels = write("labels" + gzip, idx(new int[] {n}, pattern(n)), gzip);
            Path imagePipe = Fifos.make(dir.resolve("images.fifo" + gzip));
            Path labelPipe = Fifos.make(dir.resolve("labels.fifo" + gzip));
            TensorDataset memory = new TensorDataset(IdxReader.readImages(images, true), IdxReader.readLabels(labels));
            DataLoader fileMode = DataLoader.builder(memory).batchSize(64).build();
            for (long stated : new long[] {-1, n}) {
                Fifos.Writer wi = Fifos.feed(imagePipe, Fifos.bytes(images));
                Fifos.Writer wl = Fifos.feed(labelPipe, Fifos.bytes(labels));
                StreamingLoader pipe = loader(IdxRecords.of(imagePipe, labelPipe, true),
                        b -> stated < 0 ? b : b.recordCount(stated));
                assertEquals(47, pipe.batchesPerEpoch(), "the count comes from the header of the pipe then read");
                assertEquals(47, assertSameBatches(fileMode, pipe, 0), "gzip " + gzip + ", stated count " + stated);
                wi.await();
                wl.await();
            }
            Fifos.Writer wi = Fifos.feed(imagePipe, Fifos.bytes(images));
            assertArrayEquals(memory.features().toFloatArray(), IdxReader.readImages(imagePipe, true).toFloatArray(),
                    "the in-memory IDX reader reads a pipe too");
            wi.await();
        }
    }

    /** The three formats over per-epoch sources made by {@code source(name)}: CSV (with csvWorkers), binary and IDX. */
    private static List<RecordFormat> formats(Function<String, RecordSource> source, int csvWorkers) {
        return List.of(CsvRecords.classes(-1, source.apply("csv")).withWorkers(csvWorkers),
                BinaryRecords.classes(2, source.apply("bin")),
                IdxRecords.of(source.apply("images"), source.apply("labels"), false));
    }

    @Test
    void perEpochPipesFedByAnotherProcessEqualPerEpochFiles() throws Exception {
        int epochs = 3;
        List<Path> files = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            int n = 500 + 37 * e; // each epoch has its own data, and its own length
            files.add(write("csv_" + e, csv(n, e).getBytes(StandardCharsets.UTF_8), e == 1));
            files.add(write("bin_" + e, RecordBytes.numbered(n), e == 2));
            files.add(write("images_" + e, idx(new int[] {600, 3, 5},
                    Arrays.copyOfRange(pattern(600 * 15 + e), e, 600 * 15 + e)), e == 1));
            files.add(write("labels_" + e, idx(new int[] {600},
                    Arrays.copyOfRange(pattern(600 + 3 * e), 3 * e, 600 + 3 * e)), e == 0));
        }
        Files.createDirectories(dir.resolve("pipes"));
        List<RecordFormat> fileMode = formats(name -> RecordSource.perEpoch(dir.resolve(name)), 0);
        List<RecordFormat> pipeMode = formats(name -> RecordSource.perEpoch(dir.resolve("pipes").resolve(name)),
                2);
        for (int f = 0; f < fileMode.size(); f++) {
            StreamingLoader expected = loader(fileMode.get(f), b -> b.shuffleBuffer(50).seed(9));
            StreamingLoader actual = null;
            for (int e = 0; e < epochs; e++) {
                List<Fifos.Writer> writers = new ArrayList<>();
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    boolean ours = name.endsWith("_" + e) && (f == 0 ? name.startsWith("csv")
                            : f == 1 ? name.startsWith("bin") : name.startsWith("images") || name.startsWith("labels"));
                    if (ours) {
                        writers.add(Fifos.feedFromProcess(Fifos.make(dir.resolve("pipes").resolve(name)), file));
                    }
                }
                if (actual == null) { // IDX reads its count from epoch 0's label pipe, which must exist by now
                    actual = loader(pipeMode.get(f), b -> b.shuffleBuffer(50).seed(9).prefetch(1));
                }
                assertTrue(assertSameBatches(expected, actual, e) > 0);
                for (Fifos.Writer w : writers) {
                    w.await();
                }
            }
        }
    }

    @Test
    void augmentedNormalizedPipesEqualTheAugmentedInMemoryLoaderEpochByEpoch() throws Exception {
        int n = 700;
        Path images = write("aug_images", idx(new int[] {n, 8, 8}, pattern(n * 64)), true);
        Path labels = write("aug_labels", idx(new int[] {n}, pattern(n)), false);
        Normalize normalize = new Normalize(0.3, 0.25);
        Transform[] augment = {new RandomCrop(8, 8, 2), new HorizontalFlip()};
        TensorDataset memory = normalize.apply(
                new TensorDataset(IdxReader.readImages(images, true), IdxReader.readLabels(labels)));
        DataLoader fileMode = DataLoader.builder(memory).batchSize(64).seed(5).augment(augment).build();
        Path pipes = Files.createDirectories(dir.resolve("aug"));
        StreamingLoader pipeMode = null;
        for (int e = 0; e < 2; e++) {
            Fifos.Writer wi = Fifos.feedFromProcess(Fifos.make(pipes.resolve("images_" + e)), images);
            Fifos.Writer wl = Fifos.feed(Fifos.make(pipes.resolve("labels_" + e)), Fifos.bytes(labels));
            if (pipeMode == null) {
                pipeMode = StreamingLoader.builder(IdxRecords.of(RecordSource.perEpoch(pipes.resolve("images")),
                        RecordSource.perEpoch(pipes.resolve("labels")), true)).batchSize(64).seed(5)
                        .normalize(normalize).augment(augment).prefetch(2).build();
                assertTrue(pipeMode.augments(), "evaluation must refuse it");
            }
            assertEquals(11, assertSameBatches(fileMode, pipeMode, e));
            wi.await();
            wl.await();
        }
        StreamingLoader plain = StreamingLoader.builder(IdxRecords.of(images, labels, true)).batchSize(64)
                .normalize(normalize).build();
        assertFalse(plain.augments(), "normalization alone is no augmentation");
        assertSameBatches(DataLoader.builder(memory).batchSize(64).build(), plain, 0);
    }
}
