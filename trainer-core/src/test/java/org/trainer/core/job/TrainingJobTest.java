package org.trainer.core.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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

class TrainingJobTest {

    /** A job directory with a "train" channel of y = x w + 0.3 and the given hyperparameters. */
    static Path jobDir(Path root, String name, long dataSeed, Map<String, ?> hyperparameters) throws IOException {
        JobDirectory dir = JobDirectory.of(root.resolve(name));
        Tensor x = Tensor.randn(dataSeed, 64, 3);
        Tensor y = x.matmul(Tensor.fromArray(new float[] {1, -2, 0.5f}, 3, 1)).add(0.3);
        Safetensors.save(Map.of("x", x, "y", y), Map.of(), dir.channel("train").resolve("data.safetensors"));
        dir.writeHyperparameters(hyperparameters);
        return dir.root();
    }

    private static void copyArtifact(Path fromJob, Path toJob) throws IOException {
        Path channel = JobDirectory.of(toJob).channel(JobDirectory.MODEL_CHANNEL);
        Files.createDirectories(channel);
        try (var files = Files.list(JobDirectory.of(fromJob).modelDir())) {
            for (Path f : files.toList()) {
                Files.copy(f, channel.resolve(f.getFileName()));
            }
        }
    }

    private static float[] weights(Path job) throws IOException {
        Map<String, Tensor> w = Safetensors.read(JobDirectory.of(job).modelDir().resolve(ModelArtifact.WEIGHTS));
        return Tensor.concat(0, w.get("weight").flatten(), w.get("bias")).toFloatArray();
    }

