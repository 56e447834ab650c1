package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.Tensor;
import org.trainer.core.io.Safetensors;
import org.trainer.core.job.JobDirectory;
import org.trainer.core.job.TrainingJob;

class JobTrialExecutorTest {

    @Test
    void eachTrialRunsAsAChildJvmJobAndACrashFailsOnlyItsTrial(@TempDir Path root) throws IOException {
        Path data = root.resolve("data");
        Files.createDirectories(data);
        Tensor x = Tensor.randn(4, 64, 3);
        Tensor y = x.matmul(Tensor.fromArray(new float[] {1, -2, 0.5f}, 3, 1)).add(0.3);
        Safetensors.save(Map.of("x", x, "y", y), Map.of(), data.resolve("data.safetensors"));
        SearchSpace space = SearchSpace.builder()
                .add("lr", FloatRange.log(1e-3, 0.3))
                .add("mode", CategoricalRange.of("train", "crash"))
                .build();
        Path jobs = root.resolve("jobs");
        TuningJob tuning = TuningJob.builder().objective("loss", Direction.MINIMIZE).ranges(space)
                .strategy(Strategy.RANDOM).maxJobs(6).maxParallelJobs(2).seed(5).build();
        TuningResult r = tuning.runWith(n -> JobTrialExecutor.builder(jobs, LinearFitJob.class.getName())
                .channel("train", data).hyperparameters(Map.of("epochs", 8)).metric("loss")
                .timeout(Duration.ofMinutes(2)).jvmArgs(TrainingJob.defaultJvmArgs()).build(n));

        assertEquals(6, r.trials().size());
        long crashed = 0;
        for (FrozenTrial t : r.trials()) {
            JobDirectory dir = JobDirectory.of(jobs.resolve("trial-" + t.number()));
            String hp = Files.readString(dir.hyperparametersFile());
            assertTrue(hp.contains("\"mode\"") && hp.contains("\"epochs\""), hp);
            if (t.params().get("mode").equals("crash")) {
                crashed++;
                assertEquals(TrialState.FAILED, t.state());
                assertTrue(t.error().contains("exited with code 3"), t.error());
                assertTrue(Files.exists(dir.failureFile()));
            } else {
                assertEquals(TrialState.COMPLETE, t.state(), t.error());
                assertNull(t.error());
                String metrics = Files.readString(dir.outputDataDir().resolve("metrics.json"));
                assertTrue(metrics.contains(Double.toString(t.value())), metrics + " vs " + t.value());
            }
        }
        assertTrue(crashed >= 1 && crashed <= 5, "seed 5 draws both modes; crashed " + crashed);
        FrozenTrial best = r.bestTrial().orElseThrow();
        assertTrue(best.value() < 0.5, "a good learning rate fits the line: " + best);
    }

    @Test
    void argumentsAreChecked(@TempDir Path root) {
        JobTrialExecutor.Builder b = JobTrialExecutor.builder(root, LinearFitJob.class.getName());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.channel("train", root.resolve("absent")));
        assertEquals("JobTrialExecutor: channel 'train' must be a folder, got " + root.resolve("absent"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.metric("loss").timeout(Duration.ofMinutes(1)).build(0));
        assertEquals("JobTrialExecutor: parallelism must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> JobTrialExecutor.builder(root, LinearFitJob.class.getName()).timeout(Duration.ofMinutes(1)).build(1));
        assertEquals("JobTrialExecutor: metric(name) is required", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> JobTrialExecutor.builder(root, LinearFitJob.class.getName()).metric("loss").build(1));
        assertEquals("JobTrialExecutor: timeout(duration) is required", e.getMessage());
        assertEquals("JobTrialExecutor.builder: root",
                assertThrows(NullPointerException.class, () -> JobTrialExecutor.builder(null, "x")).getMessage());
    }

    private static JobTrialExecutor executor(Path root, int n) {
        return JobTrialExecutor.builder(root, LinearFitJob.class.getName()).metric("loss")
                .timeout(Duration.ofMinutes(1)).build(n);
    }

    @Test
    void pruningTuningJobsAreRefusedBeforeAnyTrialRuns(@TempDir Path root) {
        SearchSpace space = SearchSpace.builder().add("lr", FloatRange.log(1e-3, 0.3)).build();
        TuningJob.Builder job = TuningJob.builder().objective("loss", Direction.MINIMIZE).ranges(space).maxJobs(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> job.strategy(Strategy.HYPERBAND).build().runWith(n -> executor(root, n)));
        assertTrue(e.getMessage().startsWith("TuningJob: strategy HYPERBAND prunes trials, but JobTrialExecutor("),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> job.strategy(Strategy.RANDOM)
                .earlyStopping(EarlyStoppingType.AUTO).build().runWith(n -> executor(root, n)));
        assertTrue(e.getMessage().startsWith("TuningJob: earlyStopping AUTO prunes trials, but JobTrialExecutor("),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("use EarlyStoppingType.OFF"), e.getMessage());
        assertFalse(Files.exists(root.resolve("trial-0")), "no job was started");
    }

    @Test
    void aStudyWithAPrunerOrWithoutDeclaredRangesIsRefused(@TempDir Path root) {
        SearchSpace space = SearchSpace.builder().add("lr", FloatRange.log(1e-3, 0.3)).build();
        try (Study pruned = Study.builder().name("p").direction(Direction.MINIMIZE).space(space)
                .pruner(new MedianPruner()).build(); JobTrialExecutor ex = executor(root, 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pruned.optimize(ex, 2));
            assertTrue(e.getMessage().contains("has pruner MedianPruner("), e.getMessage());
            assertEquals(0, pruned.trials().size());
        }
        try (Study defineByRun = Study.builder().name("d").direction(Direction.MINIMIZE).build();
             JobTrialExecutor ex = executor(root, 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> defineByRun.optimize(ex, 2));
            assertTrue(e.getMessage().contains("declares no ranges (define-by-run)"), e.getMessage());
            assertEquals(0, defineByRun.trials().size());
            Trial t = defineByRun.ask();
            e = assertThrows(IllegalArgumentException.class, () -> ex.submit(t));
            assertTrue(e.getMessage().contains("has no parameters yet (define-by-run)"), e.getMessage());
        }
        assertFalse(Files.exists(root.resolve("trial-0")), "no job was started");
    }
}
