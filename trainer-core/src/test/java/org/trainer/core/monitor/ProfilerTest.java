package org.trainer.core.monitor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.trainer.core.data.Batch;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Dataset;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Callback;
import org.trainer.core.train.MomentumSgd;
import org.trainer.core.train.Phase;
import org.trainer.core.train.Trainer;
import org.trainer.core.train.TrainingContext;

/** The profiler on real runs on the digits: the split adds up to the step time, and the advice follows it. */
class ProfilerTest {

    /** The digits, each batch taking {@code millis} longer to fetch: a slow disk or decoder. */
    static final class SlowDataset implements Dataset {
        private final TensorDataset data;
        private final long millis;

        SlowDataset(TensorDataset data, long millis) {
            this.data = data;
            this.millis = millis;
        }

        @Override
        public int size() {
            return data.size();
        }

        @Override
        public Batch get(int[] indices) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return data.get(indices);
        }
    }

    /** The times an epoch began and its last batch ended, read by a callback. */
    static final class Window implements Callback {
        long begin;
        long lastBatchEnd;

        @Override
        public void onEpochBegin(TrainingContext ctx, int epoch) {
            begin = System.nanoTime();
        }

        @Override
        public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
            lastBatchEnd = System.nanoTime();
        }
    }

    private static Sequential mlp(int hidden) {
        return new Sequential(new Linear(64, hidden), new Activation.ReLU(), new Linear(hidden, 10));
    }

    private static ProfileReport profile(Dataset data, Sequential model, int batch, Callback... callbacks) {
        Profiler profiler = new Profiler();
        DataLoader loader = DataLoader.builder(data).batchSize(batch).shuffle(true).seed(3).build();
        new Trainer().profiler(profiler).callbacks(callbacks).fit(model, new CrossEntropyLoss(),
                new MomentumSgd(model.parameters(), 0.05, 0.9), loader, null, 1);
        return profiler.report();
    }

    @Test
    void theSplitAddsUpToTheStepTimeAndAWaitForDataTriggersTheLoaderAdvice() {
        Seeds.set(1);
        Window window = new Window();
        ProfileReport r = profile(new SlowDataset(DigitsRuns.train(640), 3), mlp(32), 32, window);
        assertEquals(20, r.steps());
        assertEquals(640, r.samples());
        long sum = r.phases().values().stream().mapToLong(PhaseStats::totalNanos).sum();
        assertEquals(r.totalNanos(), sum);
        // The phases cover the epoch from its first fetch to the last batch's callbacks.
        long measured = window.lastBatchEnd - window.begin;
        assertTrue(Math.abs(r.totalNanos() - measured) < 0.05 * measured + 2_000_000,
                "profiled " + r.totalNanos() + " ns, measured by a callback " + measured + " ns");
        assertEquals(1.0, r.phases().values().stream().mapToDouble(PhaseStats::fraction).sum(), 1e-9);
        for (PhaseStats s : r.phases().values()) {
            assertEquals(s.totalNanos() / 20.0, s.meanNanos(), 1e-6);
            assertTrue(s.p50Nanos() <= s.p95Nanos() && s.p95Nanos() <= s.maxNanos(), s::toString);
        }
        assertTrue(r.stepP50Nanos() >= 3_000_000, "each step waits 3 ms for its batch: " + r.stepP50Nanos());
        assertTrue(r.phases().get(Phase.DATA).p50Nanos() >= 3_000_000, r::toString);
        assertEquals(640 / (r.totalNanos() / 1e9), r.samplesPerSecond(), 1e-9);
        assertTrue(r.fraction(Phase.DATA) > ProfileReport.DATA_WAIT_THRESHOLD, r::toString);
        List<Recommendation> advice = r.recommendations();
        assertEquals(1, advice.size(), advice::toString);
        assertTrue(advice.get(0).observation().startsWith("data wait is"), advice::toString);
        assertTrue(advice.get(0).advice().contains("workers(n)"), advice::toString);
        // The CPU: no device figures.
        assertFalse(r.onDevice());
        assertTrue(Double.isNaN(r.deviceBusyFraction()));
        assertEquals(-1, r.deviceMemoryUsed());
        assertEquals("cpu", r.device());
        assertTrue(r.heapPeak() > 0 && r.heapPeak() <= r.heapMax(), r::toString);
    }

    @Test
    void loaderWorkersFetchingAheadCutTheDataWait() {
        Seeds.set(1);
        ProfileReport slow = profile(new SlowDataset(DigitsRuns.train(640), 3), mlp(32), 32);
        Seeds.set(1);
        Profiler profiler = new Profiler();
        Sequential model = mlp(32);
        DataLoader loader = DataLoader.builder(new SlowDataset(DigitsRuns.train(640), 3)).batchSize(32).shuffle(true)
                .seed(3).prefetch(8).workers(4).build();
        new Trainer().profiler(profiler).fit(model, new CrossEntropyLoss(),
                new MomentumSgd(model.parameters(), 0.05, 0.9), loader, null, 1);
        ProfileReport fast = profiler.report();
        assertTrue(fast.phases().get(Phase.DATA).totalNanos() < 0.6 * slow.phases().get(Phase.DATA).totalNanos(),
                "data wait with 4 workers " + fast.phases().get(Phase.DATA).totalNanos() + " ns, with none "
                        + slow.phases().get(Phase.DATA).totalNanos() + " ns");
    }

    @Test
    void aComputeBoundRunGetsNoAdvice() {
        Seeds.set(1);
        ProfileReport r = profile(DigitsRuns.train(1280), new Sequential(new Linear(64, 512), new Activation.ReLU(),
                new Linear(512, 512), new Activation.ReLU(), new Linear(512, 10)), 64);
        assertTrue(r.fraction(Phase.DATA) < ProfileReport.DATA_WAIT_THRESHOLD, r::toString);
        assertTrue(r.fraction(Phase.FORWARD) + r.fraction(Phase.BACKWARD) + r.fraction(Phase.OPTIMIZER) > 0.5,
                r::toString);
        assertEquals(List.of(), r.recommendations(), r::toString);
        assertEquals(0, r.phases().get(Phase.SYNC).p95Nanos() / 1_000_000, "nothing to wait for on the CPU");
    }

    @Test
    void slowCallbacksTriggerTheirOwnAdvice() {
        Seeds.set(1);
        Callback slow = new Callback() {
            @Override
            public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
                try {
                    Thread.sleep(3);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        ProfileReport r = profile(DigitsRuns.train(640), mlp(32), 32, slow);
        assertTrue(r.fraction(Phase.OTHER) > ProfileReport.OTHER_THRESHOLD, r::toString);
        assertTrue(r.recommendations().stream().anyMatch(a -> a.observation().startsWith("metrics, callbacks")),
                r::toString);
    }

    @Test
    void profilingChangesNoResultAndSkipsWarmUpSteps() {
        Seeds.set(1);
        Sequential a = mlp(32);
        Seeds.set(1);
        Sequential b = mlp(32);
        DataLoader loader = DataLoader.builder(DigitsRuns.train(320)).batchSize(32).shuffle(true).seed(3).build();
        new Trainer().fit(a, new CrossEntropyLoss(), new MomentumSgd(a.parameters(), 0.05, 0.9), loader, null, 2);
        Profiler profiler = new Profiler(5);
        new Trainer().profiler(profiler).fit(b, new CrossEntropyLoss(), new MomentumSgd(b.parameters(), 0.05, 0.9),
                loader, null, 2);
        for (int i = 0; i < a.parameters().size(); i++) {
            assertArrayEquals(a.parameters().get(i).value().toFloatArray(), b.parameters().get(i).value().toFloatArray());
        }
        assertEquals(15, profiler.steps(), "20 steps, the first 5 left out");
        assertEquals(15 * 32, profiler.report().samples());
        profiler.reset();
        assertEquals(0, profiler.steps());
        assertEquals(List.of(), profiler.report().recommendations());
    }

    @Test
    void badArgumentsAreRefused() {
        assertEquals("Profiler: skipSteps must be >= 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> new Profiler(-1)).getMessage());
    }
}
