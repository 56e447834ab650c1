package org.trainer.core.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.Tensor;
import org.trainer.core.io.Safetensors;
import org.trainer.core.nn.Sequential;
import org.trainer.core.train.checkpoint.Checkpoint;
import org.trainer.core.train.checkpoint.CheckpointStore;

/**
 * Managed-spot training end to end, with child JVMs: interruption notices (SIGTERM) at random
 * moments, each followed by a restart, end bitwise as an uninterrupted run, each checkpoint written
 * well inside the grace period and no step lost; a second SIGTERM or the end of the grace period
 * fall back to the newest periodic checkpoint; a durable copy outlives the local directory; the
 * stopping conditions hold.
 */
class ManagedSpotTest {
    private static final Duration GRACE = Duration.ofSeconds(10);
    /** The weights of an uninterrupted run, by name. */
    private static Map<String, float[]> reference;

    @TempDir
    static Path shared;

    @BeforeAll
    static void uninterruptedRun() throws Exception {
        JobDirectory dir = JobDirectory.of(shared.resolve("reference"));
        dir.writeHyperparameters(Map.of("step_millis", 0));
        // In this JVM: the same backend and thread count as the child JVMs, so the same bits.
        JobResult r = new TrainingJob(dir.root()).run(new SpotJob());
        assertEquals(JobResult.Status.COMPLETED, r.status(), r.failure());
        reference = weights(dir.modelDir().resolve(ModelArtifact.WEIGHTS));
    }

