package org.trainer.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;

import org.trainer.core.data.BatchIterator;
import org.trainer.core.data.CsvRecords;
import org.trainer.core.data.FashionMnist;
import org.trainer.core.data.IdxRecords;
import org.trainer.core.data.RecordFormat;
import org.trainer.core.data.StreamingLoader;
import org.trainer.core.data.TensorDataset;

/**
 * How fast does a {@link StreamingLoader} decode CSV, with and without decode workers? The first
 * {@code --rows} Fashion-MNIST training images (default 10,000) are written as CSV the way a
 * pandas export writes them (label first, then 784 integer pixels: 785 columns, about 2.2 kB a
 * row) to a temporary file; one epoch of the stream (batch 256, no shuffle) is timed with
 * {@code CsvRecords} at 0 decode workers (the reader as it was: Commons CSV on the loader's
 * thread), 1 and 2, and with the same images streamed from their IDX files for reference. Rows per
 * second, best repetition and median, each against 0 workers measured in the same run.
 * <pre>
 *   java --add-modules=jdk.incubator.vector -cp trainer-bench/target/benchmarks.jar \
 *       org.trainer.bench.CsvStreamThroughput [FASHION_MNIST_DIR] [--rows 10000] [--reps 5] [--min-time 0.5]
 * </pre>
 * A harness that prints numbers for a person to read: nothing fails.
 */
public final class CsvStreamThroughput {
    private static final int BATCH = 256;

    private CsvStreamThroughput() {
    }

    public static void main(String[] args) throws IOException {
        String dir = null;
        int rows = 10_000;
        int reps = 5;
        double minTime = 0.5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--min-time" -> minTime = Double.parseDouble(args[++i]);
                default -> {
                    if (args[i].startsWith("--")) {
                        throw new IllegalArgumentException("CsvStreamThroughput: unknown option " + args[i]
                                + " (expected --rows, --reps, --min-time or a directory)");
                    }
                    dir = args[i];
                }
            }
        }
        Path data = FashionMnist.locate(dir == null ? new String[0] : new String[] {dir});
        TensorDataset train = FashionMnist.load(data).train();
        int n = Math.min(rows, train.size());
        Path csv = Files.createTempFile("fashion-mnist", ".csv");
        try {
            writeCsv(train, n, csv);
            run(csv, n, data, new Timing(reps, minTime, 2.0));
        } finally {
            Files.deleteIfExists(csv);
        }
    }

    /** Label, then the 784 pixels as integers 0-255, one image a row. */
    private static void writeCsv(TensorDataset train, int n, Path csv) throws IOException {
        float[] x = train.features().toFloatArray();
        int[] y = train.targets().toIntArray();
        int pixels = x.length / train.size();
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            for (int i = 0; i < n; i++) {
                w.write(Integer.toString(y[i]));
                for (int j = 0; j < pixels; j++) {
                    w.write(',');
                    w.write(Integer.toString(Math.round(x[i * pixels + j] * 255)));
                }
                w.write('\n');
            }
        }
    }

    private static void run(Path csv, int n, Path data, Timing timing) throws IOException {
        System.out.println("# CsvStreamThroughput, " + LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, Java " + Runtime.version());
        System.out.println("# " + n + " Fashion-MNIST rows, 785 columns, " + Files.size(csv) / 1_000_000 + " MB of CSV;"
                + " batch " + BATCH + ", one epoch per call");
        System.out.println();
        System.out.println("| stream | rows/s (best) | rows/s (median) | x 0 workers (best) | x 0 workers (median) | cores busy |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        Timing.Result base = null;
        for (int workers = 0; workers <= 2; workers++) {
            CsvRecords f = CsvRecords.classes(0, csv).withWorkers(workers);
            Timing.Result r = timing.measure(() -> drain(f, n));
            base = base == null ? r : base;
            row("CSV, " + workers + " decode workers", n, r, base);
        }
        RecordFormat idx = IdxRecords.of(data.resolve("train-images-idx3-ubyte.gz"),
                data.resolve("train-labels-idx1-ubyte.gz"), true);
        row("IDX (gzipped), for reference", n, timing.measure(() -> drain(idx, n)), base);
    }

    /** Reads the first {@code n} records of an epoch; the sum keeps the JIT from skipping the work. */
    private static void drain(RecordFormat f, int n) {
        double sum = 0;
        long seen = 0;
        try (BatchIterator it = StreamingLoader.builder(f).batchSize(BATCH).build().iterator(0)) {
            while (seen < n && it.hasNext()) {
                var b = it.next();
                seen += b.size();
                sum += b.targets().toIntArray()[0];
            }
        }
        if (sum < 0) {
            System.out.println(sum);
        }
    }

    private static void row(String what, int n, Timing.Result r, Timing.Result base) {
        System.out.println(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f | %.2f | %.2f |", what, n / r.best(),
                n / r.median(), base.best() / r.best(), base.median() / r.median(), r.bestCores()));
    }
}
