package org.trainer.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.Tensor;
import org.trainer.core.data.DataLoader;
import org.trainer.core.loss.CrossEntropyLoss;
import org.trainer.core.nn.Activation;
import org.trainer.core.nn.Linear;
import org.trainer.core.nn.Parameter;
import org.trainer.core.nn.Seeds;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.Callback;
import org.trainer.core.train.Finding;
import org.trainer.core.train.History;
import org.trainer.core.train.MomentumSgd;
import org.trainer.core.train.Trainer;
import org.trainer.core.train.TrainingContext;
import org.trainer.core.train.checkpoint.Checkpointing;
import org.trainer.core.train.checkpoint.StateEntries;

/** The monitor's machinery: what it samples and when, where findings land, failures, checkpoints. */
class MonitorTest {

    /** Keeps what it is handed (on the rule thread). */
    static final class Recorder implements Rule {
        final List<Snapshot> snapshots = Collections.synchronizedList(new ArrayList<>());
        final List<EpochFigures> epochs = Collections.synchronizedList(new ArrayList<>());
        final List<String> threads = Collections.synchronizedList(new ArrayList<>());

        @Override
        public String name() {
            return "Recorder";
        }

        @Override
        public List<Finding> onStep(Snapshot s) {
            snapshots.add(s);
            threads.add(Thread.currentThread().getName());
            return List.of();
        }

        @Override
        public List<Finding> onEpoch(EpochFigures e) {
            epochs.add(e);
            return List.of();
        }
    }

    /** Computes the sampled steps' parameter figures with tensor arithmetic, independently of the monitor. */
    static final class Expected implements Callback {
        final int every;
        final Map<Long, Map<String, double[]>> byIteration = new LinkedHashMap<>();
        private final Map<String, Tensor> before = new LinkedHashMap<>();

        Expected(int every) {
            this.every = every;
        }

        @Override
        public void onBatchBegin(TrainingContext ctx, int batch) {
            before.clear();
            if (ctx.iteration() % every == 0) {
                ctx.model().namedParameters().forEach((n, p) -> before.put(n, p.value().detach().copy()));
            }
        }

