package org.trainer.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.data.Batch;
import org.trainer.core.data.BatchIterator;
import org.trainer.core.data.BinaryRecords;
import org.trainer.core.data.Fifos;
import org.trainer.core.data.RecordSource;
import org.trainer.core.data.StreamingLoader;

/** A job's pipe channels (SageMaker's pipe mode): named pipes &lt;channel&gt;_&lt;epoch&gt; under input/data. */
class PipeChannelsTest {

    /** n records of 3 features and a label: record i of epoch e is [i, e, -i], label (i + e) mod 5. */
    static byte[] records(int n, int e) {
        ByteBuffer b = ByteBuffer.allocate(n * 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat(i).putFloat(e).putFloat(-i).putFloat((i + e) % 5);
        }
        return b.array();
    }

    /** Per epoch, the sum over the records of (features . [1, 10, 100] + 1000 x label): what the job reports. */
    static double checksum(BatchIterator it) {
        double sum = 0;
        while (it.hasNext()) {
            Batch b = it.next();
            float[] x = b.features().toFloatArray();
            int[] y = b.targets().toIntArray();
            for (int r = 0; r < y.length; r++) {
                sum += x[3 * r] + 10.0 * x[3 * r + 1] + 100.0 * x[3 * r + 2] + 1000.0 * y[r];
            }
        }
        it.close();
        return sum;
    }

    /** Streams its "train" pipe channel for 3 epochs, reporting each epoch's checksum. */
    public static class PipeJob implements JobDefinition {
        @Override
        public HyperparameterSpec hyperparameters() {
            return new HyperparameterSpec().integer("epochs", 3);
        }

        @Override
        public void train(JobContext ctx) throws Exception {
            if (!ctx.isPipeChannel("train") || ctx.isPipeChannel("validation")) {
                throw new IllegalStateException("channels: " + ctx.channels());
            }
            StreamingLoader loader = StreamingLoader.builder(BinaryRecords.classes(3, ctx.records("train")))
                    .batchSize(16).shuffleBuffer(8).seed(3).build();
            for (int e = 0; e < ctx.hyperparameters().getInt("epochs"); e++) {
                ctx.reportMetric("epoch" + e, checksum(loader.iterator()));
            }
        }
    }

    @Test
    void aJobSeesItsPipeChannelsAndReadsOnePipePerEpoch(@TempDir Path root) throws Exception {
        JobDirectory dir = JobDirectory.of(root.resolve("job")).writeHyperparameters(Map.of("epochs", 3));
        Files.createDirectories(dir.channel("validation"));
        Files.createDirectories(root.resolve("files"));
        List<Fifos.Writer> writers = new ArrayList<>();
        for (int e = 0; e < 3; e++) {
            byte[] bytes = records(100 + e, e);
            Files.write(root.resolve("files/train_" + e), bytes);
            writers.add(Fifos.feed(Fifos.make(dir.pipe("train", e)), bytes));
        }
        assertEquals(Map.of("train", dir.dataDir().resolve("train"), "validation", dir.channel("validation")),
                dir.channels());
        assertTrue(dir.isPipeChannel("train"));
        assertFalse(dir.isPipeChannel("validation"));
        assertFalse(dir.isPipeChannel("absent"));

        JobResult r = new TrainingJob(dir.root()).run(new PipeJob());
        assertTrue(r.succeeded(), r.failure());
        for (Fifos.Writer w : writers) {
            w.await();
        }
        StreamingLoader files = StreamingLoader.builder(BinaryRecords.classes(3,
                RecordSource.perEpoch(root.resolve("files/train")))).batchSize(16).shuffleBuffer(8).seed(3).build();
        for (int e = 0; e < 3; e++) {
            assertEquals(checksum(files.iterator(e)), r.metrics().get("epoch" + e), "epoch " + e);
        }
    }

    @Test
    void aFolderChannelIsNoPipeChannel(@TempDir Path root) throws Exception {
        JobDirectory dir = JobDirectory.of(root);
        Files.createDirectories(dir.channel("train"));
        Files.write(dir.dataDir().resolve("notes_1"), new byte[1]); // a regular file is no pipe
        assertEquals(List.of("train"), List.copyOf(dir.channels().keySet()));
        JobContext ctx = new JobContext(dir, null, dir.channels());
        assertEquals("channel 'train' is a folder (" + dir.channel("train") + "), not a pipe channel; read its files"
                + " instead", assertThrows(JobConfigurationException.class, () -> ctx.records("train")).getMessage());
    }
}
