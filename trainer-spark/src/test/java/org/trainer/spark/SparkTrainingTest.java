package org.trainer.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.trainer.distributed.DistributedDataParallelTest.assertClose;
import static org.trainer.distributed.DistributedDataParallelTest.data;
import static org.trainer.distributed.DistributedDataParallelTest.mlp;
import static org.trainer.distributed.DistributedDataParallelTest.sgd;
import static org.trainer.distributed.DistributedDataParallelTest.weights;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Module;
import org.trainer.core.train.Callback;
import org.trainer.core.train.Trainer;
import org.trainer.core.train.TrainingContext;
import org.trainer.core.train.checkpoint.Checkpointing;
import org.trainer.distributed.Collective;
import org.trainer.distributed.DistributedContext;
import org.trainer.distributed.DistributedDataParallel;
import org.trainer.distributed.DistributedSampler;

/**
 * Data-parallel training on two Spark tasks against one process: an MLP in float64, 20 steps, must
 * end where one process with the ranks' batches together ends, the replicas bitwise equal; a run
 * whose rank 1 fails mid-way resumes, on Spark's next attempt, from rank 0's checkpoint and ends
 * bitwise where an uninterrupted run ends.
 */
class SparkTrainingTest {
    private static final long SEED = 7;
    /** 96 samples in batches of 24 (12 a rank): 4 steps an epoch, 5 epochs, 20 steps. */
    private static final int SAMPLES = 96;
    private static final int BATCH = 24;
    private static final int EPOCHS = 5;
    private static SparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = new SparkContext(new SparkConf().setMaster("local[2,3]").setAppName("SparkTrainingTest")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1").set("spark.stage.maxConsecutiveAttempts", "3"));
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    /** One process, batches of 24 from shuffle seed 3. */
    static Map<String, double[]> single() {
        Module m = mlp(SEED);
        TensorDataset d = data(SAMPLES, 10);
        DataLoader loader = DataLoader.builder(d).batchSize(BATCH).shuffle(true).seed(3).build();
        new Trainer().fit(m, new CrossEntropyLoss(), sgd(m), loader, null, EPOCHS);
        return weights(m);
    }

    /**
     * One rank of the data-parallel run: its own initialization (DDP broadcasts rank 0's), batches of
     * 12 from its shard, checkpoints in {@code checkpoints} (written by rank 0) when not null, and
     * {@code probe} watching. Returns every rank's final weights, by rank.
     */
    static Run rank(DistributedContext ctx, String checkpoints, Probe probe) {
        int world = ctx.worldSize();
        TensorDataset d = data(SAMPLES, 10);
        try (DistributedDataParallel ddp = new DistributedDataParallel(mlp(SEED + 1000 * ctx.rank()),
                ctx.collective(), 300)) {
            DataLoader loader = DataLoader.builder(d).batchSize(BATCH / world)
                    .sampler(new DistributedSampler(d.size(), ctx.rank(), world, true, 3, false)).build();
            Trainer trainer = new Trainer().callbacks(probe);
            if (checkpoints != null) {
                trainer.checkpoints(Checkpointing.builder(Path.of(checkpoints)).everySteps(5).keepLast(2)
                        .writes(ctx.isLeader()).build());
            }
            trainer.fit(ddp, new CrossEntropyLoss(), sgd(ddp), loader, null, EPOCHS);
            return new Run(ctx.attempt(), probe.startStep, gather(ctx.collective(), weights(ddp.module())));
        }
    }

    /**
     * What a data-parallel run returns: the attempt that completed it, the step rank 0's fit started
     * from in that attempt, and every rank's final weights.
     */
    record Run(int attempt, long startStep, ArrayList<LinkedHashMap<String, double[]>> weights) implements java.io.Serializable {
    }

    /** Every rank's weights, by rank, exchanged through the collective. */
    @SuppressWarnings("unchecked")
    static ArrayList<LinkedHashMap<String, double[]>> gather(Collective c, LinkedHashMap<String, double[]> mine) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(mine);
            }
            ArrayList<LinkedHashMap<String, double[]>> all = new ArrayList<>();
            for (byte[] b : c.allGather(bytes.toByteArray())) {
                try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
                    all.add((LinkedHashMap<String, double[]>) in.readObject());
                }
            }
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Notes the step a rank's fit starts from (past 0 when it resumed from a checkpoint), and throws
     * after optimizer step {@code failStep} on rank {@code failRank} in attempt {@code failAttempt}.
     */
    static final class Probe implements Callback {
        private final DistributedContext ctx;
        private final int failRank;
        private final int failAttempt;
        private final long failStep;
        long startStep = -1;

        Probe(DistributedContext ctx, int failRank, int failAttempt, long failStep) {
            this.ctx = ctx;
            this.failRank = failRank;
            this.failAttempt = failAttempt;
            this.failStep = failStep;
        }

        @Override
        public void onBatchBegin(TrainingContext tc, int batch) {
            if (startStep < 0) {
                startStep = tc.iteration();
            }
        }

        @Override
        public void onBatchEnd(TrainingContext tc, int batch, double loss) {
            if (ctx.rank() == failRank && ctx.attempt() == failAttempt && tc.iteration() == failStep) {
                throw new IllegalStateException("rank " + failRank + " stops after step " + failStep + " of attempt "
                        + failAttempt);
            }
        }
    }

    private static SparkDistributor twoRanks() {
        return SparkDistributor.builder().numProcesses(2).sparkContext(sc).timeout(Duration.ofSeconds(60))
                .maxAttempts(3).build();
    }

    static void assertBitwiseEqual(Map<String, double[]> expected, Map<String, double[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, e) -> assertArrayEquals(e, actual.get(k), what + " " + k));
    }

    @Test
    void settingsForContextsCreatedHereAreRefusedWithAGivenContext() {
        SparkDistributor.Builder b = SparkDistributor.builder().sparkContext(sc).config("spark.executor.memory", "1g");
        assertEquals("SparkDistributor: config [spark.executor.memory] applies to the contexts the distributor creates,"
                + " not to the given sparkContext; set them on its SparkConf",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, b::build).getMessage());
    }

    @Test
    void twoSparkTasksTrainAsOneProcessWithTheirBatchesTogether() {
        Map<String, double[]> expected = single();
        Run run = twoRanks().run(ctx -> rank(ctx, null, new Probe(ctx, -1, -1, -1)));
        assertEquals(0, run.attempt());
        assertEquals(0, run.startStep());
        assertEquals(2, run.weights().size());
        assertBitwiseEqual(run.weights().get(0), run.weights().get(1), "rank 1 against rank 0:");
        assertClose(expected, run.weights().get(0), 1e-10);
        assertTrue(Math.abs(expected.get("0.weight")[0] - weights(mlp(SEED)).get("0.weight")[0]) > 1e-6,
                "training moved the weights");
    }

    @Test
    void aRankFailingMidRunResumesFromRankZerosCheckpointAsIfNeverStopped(@TempDir Path dir) throws IOException {
        String uninterrupted = Files.createDirectory(dir.resolve("uninterrupted")).toString();
        String resumed = Files.createDirectory(dir.resolve("resumed")).toString();
        Run reference = twoRanks().run(ctx -> rank(ctx, uninterrupted, new Probe(ctx, -1, -1, -1)));
        Run run = twoRanks().run(ctx -> rank(ctx, resumed, new Probe(ctx, 1, 0, 11)));
        assertEquals(1, run.attempt(), "the run completes on Spark's second attempt");
        assertEquals(10, run.startStep(), "the second attempt resumes from the checkpoint after step 10");
        assertBitwiseEqual(reference.weights().get(0), run.weights().get(0),
                "resumed rank 0 against the uninterrupted run:");
        assertBitwiseEqual(run.weights().get(0), run.weights().get(1), "rank 1 against rank 0:");
        assertClose(single(), run.weights().get(0), 1e-10);
    }
}
