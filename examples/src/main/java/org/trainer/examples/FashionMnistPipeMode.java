package org.trainer.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.trainer.core.data.BatchSource;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.FashionMnist;
import org.trainer.core.data.IdxRecords;
import org.trainer.core.data.RecordSource;
import org.trainer.core.data.StreamingLoader;
import org.trainer.core.data.Transform;
import org.trainer.core.data.augment.HorizontalFlip;
import org.trainer.core.data.augment.RandomCrop;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Module;
import org.trainer.core.nn.Seeds;
import org.trainer.core.train.Callback;
import org.trainer.core.train.History;
import org.trainer.core.train.Trainer;
import org.trainer.core.train.TrainingContext;
import org.trainer.optim.SGD;

/**
 * Pipe mode as SageMaker runs it: the training images and labels arrive through named pipes
 * (FIFOs), a fresh pair per epoch ({@code images_0}, {@code labels_0}, {@code images_1}, ...),
 * written by a separate process ({@code cat} here, SageMaker's agent there), and are streamed with
 * a 10,000-image shuffle buffer, normalized and augmented (random horizontal flip, 28x28 crop after
 * padding by 2) on the stream. Beside it, the same training in file mode: the images loaded into
 * memory once, the same augmentation. Each mode runs in its own JVM (for its own peak memory); the
 * table compares time to the first batch, training samples per second, peak resident memory and
 * test accuracy. The MLP of {@link FashionMnistMlp}, SGD with momentum, 2 epochs by default.
 *
 * <pre>
 *   FashionMnistPipeMode [FASHION_MNIST_DIR] [--epochs 2]
 * </pre>
 * Linux (or another system with mkfifo and /proc/self/status). The data directory is found as in
 * the other Fashion-MNIST examples.
 */
public final class FashionMnistPipeMode {
    private static final String RESULT = "RESULT ";

    private FashionMnistPipeMode() {
    }