        @Override
        public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
            if (before.isEmpty()) {
                return;
            }
            Map<String, double[]> figures = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : ctx.model().namedParameters().entrySet()) {
                Tensor w0 = before.get(e.getKey());
                Tensor w1 = e.getValue().value().detach();
                Tensor g = e.getValue().grad();
                figures.put(e.getKey(), new double[] {norm(w0), norm(g), norm(w1.sub(w0))});
            }
            byIteration.put(ctx.iteration(), figures);
        }

        static double norm(Tensor t) {
            return Math.sqrt(t.mul(t).sum().item());
        }
    }

    static History fit(Sequential model, double lr, int epochs, Callback... callbacks) {
        DataLoader tl = DataLoader.builder(MonitorRulesTest.part(0, 240)).batchSize(25).shuffle(true).seed(5).build();
        DataLoader vl = DataLoader.builder(MonitorRulesTest.part(240, 300)).batchSize(60).build();
        return new Trainer().callbacks(callbacks).fit(model, new CrossEntropyLoss(),
                new MomentumSgd(model.parameters(), lr, 0.9), tl, vl, epochs);
    }

    static Sequential small() {
        Seeds.set(5);
        return new Sequential(new Linear(64, 16), new Activation.ReLU(), new Linear(16, 10));
    }

    @Test
    void samplesEveryNthStepOnTheRuleThreadWithTheTensorsFigures() {
        Recorder rec = new Recorder();
        Expected expected = new Expected(4);
        History h = fit(small(), 0.1, 2, Monitor.builder().every(4).rules(rec).build(), expected);
        // 10 batches per epoch, 20 steps: sampled are the steps taken after 0, 4, 8, 12 and 16 steps.
        assertEquals(List.of(1L, 5L, 9L, 13L, 17L), rec.snapshots.stream().map(Snapshot::iteration).toList());
        assertEquals(List.of(0, 0, 0, 1, 1), rec.snapshots.stream().map(Snapshot::epoch).toList());
        assertTrue(rec.threads.stream().allMatch("trainer-monitor"::equals), rec.threads::toString);
        assertEquals(expected.byIteration.keySet(), Map.copyOf(expected.byIteration).keySet());
        for (Snapshot s : rec.snapshots) {
            Map<String, double[]> want = expected.byIteration.get(s.iteration());
            assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"),
                    s.parameters().stream().map(Snapshot.ParameterStats::name).toList());
            for (Snapshot.ParameterStats p : s.parameters()) {
                double[] w = want.get(p.name());
                assertEquals(w[0], p.weightNorm(), 1e-5 * w[0], p.name() + " weight norm");
                assertEquals(w[1], p.gradNorm(), 1e-5 * w[1], p.name() + " gradient norm");
                assertEquals(w[2], p.updateNorm(), 1e-4 * w[2], p.name() + " update norm");
                assertTrue(p.updateNorm() > 0);
                assertEquals(0, p.nonFinite());
            }
            assertEquals(64, s.parameters().get(0).fanIn());
            assertEquals(0, s.parameters().get(1).fanIn(), "a bias has no fan-in");
            assertEquals(1, s.activations().size());
            Snapshot.ActivationStats a = s.activations().get(0);
            assertEquals("1", a.name());
            assertEquals("ReLU", a.kind());
            assertEquals(25 * 16, a.count(), "the sampled batch's outputs");
            assertTrue(a.zeroFraction() > 0 && a.zeroFraction() < 1, a::toString);
        }
        assertEquals(2, rec.epochs.size());
        assertEquals(h.last("val_loss"), rec.epochs.get(1).get("val_loss"));
        assertEquals(20, rec.epochs.get(1).iteration());
    }

    @Test
    void activationFigures() {
        Snapshot.ActivationStats relu = Statistics.activation("r", "ReLU",
                Tensor.fromArray(new float[] {0, 1, 0, 0, 2, 3}, 2, 3));
        assertEquals(0.5, relu.zeroFraction());
        assertEquals(1.0 / 3, relu.deadUnitFraction(), "unit 0 is 0 for both samples");
        assertEquals(0, relu.saturatedFraction());
        Snapshot.ActivationStats sig = Statistics.activation("s", "Sigmoid",
                Tensor.fromArray(new float[] {0.005f, 0.5f, 0.995f, 0.3f, Float.NaN, 0.9f}, 2, 3));
        assertEquals(2.0 / 6, sig.saturatedFraction());
        assertEquals(1, sig.nonFinite());
        Snapshot.ActivationStats tanh = Statistics.activation("t", "Tanh",
                Tensor.fromArray(new float[] {-0.999f, 0.2f, 0.995f, 0.98f}, 4));
        assertEquals(0.5, tanh.saturatedFraction());
    }

    @Test
    void forwardHooksAreRemovedAtTheEnd() {
        Sequential model = small();
        Recorder rec = new Recorder();
        Monitor m = Monitor.builder().every(1).rules(rec).build();
        fit(model, 0.1, 1, m);
        int before = rec.snapshots.size();
        List<Tensor> seen = new ArrayList<>();
        try (Sequential.HookHandle h = model.get(1).addForwardHook((mod, out) -> seen.add(out))) {
            model.forward(Tensor.zeros(2, 64));
        }
        assertEquals(1, seen.size(), "only the test's own hook is left");
        assertEquals(10, before);
    }

    @Test
    void aFailingRuleFailsTheFit() {
        Rule broken = new Rule() {
            @Override
            public String name() {
                return "Broken";
            }

            @Override
            public List<Finding> onStep(Snapshot s) {
                throw new ArithmeticException("boom");
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> fit(small(), 0.1, 1, Monitor.builder().every(3).rules(broken).build()));
        assertTrue(e.getMessage().contains("boom"), e.getMessage());
        assertTrue(e.getCause() instanceof ArithmeticException);
    }

    @Test
    void builderRefusesBadSettings() {
        assertEquals("Monitor: every must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> Monitor.builder().every(0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Monitor.builder().build());
        assertThrows(IllegalArgumentException.class,
                () -> Monitor.builder().rules(new DeadRelu(), new DeadRelu()));
        assertEquals(Monitor.DEFAULT_EVERY, Monitor.builder().rules(new DeadRelu()).build().every());
        assertThrows(IllegalArgumentException.class, () -> new WeightUpdateRatio(1e-1, 1e-5, 3));
        assertThrows(IllegalArgumentException.class, () -> new DeadRelu(0.5, 0));
    }

    @Test
    void ruleStatesRoundTripAndRefuseWhatDoesNotFit() {
        Monitor a = Monitor.builder().rules(new LossNotDecreasing(), new WeightUpdateRatio(), new Overfit()).build();
        Monitor b = Monitor.builder().rules(new LossNotDecreasing(), new WeightUpdateRatio(), new Overfit()).build();
        List<Finding> none = a.rules().get(0).onEpoch(new EpochFigures(0, 10, Map.of("loss", 2.0)));
        assertEquals(List.of(), none);
        a.rules().get(0).onEpoch(new EpochFigures(1, 20, Map.of("loss", 2.0)));
        b.loadStateDict(a.stateDict());
        assertEquals(2.0, b.stateDict().get("rule.0.best").item());
        assertEquals(1.0, b.stateDict().get("rule.0.since").item());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.loadStateDict(Map.of("rule.7.best", StateEntries.scalar(1))));
        assertTrue(e.getMessage().contains("rule.7.best"), e.getMessage());
        assertEquals(1.0, b.stateDict().get("rule.0.since").item(), "a refused state changes nothing");
    }

    /** Fails the run after a given step, as a crash would. */
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

    static History watched(Path dir, long crashAt) {
        Monitor m = Monitor.builder().every(2)
                .rules(new WeightUpdateRatio(1e-5, 1e-1, 3), new LossNotDecreasing(2, 1e-3)).build();
        DataLoader tl = DataLoader.builder(MonitorRulesTest.part(0, 240)).batchSize(25).shuffle(true).seed(5).build();
        Sequential model = small();
        return new Trainer().checkpoints(Checkpointing.builder(dir).everySteps(4).everyEpoch(true).build())
                .callbacks(m, new Crash(crashAt))
                .fit(model, new CrossEntropyLoss(), new MomentumSgd(model.parameters(), 1e-8, 0), tl, null, 4);
    }

    @Test
    void aResumedRunReportsAsAnUninterruptedOne(@TempDir Path tmp) {
        History straight = watched(tmp.resolve("straight"), -1);
        assertEquals(straight.findings(), watched(tmp.resolve("again"), -1).findings(), "same seed, same findings");
        // WeightUpdateRatio at step 5 (samples at 1, 3, 5) for both weight matrices; LossNotDecreasing at epoch 2.
        assertEquals(List.of("WeightUpdateRatio", "WeightUpdateRatio", "LossNotDecreasing"),
                straight.findings().stream().map(Finding::rule).toList(), straight.findings()::toString);
        Path dir = tmp.resolve("crashing");
        assertThrows(IllegalStateException.class, () -> watched(dir, 15));
        History resumed = watched(dir, -1);
        assertEquals(straight.findings(), resumed.findings(),
                "findings before the crash come back with the history; the rules' streaks and bests carry on");
        assertEquals(straight.get("loss"), resumed.get("loss"));
    }

    @Test
    void stopActionEndsTheRunAtTheSameStepEveryTime() {
        List<Long> stops = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            Monitor m = Monitor.builder().every(2)
                    .rule(new WeightUpdateRatio(1e-5, 1e-1, 3), Action.stop()).build();
            StepCount count = new StepCount();
            fit(small(), 1e-8, 3, m, count);
            stops.add(count.last);
        }
        // Found at step 5 (the third sample in a row) and acted on at once: no step after it.
        assertEquals(List.of(5L, 5L), stops);
    }

    static final class StepCount implements Callback {
        long last;

        @Override
        public void onBatchEnd(TrainingContext ctx, int batch, double loss) {
            last = ctx.iteration();
        }
    }

    @Test
    void actionsRunOnTheTrainingThread() {
        List<Thread> threads = new ArrayList<>();
        Monitor m = Monitor.builder().every(2)
                .rule(new WeightUpdateRatio(1e-5, 1e-1, 1), Action.call(f -> threads.add(Thread.currentThread())))
                .build();
        fit(small(), 1e-8, 1, m);
        assertFalse(threads.isEmpty());
        threads.forEach(t -> assertSame(Thread.currentThread(), t));
    }
}
