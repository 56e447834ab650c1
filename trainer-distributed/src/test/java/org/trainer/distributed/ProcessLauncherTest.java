package org.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
import org.trainer.optim.SGD;

/** Ranks in separate JVM processes: results, a killed rank named by the others, and a resumed job. */
class ProcessLauncherTest {

    @Test
    void eachRankIsAProcessOfItsOwnAndRankZerosResultComesBack(@TempDir Path dir) {
        long[] got = ProcessLauncher.builder().processes(3).workDirectory(dir).timeout(Duration.ofSeconds(30)).build()
                .run(ctx -> {
                    double[] pids = new double[ctx.worldSize()];
                    pids[ctx.rank()] = ProcessHandle.current().pid();
                    ctx.collective().allReduce(pids, 0, pids.length, ReduceOp.SUM);
                    long[] out = new long[pids.length + 1];
                    for (int r = 0; r < pids.length; r++) {
                        out[r] = (long) pids[r];
                    }
                    out[pids.length] = ctx.rank();
                    return out;
                });
        assertEquals(0, got[3], "rank 0's result");
        assertEquals(3, java.util.Arrays.stream(got, 0, 3).distinct().count());
        for (int r = 0; r < 3; r++) {
            assertNotEquals(ProcessHandle.current().pid(), got[r]);
        }
    }