    @Test
    void anInProcessJobWritesModelMetricsAndHistory(@TempDir Path root) throws IOException {
        Path job = jobDir(root, "a", 1, Map.of("epochs", "20", "learning_rate", "0.1"));
        JobResult r = new TrainingJob(job).run(new RegressionJob());
        assertTrue(r.succeeded(), r.failure());
        assertEquals(0, r.exitCode());
        assertNull(r.failure());
        JobDirectory d = JobDirectory.of(job);
        assertTrue(Files.isRegularFile(d.modelDir().resolve(ModelArtifact.WEIGHTS)));
        assertTrue(Files.isRegularFile(d.modelDir().resolve(ModelArtifact.OPTIMIZER)));
        assertTrue(Files.isDirectory(d.checkpointDir()));
        assertEquals(List.of("initial_loss", "first_step_loss", "final_loss"), List.copyOf(
                JsonFiles.readObject(d.outputDataDir().resolve("metrics.json")).keySet()));
        assertTrue(r.metrics().get("final_loss") < 0.1 * r.metrics().get("initial_loss"), r.metrics().toString());
        Map<String, Object> history = JsonFiles.readObject(d.outputDataDir().resolve("history.json"));
        assertEquals(20, ((List<?>) history.get("loss")).size());
        assertFalse(Files.exists(d.failureFile()));
        try (var left = Files.list(d.outputDataDir())) {
            assertEquals(List.of("history.json", "metrics.json"),
                    left.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files left behind");
        }
    }

    @Test
    void aStartingJobRemovesTemporariesThatAKilledWriteLeftAndNothingElse(@TempDir Path root) throws IOException {
        Path job = jobDir(root, "tmp", 1, Map.of("epochs", "2"));
        JobDirectory d = JobDirectory.of(job);
        Files.createDirectories(d.modelDir());
        Files.createDirectories(d.outputDataDir());
        List<Path> ours = List.of(d.modelDir().resolve(".model.safetensors.3k9x0a7b2c1d4.tmp"),
                d.outputDataDir().resolve(".metrics.json.0000000000abc.tmp"));
        List<Path> users = List.of(d.modelDir().resolve(".model.safetensors.tmp"),
                d.modelDir().resolve("notes.3k9x0a7b2c1d4.tmp"), d.outputDataDir().resolve(".metrics.json.old.tmp"),
                d.outputDataDir().resolve("plot.png"));
        for (Path p : ours) {
            Files.writeString(p, "half written");
        }
        for (Path p : users) {
            Files.writeString(p, "the user's");
        }
        JobResult r = new TrainingJob(job).run(new RegressionJob());
        assertTrue(r.succeeded(), r.failure());
        for (Path p : ours) {
            assertFalse(Files.exists(p), p.toString());
        }
        for (Path p : users) {
            assertEquals("the user's", Files.readString(p), p.toString());
        }
    }

    @Test
    void aFailingJobWritesOutputFailureAndExitsNonZero(@TempDir Path root) throws IOException {
        JobResult bad = new TrainingJob(jobDir(root, "bad", 1, Map.of("epochs", "many"))).run(new RegressionJob());
        assertEquals(TrainingJob.FAILED, bad.exitCode());
        assertEquals("hyperparameters.json: hyperparameter 'epochs' must be an integer, got \"many\"\n", bad.failure());
        assertFalse(Files.exists(JobDirectory.of(bad.directory().root()).modelDir().resolve(ModelArtifact.WEIGHTS)));

        JobResult diverged = new TrainingJob(jobDir(root, "div", 1, Map.of("fail_at_epoch", 2)))
                .run(new RegressionJob());
        assertEquals(1, diverged.exitCode());
        assertTrue(diverged.failure().startsWith("java.lang.IllegalStateException: diverged at epoch 2\n\n"),
                diverged.failure());
        assertTrue(diverged.failure().contains("at org.trainer.core.train.Trainer.fit"), "the stack trace follows");
        assertTrue(diverged.metrics().containsKey("initial_loss"), "figures reported before the failure are kept");

        Path noData = root.resolve("nodata");
        JobDirectory.of(noData).writeHyperparameters(Map.of());
        JobResult missing = new TrainingJob(noData).run(new RegressionJob());
        assertEquals("no data channel 'train' (expected the folder input/data/train); channels present: []\n",
                missing.failure());
    }

    @Test
    void aJobRunAgainAfterAFailureResumesFromItsCheckpoints(@TempDir Path root) throws IOException {
        Path whole = jobDir(root, "whole", 5, Map.of("epochs", 6, "checkpoint", true));
        assertTrue(new TrainingJob(whole).run(new RegressionJob()).succeeded());

        Path job = jobDir(root, "restarted", 5, Map.of("epochs", 6, "checkpoint", true, "fail_at_epoch", 4));
        JobResult failed = new TrainingJob(job).run(new RegressionJob());
        assertEquals(TrainingJob.FAILED, failed.exitCode());
        try (var kept = Files.list(JobDirectory.of(job).checkpointDir())) {
            assertEquals(3, kept.count(), "epochs 1 to 4 checkpointed, the last 3 kept");
        }
        JobDirectory.of(job).writeHyperparameters(Map.of("epochs", 6, "checkpoint", true));
        JobResult resumed = new TrainingJob(job).run(new RegressionJob());
        assertTrue(resumed.succeeded(), resumed.failure());
        assertArrayEquals(weights(whole), weights(job), "the restarted job ends as one that never failed");
        Map<String, Object> history = JsonFiles.readObject(JobDirectory.of(job).outputDataDir().resolve("history.json"));
        assertEquals(JsonFiles.readObject(JobDirectory.of(whole).outputDataDir().resolve("history.json")), history);
    }

    @Test
    void aJobRunsInAChildJvmAndMatchesTheInProcessRunBitwise(@TempDir Path root) throws Exception {
        Map<String, Object> hp = Map.of("epochs", 6, "learning_rate", "0.05");
        Path inProcess = jobDir(root, "in", 3, hp);
        new TrainingJob(inProcess).run(new RegressionJob());
        Path child = jobDir(root, "child", 3, hp);
        JobResult r = new TrainingJob(child).runInChildJvm(RegressionJob.class.getName(), TrainingJob.defaultJvmArgs(),
                Duration.ofMinutes(2));
        assertTrue(r.succeeded(), r.failure());
        assertEquals(0, r.exitCode());
        assertArrayEquals(weights(inProcess), weights(child));
        assertEquals(new TrainingJob(inProcess).directory().root().resolve("model").toFile().list().length,
                JobDirectory.of(child).modelDir().toFile().list().length);
        assertTrue(Files.isRegularFile(JobDirectory.of(child).outputDataDir().resolve("history.json")));
        assertTrue(Files.isRegularFile(JobDirectory.of(child).logFile()));
    }

    @Test
    void aFailingOrCrashingChildJvmLeavesOutputFailureAndANonZeroExit(@TempDir Path root) throws Exception {
        JobResult bad = new TrainingJob(jobDir(root, "bad", 1, Map.of("momentum", "high")))
                .runInChildJvm(RegressionJob.class.getName(), TrainingJob.defaultJvmArgs(), Duration.ofMinutes(2));
        assertEquals(1, bad.exitCode());
        assertEquals("hyperparameters.json: hyperparameter 'momentum' must be a finite number, got \"high\"\n",
                bad.failure());

        JobResult crash = new TrainingJob(jobDir(root, "crash", 1, Map.of()))
                .runInChildJvm(CrashingJob.class.getName(), List.of(), Duration.ofMinutes(2));
        assertEquals(3, crash.exitCode());
        assertTrue(crash.failure().startsWith("the job's JVM exited with code 3 without writing output/failure"),
                crash.failure());

        JobResult slow = new TrainingJob(jobDir(root, "slow", 1, Map.of()))
                .runInChildJvm(SleepingJob.class.getName(), List.of(), Duration.ofSeconds(3));
        assertNotEquals(0, slow.exitCode());
        assertEquals("the job ran past its limit of PT3S and was killed (exit code " + slow.exitCode() + ")\n",
                slow.failure());

        JobResult unknown = new TrainingJob(jobDir(root, "unknown", 1, Map.of()))
                .runInChildJvm("org.example.NoSuchJob", List.of(), Duration.ofMinutes(2));
        assertEquals(1, unknown.exitCode());
        assertEquals("definition class org.example.NoSuchJob is not on the class path\n", unknown.failure());
    }

    @Test
    void aRerunNeverReportsThePreviousAttemptsFiguresAndKeepsItsLog(@TempDir Path root) throws Exception {
        Path job = jobDir(root, "again", 1, Map.of("epochs", 3));
        JobDirectory d = JobDirectory.of(job);
        assertTrue(new TrainingJob(job).run(new RegressionJob()).succeeded());
        assertTrue(Files.exists(d.outputDataDir().resolve("metrics.json")));
        d.writeHyperparameters(Map.of("epochs", "many"));
        JobResult failed = new TrainingJob(job).run(new RegressionJob());
        assertEquals(TrainingJob.FAILED, failed.exitCode());
        assertEquals(Map.of(), failed.metrics(), "no stale objective from the earlier attempt");
        assertFalse(Files.exists(d.outputDataDir().resolve("metrics.json")));
        assertFalse(Files.exists(d.outputDataDir().resolve("history.json")));

        // In a child JVM: a success, then a crash that reports nothing, in the same directory.
        d.writeHyperparameters(Map.of("epochs", 3));
        TrainingJob t = new TrainingJob(job);
        assertTrue(t.runInChildJvm(RegressionJob.class.getName(), TrainingJob.defaultJvmArgs(), Duration.ofMinutes(2))
                .succeeded());
        String firstLog = Files.readString(d.logFile());
        assertTrue(firstLog.contains(RegressionJob.class.getName() + " starts ===="), firstLog);
        d.writeHyperparameters(Map.of());
        JobResult crash = t.runInChildJvm(CrashingJob.class.getName(), List.of(), Duration.ofMinutes(2));
        assertEquals(3, crash.exitCode(), crash.failure());
        assertEquals(Map.of(), crash.metrics());
        assertFalse(Files.exists(d.outputDataDir().resolve("history.json")));
        String log = Files.readString(d.logFile());
        assertTrue(log.startsWith(firstLog), "the first attempt's log is kept");
        assertTrue(log.substring(firstLog.length()).startsWith("==== "), log);
        assertTrue(log.contains(CrashingJob.class.getName() + " starts ===="), log);
    }

    @Test
    void anInterruptedWaitKillsTheChildJvm(@TempDir Path root) throws Exception {
        Path job = jobDir(root, "sleeper", 1, Map.of());
        String jobArg = job.toAbsolutePath().toString();
        Throwable[] thrown = new Throwable[1];
        Thread waiter = new Thread(() -> {
            try {
                new TrainingJob(job).runInChildJvm(SleepingJob.class.getName(), List.of(), Duration.ofMinutes(5));
            } catch (Throwable e) {
                thrown[0] = e;
            }
        });
        waiter.start();
        ProcessHandle child = null;
        for (int i = 0; i < 300 && child == null; i++) {
            child = ProcessHandle.current().children()
                    .filter(h -> h.info().arguments().map(a -> List.of(a).contains(jobArg)).orElse(false))
                    .findFirst().orElse(null);
            Thread.sleep(50);
        }
        assertTrue(child != null && child.isAlive(), "the child JVM started");
        waiter.interrupt();
        waiter.join(30_000);
        assertFalse(waiter.isAlive());
        assertTrue(thrown[0] instanceof InterruptedException, String.valueOf(thrown[0]));
        assertFalse(child.isAlive(), "the child JVM is gone once runInChildJvm has returned");
    }

    @Test
    void incrementalTrainingContinuesFromTheArtifact(@TempDir Path root) throws IOException {
        // Ten epochs in one job ...
        Path whole = jobDir(root, "whole", 5, Map.of("epochs", 10));
        assertTrue(new TrainingJob(whole).run(new RegressionJob()).succeeded());
        // ... and five epochs, then five more starting from the first job's artifact and optimizer state.
        Path first = jobDir(root, "first", 5, Map.of("epochs", 5));
        JobResult r1 = new TrainingJob(first).run(new RegressionJob());
        Path second = jobDir(root, "second", 5, Map.of("epochs", 5));
        copyArtifact(first, second);
        JobResult r2 = new TrainingJob(second).run(new RegressionJob());
        assertTrue(r2.succeeded(), r2.failure());
        assertEquals(r1.metrics().get("final_loss"), r2.metrics().get("initial_loss"));
        assertEquals(r1.metrics().get("final_loss"), r2.metrics().get("first_step_loss"),
                "the second job's first step starts where the first job ended");
        assertArrayEquals(weights(whole), weights(second), "momentum carried over: identical to one long job");

        // Without the optimizer state the weights start right but the momentum restarts from zero.
        Path fresh = jobDir(root, "fresh", 5, Map.of("epochs", 5, "resume_optimizer", false));
        copyArtifact(first, fresh);
        JobResult r3 = new TrainingJob(fresh).run(new RegressionJob());
        assertEquals(r1.metrics().get("final_loss"), r3.metrics().get("first_step_loss"));
        assertNotEquals(weights(whole)[0], weights(fresh)[0]);

        // New data: the job continues from the artifact on another sample of the same relation.
        Path newData = jobDir(root, "newdata", 99, Map.of("epochs", 5));
        copyArtifact(first, newData);
        JobResult r4 = new TrainingJob(newData).run(new RegressionJob());
        assertTrue(r4.metrics().get("initial_loss") < 0.5 * r1.metrics().get("initial_loss"),
                "the artifact already fits the new sample better than a fresh model fits the first: " + r4.metrics());
    }
}
