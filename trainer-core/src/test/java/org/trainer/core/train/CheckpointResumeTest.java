package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.DType;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Digits;
import org.trainer.core.data.Shuffle;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.metrics.Accuracy;
import org.trainer.core.metrics.F1Score;
import org.trainer.core.metrics.Metric;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Dropout;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.checkpoint.CheckpointStore;
import org.trainer.core.train.checkpoint.Checkpointing;
import org.trainer.core.train.checkpoint.StateEntries;
import org.trainer.core.train.checkpoint.Stateful;

/**
 * Resuming inside one JVM: a run that fails at any step and is started again from scratch objects
 * ends with weights, history (per-epoch figures, step losses) and callback state bitwise equal to a
 * run that never stopped: mid-epoch, at an epoch's end, on an epoch's last batch, after several
 * failures, and past a damaged newest checkpoint. A checkpoint of another model is refused.
 */
class CheckpointResumeTest {
    private static final int EPOCHS = 3;
    private static final TensorDataset DATA;
    private static final TensorDataset TRAIN;
    private static final TensorDataset VAL;

    static {
        DATA = Digits.load();
        int[] order = Shuffle.permutation(DATA.size(), 3, 0);
        TRAIN = DATA.subset(Arrays.copyOfRange(order, 0, 240)); // 10 batches of 25 (the last of 15)
        VAL = DATA.subset(Arrays.copyOfRange(order, 240, 300));
    }

    /** A stateful callback: the number of batches and the sum of their losses. */
    static final class Tally implements Callback, Stateful {
        long batches;
        double lossSum;

        @Override
        public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
            batches++;
            lossSum += loss;
        }

        @Override
        public Map<String, Tensor> stateDict() {
            return Map.of("batches", StateEntries.scalar(batches), "loss_sum", StateEntries.scalar(lossSum));
        }

