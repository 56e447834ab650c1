package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
        TuningResult r = tuning.runWith(n -> new JobTrialExecutor(jobs, LinearFitJob.class.getName(),
                Map.of("train", data), Map.of("epochs", 8), "loss", n, Duration.ofMinutes(2),
                TrainingJob.defaultJvmArgs()));

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
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new JobTrialExecutor(root,
                LinearFitJob.class.getName(), Map.of("train", root.resolve("absent")), Map.of(), "loss", 1,
                Duration.ofMinutes(1), List.of()));
        assertEquals("JobTrialExecutor: channel 'train' must be a folder, got " + root.resolve("absent"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new JobTrialExecutor(root, LinearFitJob.class.getName(),
                Map.of(), Map.of(), "loss", 0, Duration.ofMinutes(1), List.of()));
        assertEquals("JobTrialExecutor: parallelism must be >= 1, got 0", e.getMessage());
    }
}