    static Map<String, float[]> weights(Path file) throws IOException {
        Map<String, float[]> out = new TreeMap<>();
        Safetensors.read(file).forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    static void assertSameWeights(Map<String, float[]> expected, Map<String, float[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), what + ": " + k));
    }

    static String log(JobDirectory dir) {
        try {
            String s = Files.readString(dir.logFile(), StandardCharsets.UTF_8);
            return s.substring(Math.max(0, s.length() - 4000));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    static List<Long> starts(JobDirectory dir) throws IOException {
        return Files.readAllLines(dir.outputDataDir().resolve("starts.txt")).stream().map(Long::parseLong).toList();
    }

    static JobDirectory job(Path root, Map<String, ?> hyperparameters, JobConfiguration config) throws IOException {
        JobDirectory dir = JobDirectory.of(root);
        dir.writeHyperparameters(hyperparameters);
        dir.writeJobConfiguration(config);
        return dir;
    }

    static JobConfiguration grace(Duration grace) {
        return new JobConfiguration(java.util.Optional.empty(), java.util.Optional.empty(), grace,
                java.util.Optional.empty());
    }

    /**
     * Twelve notices at random moments of one child JVM ({@link RepeatedNoticeMain} restarts the job
     * in it after each, from fresh objects, so that twelve JVM starts are not paid for).
     */
    @Test
    void noticesAtRandomMomentsEachFollowedByARestartEndBitwiseAsAnUninterruptedRun(@TempDir Path root)
            throws Exception {
        JobDirectory dir = job(root.resolve("job"), Map.of(), grace(GRACE));
        Path attempts = dir.outputDataDir().resolve("attempts.txt");
        Random random = new Random(2026);
        List<String> cmd = new ArrayList<>(TrainingJob.childCommand(dir.root(), "unused", TrainingJob.defaultJvmArgs()));
        cmd.set(cmd.size() - 3, RepeatedNoticeMain.class.getName()); // ... Main <job-dir> <class>
        cmd.remove(cmd.size() - 1);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(Files.createDirectories(dir.outputDir()).resolve("job.log").toFile());
        pb.environment().put(TrainingJob.PARENT_PID_ENV, Long.toString(ProcessHandle.current().pid()));
        Process p = pb.start();
        List<Double> noticeToStatus = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                awaitTraining(dir, attempts, i, p);
                Thread.sleep(random.nextInt(250)); // a random moment of its training
                long notice = System.nanoTime();
                p.destroy(); // SIGTERM
                while (lines(attempts).size() <= i) {
                    assertTrue(p.isAlive(), "the JVM goes on after notice " + (i + 1) + "\n" + log(dir));
                    assertTrue(System.nanoTime() - notice < 2 * GRACE.toNanos(), "notice " + (i + 1) + " unanswered");
                    Thread.sleep(5);
                }
                noticeToStatus.add((System.nanoTime() - notice) / 1e9);
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the last attempt completes");
        } finally {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), log(dir));
        assertSameWeights(reference, weights(dir.modelDir().resolve(ModelArtifact.WEIGHTS)), "after 12 notices");

        List<String> ends = lines(attempts);
        List<Long> starts = starts(dir);
        assertEquals(13, ends.size(), ends.toString());
        assertEquals(13, starts.size(), starts.toString());
        assertEquals(0L, starts.get(0));
        for (int i = 0; i < 12; i++) {
            String[] end = ends.get(i).split(",");
            assertEquals(Integer.toString(TrainingJob.INTERRUPTED), end[0], "attempt " + (i + 1) + ": " + ends);
            long stoppedAt = Long.parseLong(end[1]);
            // No lost step: the next attempt starts from the very step at which this one stopped.
            assertEquals(stoppedAt, starts.get(i + 1), "attempt " + (i + 2) + " resumes where " + (i + 1) + " stopped");
            // A notice may come before the attempt's first step ends (a loaded machine): then it stops
            // where it started, losing nothing; it never goes back.
            assertTrue(stoppedAt >= starts.get(i), "no attempt stops before where it started: " + starts);
            assertTrue(noticeToStatus.get(i) < GRACE.toSeconds(), "checkpoint and status within the grace period: "
                    + noticeToStatus);
        }
        assertTrue(starts.get(12) < 15 * SpotJob.STEPS_PER_EPOCH, "the last notice came before the end: " + starts);
        System.out.printf("ManagedSpotTest: 12 notices; SIGTERM to checkpoint and status: max %.3f s, median %.3f s "
                + "(grace %d s); attempts start at %s%n", noticeToStatus.stream().mapToDouble(d -> d).max().orElseThrow(),
                noticeToStatus.stream().sorted().toList().get(6), GRACE.toSeconds(), starts);
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    /** Waits until attempt {@code done + 1} trains: it began its fit ({@code starts.txt} has its line). */
    private static void awaitTraining(JobDirectory dir, Path attempts, int done, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Path starts = dir.outputDataDir().resolve("starts.txt");
        while (lines(attempts).size() != done || lines(starts).size() != done + 1) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, "attempt " + (done + 1) + " never trained\n"
                    + log(dir));
            Thread.sleep(5);
        }
    }

    /** Starts the job in a child JVM by hand, to signal it at chosen moments. */
    private static Process start(JobDirectory dir) throws IOException {
        return new ProcessBuilder(TrainingJob.childCommand(dir.root(), SpotJob.class.getName(),
                TrainingJob.defaultJvmArgs())).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Files.createDirectories(dir.outputDir())
                        .resolve("job.log").toFile())).start();
    }

    private static void awaitFile(Path file, Process p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(file)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                fail(file + " never appeared; job alive: " + p.isAlive());
            }
            Thread.sleep(10);
        }
    }

    /**
     * The notice comes while step 30 sleeps 20 s; the step never ends in time: a second SIGTERM, or
     * the grace period's end, halts the job at once, and its status names the newest periodic
     * checkpoint (step 25), from which a restart ends bitwise as an uninterrupted run.
     */
    @Test
    void aSecondNoticeOrTheGracePeriodsEndFallsBackToTheNewestPeriodicCheckpoint(@TempDir Path root) throws Exception {
        Map<String, Object> slow = Map.of("slow_step", 30, "slow_millis", 20_000);
        for (String how : List.of("second SIGTERM", "grace period")) {
            JobDirectory dir = job(root.resolve(how.replace(' ', '-')), slow,
                    grace(how.equals("grace period") ? Duration.ofSeconds(1) : GRACE));
            Process p = start(dir);
            try {
                awaitFile(dir.outputDataDir().resolve("slow"), p);
                long notice = System.nanoTime();
                p.destroy();
                if (how.equals("second SIGTERM")) {
                    Thread.sleep(200);
                    p.destroy();
                }
                assertTrue(p.waitFor(15, TimeUnit.SECONDS), how + ": the job exits well before its step ends");
                double seconds = (System.nanoTime() - notice) / 1e9;
                assertEquals(TrainingJob.INTERRUPTED, p.exitValue(), log(dir));
                Map<String, Object> status = JsonFiles.readObject(dir.statusFile());
                assertEquals("Interrupted", status.get("status"));
                assertTrue(String.valueOf(status.get("fallback")).contains(how), status.toString());
                assertEquals("epoch-00001-batch-0000005", status.get("checkpoint"), "the step-25 checkpoint");
                assertTrue(seconds < 15, how + ": " + seconds + " s");
                System.out.printf("ManagedSpotTest: %s: exit %.2f s after the first SIGTERM%n", how, seconds);
            } finally {
                p.destroyForcibly();
            }
            dir.writeHyperparameters(Map.of("step_millis", 0));
            JobResult rest = new TrainingJob(dir.root()).run(new SpotJob());
            assertEquals(JobResult.Status.COMPLETED, rest.status(), rest.failure());
            assertEquals(List.of(0L, 25L), starts(dir), how);
            assertSameWeights(reference, weights(dir.modelDir().resolve(ModelArtifact.WEIGHTS)), how);
        }
    }

    /**
     * A new machine after every interruption (checkpoints/ deleted) still ends bitwise as an
     * uninterrupted run: each attempt pulls the newest checkpoint of the durable copy back first.
     */
    @Test
    void theDurableCopySurvivesTheLocalDirectory(@TempDir Path root) throws Exception {
        Path durable = root.resolve("other-volume/checkpoints");
        // Steps of 20 ms, 6 s of sleep in all: the kill 2.5 s into the second attempt finds it training
        // whatever the machine's speed (with 10 ms steps a quick second attempt could end first).
        JobDirectory dir = job(root.resolve("job"), Map.of("step_millis", 20), new JobConfiguration(
                java.util.Optional.empty(), java.util.Optional.empty(), GRACE,
                java.util.Optional.of(durable.toUri().toString())));
        // Counted from the "Training" status, which comes before the JVM has loaded the data and the model.
        List<Interruption> planned = List.of(Interruption.notice(Duration.ofMillis(1500), Duration.ofSeconds(30)),
                Interruption.kill(Duration.ofMillis(2500)));
        SpotRun run = ManagedSpotRunner.builder(dir.root(), SpotJob.class.getName()).interruptions(planned)
                .freshMachine(true).build().run();

        assertEquals(SpotRun.Status.COMPLETED, run.status(), log(dir));
        assertEquals(2, run.interruptions());
        assertSameWeights(reference, weights(dir.modelDir().resolve(ModelArtifact.WEIGHTS)), "fresh machines");
        List<Long> starts = starts(dir);
        long stoppedAt = ((Number) run.attempts().get(0).status().get("iteration")).longValue();
        assertEquals(stoppedAt, starts.get(1), "after the notice, from the checkpoint of the stop itself: " + starts);
        assertTrue(stoppedAt > 0, "attempt 1 trained: " + starts);
        assertTrue(starts.get(starts.size() - 1) >= stoppedAt, "after SIGKILL, from a checkpoint copied while the job "
                + "ran: " + starts);
        List<String> kept = names(durable);
        assertFalse(kept.isEmpty());
        assertEquals(names(dir.checkpointDir()), kept, "the durable copy holds what the local directory keeps");
    }

    /** The checkpoints a directory holds, oldest first. */
    private static List<String> names(Path dir) throws IOException {
        return new CheckpointStore(dir).list().stream().map(p -> p.getFileName().toString()).toList();
    }

    @Test
    void pastMaxRunTheJobStopsWithItsLastCheckpointsModelAsTheArtifact(@TempDir Path root) throws Exception {
        JobDirectory dir = job(root.resolve("job"), Map.of(), new JobConfiguration(
                java.util.Optional.of(Duration.ofMillis(1500)), java.util.Optional.empty(), GRACE,
                java.util.Optional.empty()));
        JobResult r = new TrainingJob(dir.root()).run(new SpotJob());

        assertEquals(JobResult.Status.MAX_RUNTIME_EXCEEDED, r.status(), r.failure());
        assertEquals(TrainingJob.MAX_RUNTIME_EXCEEDED, r.exitCode());
        assertNull(r.failure(), "a stop, not a failure");
        assertEquals(JobResult.Status.FAILED, new JobResult(dir, TrainingJob.MAX_RUNTIME_EXCEEDED, "the JVM exited with "
                + "code 4 without writing output/failure", Map.of()).status(), "exit 4 with a failure is a failure");
        Map<String, Object> status = JsonFiles.readObject(dir.statusFile());
        assertEquals("MaxRuntimeExceeded", status.get("status"));
        assertEquals("model/", status.get("artifact"));
        long iteration = ((Number) status.get("iteration")).longValue();
        assertTrue(iteration > 0 && iteration < 15 * SpotJob.STEPS_PER_EPOCH, "stopped mid-run: " + status);
        Checkpoint last = CheckpointStore.read(dir.checkpointDir().resolve((String) status.get("checkpoint")));
        assertEquals(iteration, last.iteration());
        Map<String, float[]> artifact = weights(dir.modelDir().resolve(ModelArtifact.WEIGHTS));
        Map<String, float[]> checkpointed = new TreeMap<>();
        last.model().forEach((k, v) -> checkpointed.put(k, v.toFloatArray()));
        assertSameWeights(checkpointed, artifact, "the artifact is the last checkpoint's model");
        // Usable: it loads into the job's model, with its optimizer state.
        Sequential model = SpotJob.model();
        ModelArtifact a = ModelArtifact.open(dir.modelDir());
        a.loadInto(model);
        assertTrue(a.hasOptimizerState());
        Tensor out = model.eval().apply(Tensor.zeros(2, 64));
        assertEquals(List.of(2, 10), List.of(out.shape()[0], out.shape()[1]));
    }

    @Test
    void maxWaitNotAboveMaxRunIsRefusedByName(@TempDir Path root) throws Exception {
        JobConfigurationException e = assertThrows(JobConfigurationException.class,
                () -> JobConfiguration.parse(Map.of("max_run", 120, "max_wait", 60)));
        assertEquals("job.json: max_wait = 60 must be greater than max_run = 120 (max_wait counts training plus "
                + "waiting for capacity)", e.getMessage());
        e = assertThrows(JobConfigurationException.class,
                () -> JobConfiguration.parse(Map.of("max_run", 120, "max_wait", "120")));
        assertTrue(e.getMessage().startsWith("job.json: max_wait = 120 must be greater than max_run = 120"));
        e = assertThrows(JobConfigurationException.class, () -> JobConfiguration.parse(Map.of("max_wait", 60)));
        assertTrue(e.getMessage().contains("max_wait = 60 is given without max_run"), e.getMessage());
        e = assertThrows(JobConfigurationException.class, () -> JobConfiguration.parse(Map.of("max_runtime", 60)));
        assertEquals("job.json: unknown key 'max_runtime'; known: [max_run, max_wait, grace_period, checkpoint_uri]",
                e.getMessage());
        e = assertThrows(JobConfigurationException.class, () -> JobConfiguration.parse(Map.of("max_run", "soon")));
        assertEquals("job.json: max_run must be a positive number of seconds, got \"soon\"", e.getMessage());

        // A job with such a job.json fails before it trains, saying why; the runner refuses to start it.
        JobDirectory dir = JobDirectory.of(root.resolve("job"));
        Files.createDirectories(dir.jobConfigurationFile().getParent());
        Files.writeString(dir.jobConfigurationFile(), "{\"max_run\": 120, \"max_wait\": 60}");
        JobResult r = new TrainingJob(dir.root()).run(new SpotJob());
        assertEquals(JobResult.Status.FAILED, r.status());
        assertEquals("job.json: max_wait = 60 must be greater than max_run = 120 (max_wait counts training plus "
                + "waiting for capacity)\n", r.failure());
        assertFalse(Files.exists(dir.outputDataDir().resolve("starts.txt")), "nothing trained");
        ManagedSpotRunner runner = ManagedSpotRunner.builder(dir.root(), SpotJob.class.getName()).build();
        assertThrows(JobConfigurationException.class, runner::run);
    }

    /** max_run counts the training seconds of every attempt: the restart stops itself early. */
    @Test
    void maxRunCountsEveryAttempt(@TempDir Path root) throws Exception {
        // Steps of 20 ms: 6 s of sleep, twice max_run, so that only max_run can end the second attempt.
        JobDirectory dir = job(root.resolve("job"), Map.of("step_millis", 20), new JobConfiguration(
                java.util.Optional.of(Duration.ofSeconds(3)), java.util.Optional.empty(), GRACE,
                java.util.Optional.empty()));
        SpotRun run = ManagedSpotRunner.builder(dir.root(), SpotJob.class.getName())
                .interruptions(List.of(Interruption.notice(Duration.ofMillis(300), Duration.ofSeconds(30))))
                .build().run();
        assertEquals(SpotRun.Status.MAX_RUNTIME_EXCEEDED, run.status(), log(dir));
        assertEquals(2, run.attempts().size());
        SpotRun.Attempt second = run.attempts().get(1);
        assertEquals(TrainingJob.MAX_RUNTIME_EXCEEDED, second.exitCode());
        assertEquals("MaxRuntimeExceeded", second.status().get("status"));
        // 300 steps of at least 20 ms do not fit in 3 s: the stop came from max_run.
        assertTrue(((Number) second.status().get("iteration")).longValue() < 15 * SpotJob.STEPS_PER_EPOCH);
        assertTrue(run.trainingSeconds() >= 3, run.summary());
        ModelArtifact.open(dir.modelDir()).loadInto(SpotJob.model());
    }

    @Test
    void pastMaxWaitTheRunnerGivesUp(@TempDir Path root) throws Exception {
        JobDirectory dir = job(root.resolve("job"), Map.of(), new JobConfiguration(
                java.util.Optional.of(Duration.ofSeconds(100)), java.util.Optional.of(Duration.ofSeconds(150)), GRACE,
                java.util.Optional.empty()));
        SpotRun run = ManagedSpotRunner.builder(dir.root(), SpotJob.class.getName())
                .interruptions(List.of(Interruption.notice(Duration.ofMillis(200), Duration.ofSeconds(30))))
                .capacityWait(Duration.ofSeconds(150)).build().run();
        assertEquals(SpotRun.Status.MAX_WAIT_TIME_EXCEEDED, run.status(), log(dir));
        assertEquals(1, run.attempts().size(), "no attempt after the wait used max_wait up");
        assertEquals(1, run.interruptions());
        assertEquals(JobResult.Status.INTERRUPTED, run.last().status(), "its progress is kept in a checkpoint");
    }
}