    public static void main(String[] args) throws Exception {
        int epochs = 2;
        String mode = null;
        String dir = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--mode" -> mode = args[++i];
                default -> dir = args[i];
            }
        }
        Path data = FashionMnist.locate(dir == null ? new String[0] : new String[] {dir});
        if (mode == null) {
            compare(data, epochs);
        } else {
            Map<String, Double> r = train(data, epochs, mode.equals("pipe"));
            System.out.println(RESULT + r);
        }
    }

    /** Runs each mode in a JVM of its own and prints their figures side by side. */
    private static void compare(Path data, int epochs) throws Exception {
        Map<String, Map<String, Double>> results = new LinkedHashMap<>();
        for (String mode : new String[] {"file", "pipe"}) {
            results.put(mode, child(data, epochs, mode));
        }
        System.out.printf(Locale.ROOT, "%nFashion-MNIST MLP, %d epochs, flip + crop on the training data%n", epochs);
        System.out.printf(Locale.ROOT, "%-6s %16s %12s %14s %14s%n", "mode", "first batch (s)", "samples/s",
                "peak RSS (MB)", "test accuracy");
        results.forEach((mode, r) -> System.out.printf(Locale.ROOT, "%-6s %16.2f %12.0f %14.0f %14.4f%n", mode,
                r.get("first_batch_s"), r.get("samples_per_s"), r.get("peak_rss_mb"), r.get("accuracy")));
    }

    private static Map<String, Double> child(Path data, int epochs, String mode) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                FashionMnistPipeMode.class.getName(), data.toString(), "--epochs", Integer.toString(epochs),
                "--mode", mode));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Map<String, Double> result = null;
        try (var lines = p.inputReader(StandardCharsets.UTF_8).lines()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.startsWith(RESULT)) {
                    result = parse(line.substring(RESULT.length()));
                } else {
                    System.out.println("[" + mode + "] " + line);
                }
            }
        }
        if (p.waitFor() != 0 || result == null) {
            throw new IllegalStateException(mode + " mode failed (exit code " + p.exitValue() + ")");
        }
        return result;
    }

    private static Map<String, Double> parse(String map) {
        Map<String, Double> r = new LinkedHashMap<>();
        for (String kv : map.substring(1, map.length() - 1).split(", ")) {
            String[] parts = kv.split("=");
            r.put(parts[0], Double.parseDouble(parts[1]));
        }
        return r;
    }

    /** The augmentation of the training data: a random flip and a 28x28 crop after padding by 2 (with black). */
    private static Transform[] augmentation() {
        double black = (0 - 0.2860) / 0.3530;
        return new Transform[] {new HorizontalFlip(), new RandomCrop(28, 28, 2, black)};
    }

    /** Trains in one mode; returns its figures. */
    private static Map<String, Double> train(Path data, int epochs, boolean pipe) throws Exception {
        long start = System.nanoTime();
        Seeds.set(1);
        Process feeder = null;
        Path pipes = null;
        BatchSource train;
        if (pipe) {
            pipes = Files.createTempDirectory("pipe-mode");
            feeder = feed(pipes, data, epochs);
            train = StreamingLoader.builder(IdxRecords.of(RecordSource.perEpoch(pipes.resolve("images")),
                            RecordSource.perEpoch(pipes.resolve("labels")), true))
                    .batchSize(64).shuffleBuffer(10_000).seed(1).prefetch(2)
                    .normalize(FashionMnist.NORMALIZE).augment(augmentation()).build();
        } else {
            FashionMnist fm = FashionMnist.load(data);
            train = DataLoader.builder(FashionMnist.NORMALIZE.apply(fm.train())).batchSize(64).shuffle(true).seed(1)
                    .prefetch(2).augment(augmentation()).build();
        }
        double[] firstBatch = {-1};
        Module model = FashionMnistMlp.model();
        Trainer trainer = new Trainer().metrics(Accuracy::new).callbacks(new Callback() {
            @Override
            public void onBatchBegin(TrainingContext ctx, int batch) {
                if (firstBatch[0] < 0) {
                    firstBatch[0] = (System.nanoTime() - start) / 1e9;
                }
            }
        });
        long fitStart = System.nanoTime();
        History history = trainer.fit(model, new CrossEntropyLoss(), new SGD(model.parameters(), 0.02, 0.9, 0), train,
                null, epochs);
        double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
        double peak = peakRssMb();
        if (feeder != null) {
            feeder.waitFor(60, TimeUnit.SECONDS);
            deleteTree(pipes);
        }
        // The test set is read from its files in either mode, after the peak was taken.
        FashionMnist fm = FashionMnist.load(data);
        DataLoader test = DataLoader.builder(FashionMnist.NORMALIZE.apply(fm.test())).batchSize(500).build();
        double accuracy = trainer.evaluate(model, new CrossEntropyLoss(), test).get("accuracy");
        System.out.print(history);
        Map<String, Double> r = new LinkedHashMap<>();
        r.put("first_batch_s", firstBatch[0]);
        r.put("samples_per_s", epochs * 60_000 / fitSeconds);
        r.put("peak_rss_mb", peak);
        r.put("accuracy", accuracy);
        return r;
    }

    /**
     * The separate writer: makes every epoch's pipes, then, epoch after epoch, copies the gzipped
     * IDX files into them (one {@code cat} per pipe: images and labels are read side by side).
     * Returns once the pipes exist.
     */
    private static Process feed(Path pipes, Path data, int epochs) throws Exception {
        StringBuilder script = new StringBuilder("set -e; cd \"$1\"\n");
        for (int e = 0; e < epochs; e++) {
            script.append("mkfifo images_").append(e).append(" labels_").append(e).append('\n');
        }
        script.append("touch ready\n");
        for (int e = 0; e < epochs; e++) {
            script.append("cat \"$2/train-images-idx3-ubyte.gz\" > images_").append(e).append(" &\n")
                    .append("cat \"$2/train-labels-idx1-ubyte.gz\" > labels_").append(e).append("\nwait\n");
        }
        Process p = new ProcessBuilder("sh", "-c", script.toString(), "feeder", pipes.toString(), data.toString())
                .inheritIO().start();
        while (!Files.exists(pipes.resolve("ready"))) {
            if (!p.isAlive()) {
                throw new IllegalStateException("the feeder exited with " + p.exitValue() + " before making its pipes");
            }
            Thread.sleep(10);
        }
        return p;
    }

    /** The peak resident set size of this process, from /proc/self/status (VmHWM), in MB. */
    private static double peakRssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return -1;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }
}