        @Override
        public void loadStateDict(Map<String, Tensor> state) {
            batches = StateEntries.readCount("Tally", state, "batches");
            lossSum = StateEntries.readScalar("Tally", state, "loss_sum");
        }
    }

    /** Fails the run after the step that reaches a given iteration, as a crash would. */
    static final class Crash implements Callback {
        final long at;

        Crash(long at) {
            this.at = at;
        }

        @Override
        public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
            if (ctx.iteration() == at) {
                throw new IllegalStateException("crash at " + at);
            }
        }
    }

    record Outcome(float[] weights, History history, Tally tally) {
    }

    static Outcome fit(Checkpointing checkpointing, long crashAt, int hidden, Callback... more) {
        return fit(checkpointing, crashAt, hidden, 1, more);
    }

    static Outcome fit(Checkpointing checkpointing, long crashAt, int hidden, int accumulate, Callback... more) {
        Seeds.set(11);
        Sequential model = new Sequential(new Linear(64, hidden), new Activation.ReLU(), new Dropout(0.3),
                new Linear(hidden, 10));
        Optimizer opt = TrainerTest.gd(model.parameters(), 0.2);
        Tally tally = new Tally();
        Trainer trainer = new Trainer().metrics(Accuracy::new, () -> new F1Score(10)).recordStepLosses(true)
                .schedule(new LearningRateSchedule() {
                    @Override
                    public double learningRate(double base, long t) {
                        return base / (1 + 0.05 * t);
                    }

                    @Override
                    public boolean perIteration() {
                        return true;
                    }
                })
                .callbacks(tally, new Crash(crashAt)).callbacks(more).accumulateGradients(accumulate);
        if (checkpointing != null) {
            trainer.checkpoints(checkpointing);
        }
        DataLoader train = DataLoader.builder(TRAIN).batchSize(25).shuffle(true).seed(5).prefetch(2).build();
        DataLoader val = DataLoader.builder(VAL).batchSize(32).build();
        History h = trainer.fit(model, new CrossEntropyLoss(), opt, train, val, EPOCHS);
        float[] w = model.parameters().stream().map(p -> p.value().toFloatArray())
                .reduce(new float[0], CheckpointResumeTest::concat);
        return new Outcome(w, h, tally);
    }

    static float[] concat(float[] a, float[] b) {
        float[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static void assertSameRun(Outcome expected, Outcome actual, String what) {
        assertArrayEquals(expected.weights(), actual.weights(), what + ": weights");
        assertEquals(expected.history().all(), actual.history().all(), what + ": per-epoch figures");
        assertEquals(expected.history().stepLosses(), actual.history().stepLosses(), what + ": step losses");
        assertEquals(expected.tally().batches, actual.tally().batches, what + ": callback state");
        assertEquals(expected.tally().lossSum, actual.tally().lossSum, 0.0, what + ": callback state");
    }

    /** Runs with failures at the given iterations, each time starting again from fresh objects. */
    static Outcome crashAndResume(Checkpointing c, long... crashes) {
        for (long at : crashes) {
            var e = assertThrows(IllegalStateException.class, () -> fit(c, at, 24));
            assertEquals("crash at " + at, e.getMessage());
        }
        return fit(c, -1, 24);
    }

    @Test
    void aRunResumedAfterFailuresAnywhereEndsBitwiseAsOneThatNeverStopped(@TempDir Path dir) {
        Outcome straight = fit(null, -1, 24);
        assertEquals(EPOCHS * 10, straight.history().stepLosses().size());
        // Mid-epoch (7, 23), right after an epoch's end (10, 21), on an epoch's last batch (20, 29), twice running.
        long[][] scenarios = {{7}, {10}, {23}, {7, 16, 21, 29}, {20, 20}};
        for (int i = 0; i < scenarios.length; i++) {
            Checkpointing c = Checkpointing.builder(dir.resolve("run" + i)).everySteps(3).keepLast(2).build();
            assertSameRun(straight, crashAndResume(c, scenarios[i]), "crashes at " + Arrays.toString(scenarios[i]));
        }
        // Step checkpoints only, one of them on an epoch's last batch (iteration 10: validation still to come).
        Checkpointing steps = Checkpointing.builder(dir.resolve("steps")).everySteps(5).everyEpoch(false).build();
        assertSameRun(straight, crashAndResume(steps, 11, 27), "step checkpoints only");
        // Epoch checkpoints only: a failure mid-epoch repeats that epoch from its start.
        Checkpointing epochs = Checkpointing.builder(dir.resolve("epochs")).build();
        assertSameRun(straight, crashAndResume(epochs, 15), "epoch checkpoints only");
    }

    @Test
    void aReadOnlyRunResumesFromTheWritersCheckpointsAndWritesNothing(@TempDir Path dir) throws IOException {
        Outcome straight = fit(null, -1, 24);
        Checkpointing writer = Checkpointing.builder(dir.resolve("shared")).everySteps(3).keepLast(2).build();
        assertThrows(IllegalStateException.class, () -> fit(writer, 17, 24));
        CheckpointStore store = new CheckpointStore(dir.resolve("shared"));
        java.util.List<Path> before = store.list();
        java.util.List<java.nio.file.attribute.FileTime> times = new java.util.ArrayList<>();
        for (Path p : before) {
            times.add(java.nio.file.Files.getLastModifiedTime(p));
        }
        Checkpointing reader = Checkpointing.builder(dir.resolve("shared")).everySteps(3).keepLast(2).writes(false).build();
        assertSameRun(straight, fit(reader, -1, 24), "a reader resumed from the writer's checkpoint");
        assertEquals(before, store.list(), "the reader wrote or removed nothing");
        for (int i = 0; i < before.size(); i++) {
            assertEquals(times.get(i), java.nio.file.Files.getLastModifiedTime(before.get(i)));
        }
        Checkpointing empty = Checkpointing.builder(dir.resolve("empty")).everySteps(3).writes(false).build();
        assertSameRun(straight, fit(empty, -1, 24), "a reader without checkpoints trains from the start");
        assertEquals(0, new CheckpointStore(dir.resolve("empty")).list().size());
    }

    @Test
    void withAccumulationARunResumesFromTheLastOptimizerStep(@TempDir Path dir) {
        Outcome straight = fit(null, -1, 24, 3);
        assertEquals(EPOCHS * 10, straight.history().stepLosses().size());
        // Checkpoints after optimizer steps only (batches 3, 6, 9 and the epoch's last); crashes mid-step.
        Checkpointing c = Checkpointing.builder(dir).everySteps(3).keepLast(2).build();
        for (long at : new long[] {8, 14, 25}) {
            assertThrows(IllegalStateException.class, () -> fit(c, at, 24, 3));
        }
        assertSameRun(straight, fit(c, -1, 24, 3), "accumulating run resumed after crashes mid-step");
    }

    /** Asks to stop after a given iteration; optionally fails at the end of that epoch. */
    static final class StopAt implements Callback {
        final long at;
        final boolean failAtEpochEnd;

        StopAt(long at, boolean failAtEpochEnd) {
            this.at = at;
            this.failAtEpochEnd = failAtEpochEnd;
        }

        @Override
        public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
            if (ctx.iteration() == at) {
                ctx.requestStop();
            }
        }

        @Override
        public void onEpochEnd(TrainingContext ctx, int epoch, Map<String, Double> logs) {
            if (failAtEpochEnd && ctx.stopRequested()) {
                throw new IllegalStateException("crash at the end of epoch " + epoch);
            }
        }
    }

    @Test
    void aStopRequestedBeforeTheCheckpointStillEndsItsEpochAndNothingMore(@TempDir Path dir) {
        Outcome straight = fit(null, -1, 24, new StopAt(14, false));
        assertEquals(2, straight.history().epochCount());
        assertEquals(14, straight.history().stepLosses().size());
        Checkpointing c = Checkpointing.builder(dir).everySteps(7).build();
        assertThrows(IllegalStateException.class, () -> fit(c, -1, 24, new StopAt(14, true)));
        assertSameRun(straight, fit(c, -1, 24, new StopAt(14, false)), "resumed after a stop request");
        assertSameRun(straight, fit(c, -1, 24, new StopAt(14, false)), "resumed at the stopped run's end");
    }

    @Test
    void aFinishedRunResumesToItsEnd(@TempDir Path dir) throws IOException {
        Checkpointing c = Checkpointing.builder(dir).everySteps(4).keepLast(3).build();
        Outcome first = fit(c, -1, 24);
        assertEquals(3, new CheckpointStore(dir).list().size());
        assertEquals("epoch-00003-batch-0000000", new CheckpointStore(dir).list().get(2).getFileName().toString());
        Outcome again = fit(c, -1, 24);
        assertSameRun(first, again, "a second fit of a finished run");
        assertEquals(0, again.tally().batches - first.tally().batches);
    }

    @Test
    void aDamagedNewestCheckpointIsPassedOverForThePreviousOne(@TempDir Path dir) throws IOException {
        Outcome straight = fit(null, -1, 24);
        Checkpointing c = Checkpointing.builder(dir).everySteps(3).keepLast(3).build();
        assertThrows(IllegalStateException.class, () -> fit(c, 17, 24));
        List<Path> saved = new CheckpointStore(dir).list();
        Path newest = saved.get(saved.size() - 1);
        assertEquals("epoch-00001-batch-0000005", newest.getFileName().toString());
        Path weights = newest.resolve("model.safetensors");
        Files.write(weights, Arrays.copyOf(Files.readAllBytes(weights), (int) Files.size(weights) / 2));
        assertSameRun(straight, fit(c, -1, 24), "resumed from the checkpoint before a truncated one");
    }

    @Test
    void aCheckpointOfAnotherModelOrDataIsRefused(@TempDir Path dir) {
        Checkpointing c = Checkpointing.builder(dir).everySteps(3).build();
        assertThrows(IllegalStateException.class, () -> fit(c, 5, 24));
        var e = assertThrows(IllegalStateException.class, () -> fit(c, -1, 16));
        assertTrue(e.getMessage().startsWith("checkpoint " + dir.resolve("epoch-00000-batch-0000003")
                + " does not fit this run: '0.weight' has shape [24, 64] in the checkpoint and [16, 64] in the model"),
                e.getMessage());

        Seeds.set(11);
        Sequential model = new Sequential(new Linear(64, 24), new Activation.ReLU(), new Dropout(0.3), new Linear(24, 10));
        DataLoader other = DataLoader.builder(TRAIN).batchSize(20).build();
        e = assertThrows(IllegalStateException.class, () -> new Trainer().checkpoints(c)
                .fit(model, new CrossEntropyLoss(), TrainerTest.gd(model.parameters(), 0.1), other, null, 1));
        assertTrue(e.getMessage().contains("it was written with 10 batches per epoch, the training data now gives 12"),
                e.getMessage());
    }

    @Test
    void midEpochCheckpointsNeedStatefulMetrics(@TempDir Path dir) {
        Metric plain = new Metric() {
            @Override
            public String name() {
                return "plain";
            }

            @Override
            public void update(Tensor prediction, Tensor target) {
            }

            @Override
            public double compute() {
                return 0;
            }

            @Override
            public void reset() {
            }
        };
        Sequential model = new Sequential(new Linear(64, 10));
        DataLoader train = DataLoader.builder(TRAIN).batchSize(25).build();
        Trainer t = new Trainer().metrics(() -> plain)
                .checkpoints(Checkpointing.builder(dir).everySteps(2).build());
        var e = assertThrows(IllegalArgumentException.class,
                () -> t.fit(model, new CrossEntropyLoss(), TrainerTest.gd(model.parameters(), 0.1), train, null, 1));
        assertTrue(e.getMessage().startsWith("checkpoints: metric 'plain'"), e.getMessage());
        // At epoch ends alone the metric needs no state.
        t.checkpoints(Checkpointing.builder(dir).build())
                .fit(model, new CrossEntropyLoss(), TrainerTest.gd(model.parameters(), 0.1), train, null, 1);
        assertTrue(Files.isDirectory(dir.resolve("epoch-00001-batch-0000000")));
        assertEquals(DType.FLOAT32, model.parameters().get(0).value().dtype());
    }
}
