package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuningJobTest {
    @TempDir
    Path dir;

    private static final SearchSpace SPACE = SearchSpace.builder()
            .add("lr", FloatRange.log(1e-3, 1))
            .add("units", IntRange.linear(1, 3))
            .add("act", CategoricalRange.of("relu", "tanh"))
            .build();

    /** A synthetic training job: accuracy curves that peak at lr = 0.1, units = 3, relu. */
    private static Map<String, Double> train(Trial t) {
        double lr = (Double) t.params().get("lr");
        double q = 0.9 - 0.05 * Math.abs(Math.log10(lr) + 1) - 0.02 * (3 - (Integer) t.params().get("units"))
                - ("tanh".equals(t.params().get("act")) ? 0.03 : 0);
        double acc = 0;
        for (int epoch = 1; epoch <= 9; epoch++) {
            acc = q * (1 - Math.exp(-epoch / 2.0));
            t.report(epoch, acc);
            if (t.shouldPrune()) {
                throw new TrialPruned("epoch " + epoch);
            }
        }
        return Map.of("val_accuracy", acc, "val_loss", 1 - acc);
    }

    private static TuningJob.Builder job() {
        return TuningJob.builder().objective("val_accuracy", Direction.MAXIMIZE).ranges(SPACE).seed(3);
    }

    @Test
    void gridRunsEveryCombinationAndIsRefusedWhenLargerThanMaxJobs() {
        TuningJob grid = job().strategy(Strategy.GRID).gridPoints(4).maxJobs(30).build();
        assertEquals(24, grid.gridSize()); // 4 lr points (1e-3, 1e-2, 1e-1, 1) x 3 units x 2 activations
        TuningResult r = grid.run(TuningJobTest::train);
        assertEquals(24, r.trials().size());
        assertEquals(new HashSet<>(new GridSampler(4).combinations(SPACE)),
                new HashSet<>(r.trials().stream().map(FrozenTrial::params).toList()));
        Map<String, Object> best = r.bestTrial().orElseThrow().params();
        assertEquals(0.1, (Double) best.get("lr"), 1e-12);
        assertEquals(3, best.get("units"));
        assertEquals("relu", best.get("act"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> job().strategy(Strategy.GRID).gridPoints(4).maxJobs(10).build());
        assertEquals("TuningJob: the grid has 24 combinations, more than maxJobs = 10; raise maxJobs or use fewer grid points",
                e.getMessage());
    }

    @Test
    void bayesianFindsABetterConfigurationThanRandomAtTheSameBudget() {
        double bayes = job().strategy(Strategy.BAYESIAN).maxJobs(20).maxParallelJobs(2).build()
                .run(TuningJobTest::train).bestTrial().orElseThrow().value();
        double random = job().strategy(Strategy.RANDOM).maxJobs(20).build()
                .run(TuningJobTest::train).bestTrial().orElseThrow().value();
        double optimum = 0.9 * (1 - Math.exp(-4.5));
        assertTrue(optimum - bayes < 0.005, "BAYESIAN best " + bayes + " vs optimum " + optimum);
        assertTrue(bayes >= random, "BAYESIAN " + bayes + " vs RANDOM " + random);
    }

    @Test
    void parallelJobsRunAtOnceAndAFailingOneIsRecorded() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        CyclicBarrier both = new CyclicBarrier(2);
        TuningResult r = job().strategy(Strategy.RANDOM).maxJobs(8).maxParallelJobs(2).build().run(t -> {
            peak.accumulateAndGet(running.incrementAndGet(), Math::max);
            threads.add(Thread.currentThread().getName());
            try {
                if (t.number() < 2) {
                    // trials 0 and 1 start together and wait for each other: both provably run at once
                    both.await(30, TimeUnit.SECONDS);
                }
                if (t.number() == 3) {
                    throw new IllegalStateException("loss is NaN");
                }
                return t.number() == 5 ? Map.of("val_loss", 0.3) : train(t);
            } finally {
                running.decrementAndGet();
            }
        });
        assertEquals(8, r.trials().size());
        assertEquals(2, peak.get());
        assertEquals(2, threads.size());
        assertEquals("java.lang.IllegalStateException: loss is NaN", r.trials().get(3).error());
        assertEquals("java.lang.IllegalStateException: TuningJob: the training job returned no 'val_accuracy' among [val_loss]",
                r.trials().get(5).error());
        assertEquals(6, r.trials().stream().filter(t -> t.state() == TrialState.COMPLETE).count());
    }

    @Test
    void hyperbandAndAutomaticEarlyStoppingPruneTrials() {
        TuningJob hb = job().strategy(Strategy.HYPERBAND).resource(1, 9).maxJobs(30).build();
        assertTrue(hb.pruner() instanceof HyperbandPruner);
        long prunedHb = hb.run(TuningJobTest::train).trials().stream().filter(t -> t.state() == TrialState.PRUNED).count();
        TuningJob auto = job().strategy(Strategy.RANDOM).earlyStopping(EarlyStoppingType.AUTO).maxJobs(30).build();
        assertTrue(auto.pruner() instanceof MedianPruner);
        long prunedAuto = auto.run(TuningJobTest::train).trials().stream().filter(t -> t.state() == TrialState.PRUNED).count();
        long prunedOff = job().strategy(Strategy.RANDOM).maxJobs(30).build().run(TuningJobTest::train).trials().stream()
                .filter(t -> t.state() == TrialState.PRUNED).count();
        assertTrue(prunedHb >= 5, "hyperband pruned " + prunedHb);
        assertTrue(prunedAuto >= 5, "median rule pruned " + prunedAuto);
        assertEquals(0, prunedOff);
    }

    @Test
    void aJobRunAgainResumesFromItsJournal() {
        AtomicInteger calls = new AtomicInteger();
        TrainingFunction counted = t -> {
            calls.incrementAndGet();
            return train(t);
        };
        job().name("resume").journal(dir).maxJobs(4).build().run(counted);
        assertEquals(4, calls.get());
        TuningResult r = job().name("resume").journal(dir).maxJobs(6).build().run(counted);
        assertEquals(6, calls.get());
        assertEquals(6, r.trials().size());
        assertEquals(6, Study.load(dir.resolve("resume.jsonl")).size());
    }

    @Test
    void twoRunsOfAJobOnASharedJournalShareMaxJobs() throws Exception {
        Map<Integer, Integer> runs = new ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        TrainingFunction counted = t -> {
            runs.merge(t.number(), 1, Integer::sum);
            return train(t);
        };
        Thread other = new Thread(() -> job().name("pair").sharedJournal(dir).maxJobs(8).build().run(counted));
        other.setUncaughtExceptionHandler((t, e) -> failed.set(e));
        other.start();
        TuningResult r = job().name("pair").sharedJournal(dir).maxJobs(8).build().run(counted);
        other.join(60_000);
        assertEquals(null, failed.get());
        assertEquals(8, r.trials().size(), "maxJobs is the total of both runs");
        assertEquals(8, runs.size());
        assertTrue(runs.values().stream().allMatch(n -> n == 1), "a trial ran twice: " + runs);
        assertEquals(8, Study.load(dir.resolve("pair.jsonl")).size());
    }

    @Test
    void warmStartFromAnEarlierJobsJournal() {
        job().name("parent").journal(dir).maxJobs(10).build().run(TuningJobTest::train);
        List<FrozenTrial> parent = Study.load(dir.resolve("parent.jsonl"));
        WarmStart.Priors priors = WarmStart.identical(SPACE, parent);
        TuningResult r = job().name("child").seed(4).warmStart(priors).maxJobs(2).build().run(TuningJobTest::train);
        double parentBest = parent.stream().mapToDouble(FrozenTrial::value).max().orElseThrow();
        assertTrue(r.bestTrial().orElseThrow().value() >= parentBest);
        assertEquals(2, r.trials().size());
        SearchSpace other = SearchSpace.builder().add("lr", FloatRange.log(1e-3, 1)).build();
        assertThrows(IllegalArgumentException.class,
                () -> job().warmStart(WarmStart.transfer(other, WarmStart.OutOfRange.DROP, parent)).build());
    }

    @Test
    void tablesAndPlots() throws Exception {
        TuningResult r = job().strategy(Strategy.RANDOM).earlyStopping(EarlyStoppingType.AUTO).maxJobs(20).build()
                .run(TuningJobTest::train);
        Path csv = dir.resolve("trials.csv");
        r.writeCsv(csv);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("number,state,value,lr,units,act,steps,last_step,error", lines.get(0));
        assertEquals(21, lines.size());
        assertTrue(lines.get(1).startsWith("0,COMPLETE,"), lines.get(1));
        Path json = dir.resolve("trials.json");
        r.writeJson(json);
        JsonNode root = JsonCodec.MAPPER.readTree(json.toFile());
        assertEquals(20, root.get("trials").size());
        assertEquals(r.bestTrial().orElseThrow().number(), root.get("best_trial").asInt());
        List<Path> pngs = r.writePlots(dir.resolve("plots"));
        assertEquals(List.of("optimization_history.png", "parallel_coordinates.png", "slice_lr.png", "slice_units.png",
                "slice_act.png"), pngs.stream().map(p -> p.getFileName().toString()).toList());
        for (Path p : pngs) {
            BufferedImage img = ImageIO.read(p.toFile());
            assertEquals(900, img.getWidth());
            assertEquals(560, img.getHeight());
        }
    }

    @Test
    void builderValidation() {
        assertEquals("TuningJob: maxJobs must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> job().maxJobs(0)).getMessage());
        assertEquals("TuningJob: objective(metric, type) is required",
                assertThrows(IllegalArgumentException.class, () -> TuningJob.builder().ranges(SPACE).build()).getMessage());
        assertEquals("TuningJob: ranges are required", assertThrows(IllegalArgumentException.class,
                () -> TuningJob.builder().objective("m", Direction.MINIMIZE).build()).getMessage());
        assertEquals("TuningJob.Builder.strategy: strategy",
                assertThrows(NullPointerException.class, () -> job().strategy(null)).getMessage());
        assertEquals("TuningJob: resource needs 1 <= min < max, got min 9, max 9",
                assertThrows(IllegalArgumentException.class, () -> job().resource(9, 9)).getMessage());
    }

    @Test
    void changingTheBuilderAfterBuildChangesNothing() {
        SearchSpace six = SearchSpace.builder().add("x", CategoricalRange.of(1, 2, 3, 4, 5, 6)).build();
        TuningJob.Builder b = TuningJob.builder().objective("m", Direction.MINIMIZE).ranges(six)
                .strategy(Strategy.GRID).maxJobs(6);
        TuningJob job = b.build();
        b.maxJobs(2).strategy(Strategy.RANDOM).ranges(SPACE).objective("other", Direction.MAXIMIZE)
                .earlyStopping(EarlyStoppingType.AUTO).maxParallelJobs(3);
        assertEquals(Strategy.GRID, job.strategy());
        assertEquals(6, job.trialCount());
        assertEquals(6, job.gridSize());
        assertEquals(6, job.maxJobs());
        assertEquals(1, job.maxParallelJobs());
        assertEquals("m", job.objectiveMetric());
        assertEquals(Direction.MINIMIZE, job.objectiveType());
        assertEquals(EarlyStoppingType.OFF, job.earlyStopping());
        TuningResult r = job.run(t -> Map.of("m", ((Integer) t.params().get("x")).doubleValue()));
        assertEquals(6, r.trials().size());
        assertEquals(1, r.bestTrial().orElseThrow().params().get("x"));
    }
}