    @Test
    void aFunctionThatCannotBeSentIsRefusedByName(@TempDir Path dir) {
        Path notSerializable = dir;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcessLauncher.builder()
                .workDirectory(dir).build().run(ctx -> notSerializable.toString()));
        assertTrue(e.getMessage().contains("fn must be serializable") && e.getMessage().contains("UnixPath"), e.getMessage());
    }

    @Test
    void aFailingFunctionFailsTheJobWithItsMessage(@TempDir Path dir) {
        LaunchException e = assertThrows(LaunchException.class, () -> ProcessLauncher.builder().processes(2)
                .workDirectory(dir).timeout(Duration.ofSeconds(20)).build().run(ctx -> {
                    if (ctx.rank() == 1) {
                        throw new IllegalStateException("no data for rank 1");
                    }
                    ctx.collective().barrier();
                    return 0;
                }));
        assertEquals(1, e.attempts().size());
        assertTrue(e.getMessage().contains("rank 1 exited with code 1: rank 1: java.lang.IllegalStateException: no data "
                + "for rank 1"), e.getMessage());
        // Rank 0 learns why from rank 1 itself.
        assertTrue(e.getMessage().contains("rank 0 exited with code 1: rank 0: org.trainer.distributed.CollectiveException:"
                + " barrier on rank 0: rank 1 failed: java.lang.IllegalStateException: no data for rank 1"), e.getMessage());
    }

    @Test
    void threeProcessesTrainAnMlpAndACnnAsOneProcessWithTheirBatchesTogether(@TempDir Path dir) {
        TensorDataset mlpData = DistributedDataParallelTest.data(96, 10);
        TensorDataset cnnData = DistributedDataParallelTest.data(48, 1, 8, 8);
        // 20 steps each: 96 / 24 and 48 / 12 are 4 steps an epoch, for 5 epochs.
        Map<String, double[]> mlp = DistributedDataParallelTest.single(DistributedDataParallelTest::mlp,
                DistributedDataParallelTest::sgd, mlpData, 24, 5, 1);
        Map<String, double[]> cnn = DistributedDataParallelTest.single(DistributedDataParallelTest::cnn,
                m -> new org.trainer.optim.Adam(m.parameters(), 0.01), cnnData, 12, 5, 1);
        ArrayList<HashMap<String, double[]>> got = ProcessLauncher.builder().processes(3).workDirectory(dir)
                .timeout(Duration.ofSeconds(30)).build().run(ctx -> {
                    ArrayList<HashMap<String, double[]>> out = new ArrayList<>();
                    for (int which = 0; which < 2; which++) {
                        boolean isMlp = which == 0;
                        TensorDataset d = isMlp ? DistributedDataParallelTest.data(96, 10)
                                : DistributedDataParallelTest.data(48, 1, 8, 8);
                        Module m = isMlp ? DistributedDataParallelTest.mlp(7 + ctx.rank())
                                : DistributedDataParallelTest.cnn(7 + ctx.rank());
                        try (DistributedDataParallel ddp = new DistributedDataParallel(m, ctx.collective(), 300)) {
                            DataLoader loader = DataLoader.builder(d).batchSize(isMlp ? 8 : 4)
                                    .sampler(new DistributedSampler(d.size(), ctx.rank(), 3, true, 3, false)).build();
                            org.trainer.core.train.Optimizer opt = isMlp ? DistributedDataParallelTest.sgd(ddp)
                                    : new org.trainer.optim.Adam(ddp.parameters(), 0.01);
                            new Trainer().fit(ddp, new CrossEntropyLoss(), opt, loader, null, 5);
                            HashMap<String, double[]> w = new HashMap<>(DistributedDataParallelTest.weights(m));
                            // Every rank's weights, bit for bit, to see that the replicas agree.
                            java.nio.ByteBuffer bits = java.nio.ByteBuffer.allocate(
                                    w.values().stream().mapToInt(a -> a.length * 8).sum());
                            for (double[] a : new java.util.TreeMap<>(w).values()) {
                                for (double v : a) {
                                    bits.putDouble(v);
                                }
                            }
                            byte[][] all = ctx.collective().allGather(bits.array());
                            boolean equal = true;
                            for (byte[] other : all) {
                                equal &= java.util.Arrays.equals(other, all[0]);
                            }
                            w.put("replicas equal", new double[] {equal ? 1 : 0});
                            out.add(w);
                        }
                    }
                    return out;
                });
        for (int which = 0; which < 2; which++) {
            Map<String, double[]> expected = which == 0 ? mlp : cnn;
            HashMap<String, double[]> w = got.get(which);
            Map<String, double[]> weights = new HashMap<>();
            expected.keySet().forEach(k -> weights.put(k, w.get(k)));
            DistributedDataParallelTest.assertClose(expected, weights, 1e-10);
            assertEquals(1.0, w.get("replicas equal")[0], "the three replicas are bitwise equal");
        }
    }

    /** Trains a data-parallel MLP on 2 ranks; on attempt 0 rank 1 kills itself with SIGKILL after step killAt. */
    static Map<String, double[]> train(DistributedContext ctx, String checkpoints, long killAt) {
        TensorDataset d = DistributedDataParallelTest.data(96, 10);
        Module model = new org.trainer.core.nn.Sequential(new org.trainer.core.nn.Linear(10, 16, true, null, 3),
                new org.trainer.core.nn.Activation.Tanh(), new org.trainer.core.nn.Linear(16, 3, true, null, 4))
                .to(org.trainer.core.DType.FLOAT64);
        try (DistributedDataParallel ddp = new DistributedDataParallel(model, ctx.collective(), 256)) {
            DataLoader loader = DataLoader.builder(d).batchSize(6)
                    .sampler(new DistributedSampler(d.size(), ctx.rank(), ctx.worldSize(), true, 5, false)).build();
            Trainer trainer = new Trainer().checkpoints(Checkpointing.builder(Path.of(checkpoints)).everySteps(2).keepLast(2)
                    .writes(ctx.isLeader()).build());
            if (ctx.attempt() == 0 && ctx.rank() == 1 && killAt > 0) {
                trainer.callbacks(new Callback() {
                    @Override
                    public void onBatchEnd(TrainingContext t, int batch, double loss) {
                        if (t.iteration() == killAt) {
                            try {
                                new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid()))
                                        .start().waitFor();
                                Thread.sleep(10_000);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    }
                });
            }
            trainer.fit(ddp, new CrossEntropyLoss(), new SGD(ddp.parameters(), 0.1, 0.9, 0), loader, null, 3);
            Map<String, double[]> w = new HashMap<>();
            model.stateDict().forEach((k, v) -> w.put(k, v.toDoubleArray()));
            w.put("rank", new double[] {ctx.rank()});
            w.put("attempt", new double[] {ctx.attempt()});
            return w;
        }
    }

    @Test
    void aKilledRankIsNamedByTheOthersAndTheRestartedJobResumesBitwise(@TempDir Path dir) throws Exception {
        String straightCkpt = dir.resolve("straight-checkpoints").toString();
        HashMap<String, double[]> straight = ProcessLauncher.builder().processes(2).workDirectory(dir.resolve("straight"))
                .timeout(Duration.ofSeconds(20)).build()
                .run(ctx -> new HashMap<>(train(ctx, straightCkpt, -1)));
        String ckpt = dir.resolve("checkpoints").toString();
        HashMap<String, double[]> resumed = ProcessLauncher.builder().processes(2).maxAttempts(2)
                .workDirectory(dir.resolve("killed")).timeout(Duration.ofSeconds(20)).build()
                .run(ctx -> new HashMap<>(train(ctx, ckpt, 9)));
        assertEquals(1.0, resumed.get("attempt")[0], "the job finished on its second attempt");
        // Attempt 0: rank 1 died of SIGKILL, and rank 0 failed naming it.
        String rank0 = Files.readString(dir.resolve("killed").resolve("attempt-0").resolve("rank-0.log"));
        assertTrue(rank0.contains("RANK FAILED") && rank0.contains("rank 1"), rank0);
        List<String> keys = new ArrayList<>(straight.keySet());
        keys.remove("attempt");
        for (String k : keys) {
            assertArrayEquals(straight.get(k), resumed.get(k), k);
        }
    }
}
