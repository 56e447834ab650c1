package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.job.TrainingJob;

/** No trial JVM outlives its tuner: killed outright, or closed. */
class JobTrialLifetimeTest {

    private static ProcessHandle startedTrial(Path trialDir, BooleanSupplier tunerAlive) throws Exception {
        Path started = trialDir.resolve("output/data/started");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(started)) {
            if (!tunerAlive.getAsBoolean() || System.nanoTime() > deadline) {
                fail(started + " never appeared; tuner alive: " + tunerAlive.getAsBoolean());
            }
            Thread.sleep(50);
        }
        return ProcessHandle.of(Long.parseLong(Files.readString(started, StandardCharsets.UTF_8).trim()))
                .orElseThrow();
    }

    private static void assertGoneWithin(ProcessHandle p, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(p.isAlive(), "trial JVM " + p.pid() + " still runs " + seconds + " s after its tuner went");
    }

    @Test
    void aKilledTunersTrialJvmIsGoneWithinSeconds(@TempDir Path root) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(TrainingJob.defaultJvmArgs());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TunerMain.class.getName(),
                root.resolve("jobs").toString()));
        Process tuner = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(root.resolve("tuner.log").toFile()).start();
        ProcessHandle trial = null;
        try {
            trial = startedTrial(root.resolve("jobs/trial-0"), tuner::isAlive);
            assertEquals(tuner.pid(), trial.parent().orElseThrow().pid());
            tuner.destroyForcibly().waitFor();
            assertGoneWithin(trial, 5);
        } finally {
            tuner.destroyForcibly();
            if (trial != null) {
                trial.destroyForcibly();
            }
        }
    }

    @Test
    void closingTheExecutorKillsTheRunningTrialJvm(@TempDir Path root) throws Exception {
        SearchSpace space = SearchSpace.builder().add("lr", FloatRange.log(1e-3, 0.3)).build();
        ProcessHandle trial = null;
        try (Study study = Study.builder().name("close").direction(Direction.MINIMIZE).space(space).build()) {
            JobTrialExecutor ex = JobTrialExecutor.builder(root, SleepingTrialJob.class.getName()).metric("loss")
                    .timeout(Duration.ofMinutes(10)).jvmArgs(TrainingJob.defaultJvmArgs()).build(1);
            try {
                CompletableFuture<Double> f = ex.submit(study.ask());
                trial = startedTrial(root.resolve("trial-0"), () -> !f.isDone());
                ex.close();
                assertGoneWithin(trial, 2);
                assertTrue(f.isCompletedExceptionally(), f.toString());
            } finally {
                ex.close();
            }
        } finally {
            if (trial != null) {
                trial.destroyForcibly();
            }
        }
    }
}
