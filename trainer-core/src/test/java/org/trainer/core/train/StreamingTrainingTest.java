package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.Tensor;
import org.trainer.core.data.BatchSource;
import org.trainer.core.data.BinaryRecords;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.RecordSource;
import org.trainer.core.data.StreamingLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Sequential;

/** The trainer over a {@link StreamingLoader}: same weights as in memory, unknown lengths, data larger than the heap. */
class StreamingTrainingTest {
    @TempDir
    Path dir;

    /** 200 samples of 3 features, 4 classes (the sign pattern of two features), as tensors and as binary records. */
    private static final int N = 200;
    private static final Tensor X = Tensor.randn(5, N, 3);
    private static final int[] Y = labels(X.toFloatArray());

    private static int[] labels(float[] x) {
        int[] y = new int[N];
        for (int i = 0; i < N; i++) {
            y[i] = (x[3 * i] > 0 ? 2 : 0) + (x[3 * i + 1] > 0 ? 1 : 0);
        }
        return y;
    }

    private static RecordSource records() {
        ByteBuffer b = ByteBuffer.allocate(N * 16).order(ByteOrder.LITTLE_ENDIAN);
        float[] x = X.toFloatArray();
        for (int i = 0; i < N; i++) {
            b.putFloat(x[3 * i]).putFloat(x[3 * i + 1]).putFloat(x[3 * i + 2]).putFloat(Y[i]);
        }
        byte[] bytes = b.array();
        return RecordSource.of("samples.bin", () -> new ByteArrayInputStream(bytes));
    }

    private static Sequential model() {
        return new Sequential(new Linear(3, 8, true, null, 1), new Activation.ReLU(), new Linear(8, 4, true, null, 2));
    }

    private static float[] trainedWeights(BatchSource train) {
        Sequential m = model();
        new Trainer().fit(m, new CrossEntropyLoss(), TrainerTest.gd(m.parameters(), 0.1), train, null, 3);
        List<Float> all = new ArrayList<>();
        m.parameters().forEach(p -> {
            for (float v : p.value().toFloatArray()) {
                all.add(v);
            }
        });
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    @Test
    void streamingWithoutShuffleTrainsToTheSameWeightsAsTheInMemoryLoader() {
        DataLoader memory = DataLoader.builder(new TensorDataset(X, Tensor.fromArray(Y, N))).batchSize(16).build();
        StreamingLoader stream = StreamingLoader.builder(BinaryRecords.classes(3, records())).batchSize(16).prefetch(2)
                .build();
        assertArrayEquals(trainedWeights(memory), trainedWeights(stream));
    }

    @Test
    void aStreamOfUnknownLengthTrainsWithTheProgressBarAndValidates() {
        StreamingLoader train = StreamingLoader.builder(BinaryRecords.classes(3, records())).batchSize(32)
                .shuffleBuffer(64).seed(4).build();
        assertEquals(-1, train.batchesPerEpoch());
        List<Integer> batchesPerEpoch = new ArrayList<>();
        int[] batches = new int[1];
        Callback recorder = new Callback() {
            @Override
            public void onEpochBegin(TrainingContext ctx, int epoch) {
                batchesPerEpoch.add(ctx.batchesPerEpoch());
                batches[0] = 0;
            }

            @Override
            public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
                batches[0]++;
            }
        };
        Sequential m = model();
        new Trainer().callbacks(recorder).progressBar(true) // an indefinite bar, no ETA
                .fit(m, new CrossEntropyLoss(), TrainerTest.gd(m.parameters(), 0.2), train, null, 2);
        assertEquals(List.of(-1, -1), batchesPerEpoch, "the trainer passes -1 on");
        assertEquals(7, batches[0], "ceil(200 / 32) batches in the last epoch");
        Trainer trainer = new Trainer().metrics(Accuracy::new);
        History h = trainer.fit(m, new CrossEntropyLoss(), TrainerTest.gd(m.parameters(), 0.2), train, train, 20);
        assertEquals(20, h.epochCount());
        assertTrue(h.last("loss") < 0.5 * h.get("loss").get(0), h.toString());
        Map<String, Double> eval = trainer.evaluate(m, new CrossEntropyLoss(), train);
        assertEquals(h.last("val_accuracy"), eval.get("accuracy"), "evaluation reads epoch 0, the same each time");
        assertTrue(eval.get("accuracy") > 0.8, eval.toString());
    }

    /**
     * Writes 256 MiB of float32 records (1023 features and a class label each), then trains one
     * epoch over them in a child JVM whose heap is capped at 48 MiB: the epoch can only finish if
     * the records stream through.
     */
    @Test
    void anEpochStreamsADatasetSeveralTimesLargerThanTheHeap() throws IOException, InterruptedException {
        int features = 1023;
        int records = 64 * 1024;
        Path file = dir.resolve("big.bin");
        writeRecords(file, records, features);
        long size = Files.size(file);
        assertEquals((long) records * (features + 1) * 4, size);

        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx48m"));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            command.add("--add-modules=jdk.incubator.vector");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), StreamingHeapChild.class.getName(),
                file.toString(), Integer.toString(records), Integer.toString(features)));
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = child.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            child.destroyForcibly().waitFor();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(finished, "the child did not finish in 120 s:\n" + output);
        assertEquals(0, child.exitValue(), output);
        Matcher m = Pattern.compile("samples=(\\d+) batches=(\\d+) batchesPerEpoch=(\\d+) maxMemory=(\\d+) loss=(\\S+)")
                .matcher(output);
        assertTrue(m.find(), output);
        assertEquals(records, Long.parseLong(m.group(1)), "every record trained on once");
        assertEquals(records / 256, Long.parseLong(m.group(2)));
        assertEquals(records / 256, Long.parseLong(m.group(3)));
        long maxMemory = Long.parseLong(m.group(4));
        assertTrue(size > 4 * maxMemory, "the file (" + size + " bytes) must be several times the child's heap ("
                + maxMemory + " bytes)");
        double loss = Double.parseDouble(m.group(5));
        assertTrue(Double.isFinite(loss) && loss < Math.log(10), "the epoch learned something: loss " + loss);
    }

    /** Record i: label i mod 10; feature j is a small pattern plus 1 where j mod 10 is the label, so it is learnable. */
    private static void writeRecords(Path file, int records, int features) throws IOException {
        int perChunk = 256;
        ByteBuffer chunk = ByteBuffer.allocateDirect(perChunk * (features + 1) * 4).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int i = 0; i < records; i++) {
                int label = i % 10;
                for (int j = 0; j < features; j++) {
                    chunk.putFloat(((i * 31 + j * 17) & 63) / 64f - 0.5f + (j % 10 == label ? 1f : 0f));
                }
                chunk.putFloat(label);
                if (!chunk.hasRemaining()) {
                    chunk.flip();
                    while (chunk.hasRemaining()) {
                        out.write(chunk);
                    }
                    chunk.clear();
                }
            }
        }
    }
}
