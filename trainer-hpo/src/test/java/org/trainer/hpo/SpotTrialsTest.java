package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.Tensor;
import org.trainer.core.io.Safetensors;
import org.trainer.core.job.Interruption;
import org.trainer.core.job.JobDirectory;
import org.trainer.core.job.JobResult;
import org.trainer.core.job.SpotRun;
import org.trainer.core.job.TrainingJob;

/**
 * A tuning job whose trials are managed-spot jobs: each trial's job gets an interruption notice
 * while it trains, resumes from its checkpoint, and completes with the value an uninterrupted run
 * of the same parameters reports; no trial is counted as failed.
 */
class SpotTrialsTest {

    @Test
    void interruptedSpotTrialsResumeAndAreNotCountedAsFailed(@TempDir Path root) throws Exception {
        Path data = Files.createDirectories(root.resolve("data"));
        Tensor x = Tensor.randn(4, 64, 3);
        Tensor y = x.matmul(Tensor.fromArray(new float[] {1, -2, 0.5f}, 3, 1)).add(0.3);
        Safetensors.save(Map.of("x", x, "y", y), Map.of(), data.resolve("data.safetensors"));
        SearchSpace space = SearchSpace.builder().add("lr", FloatRange.log(1e-2, 0.1)).build();
        TuningJob tuning = TuningJob.builder().objective("loss", Direction.MINIMIZE).ranges(space)
                .strategy(Strategy.RANDOM).maxJobs(2).maxParallelJobs(2).seed(5).build();
        Path jobs = root.resolve("jobs");
        AtomicReference<JobTrialExecutor> executor = new AtomicReference<>();
        TuningResult r = tuning.runWith(n -> {
            executor.set(JobTrialExecutor.builder(jobs, CheckpointingFitJob.class.getName())
                    .channel("train", data).hyperparameters(Map.of("step_millis", 20)).metric("loss")
                    .timeout(Duration.ofMinutes(2))
                    .spot(trial -> List.of(Interruption.notice(Duration.ofMillis(1200), Duration.ofSeconds(30))),
                            Duration.ofMinutes(4))
                    .build(n));
            return executor.get();
        });

        assertEquals(2, r.trials().size());
        for (FrozenTrial t : r.trials()) {
            assertEquals(TrialState.COMPLETE, t.state(), t.error());
            assertNull(t.error());
            SpotRun run = executor.get().spotRun(t.number()).orElseThrow();
            assertEquals(1, run.interruptions(), run.attempts().toString());
            assertEquals(2, run.attempts().size());
            assertEquals(TrainingJob.INTERRUPTED, run.attempts().get(0).exitCode());
            assertEquals("Interrupted", run.attempts().get(0).status().get("status"));
            assertEquals(240.0, run.waitSeconds(), 1e-9);
            // Resumed, not started again: the same value as an uninterrupted run of the same parameters.
            JobDirectory straight = JobDirectory.of(root.resolve("straight-" + t.number()));
            Map<String, Object> hp = new LinkedHashMap<>(t.params());
            straight.writeHyperparameters(hp);
            Files.createDirectories(straight.dataDir());
            Files.createSymbolicLink(straight.channel("train"), data.toAbsolutePath());
            JobResult ref = new TrainingJob(straight.root()).run(new CheckpointingFitJob());
            assertTrue(ref.succeeded(), ref.failure());
            assertEquals(ref.metrics().get("loss"), t.value(), 0.0, "trial " + t.number());
        }
    }
}
