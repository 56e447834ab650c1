package org.trainer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.nio.file.Path;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.trainer.core.job.JobDirectory;
import org.trainer.core.job.JobResult;
import org.trainer.core.job.TrainingJob;
import org.trainer.hpo.Direction;
import org.trainer.hpo.EarlyStoppingType;
import org.trainer.hpo.FloatRange;
import org.trainer.hpo.FrozenTrial;
import org.trainer.hpo.HyperbandPruner;
import org.trainer.hpo.MedianPruner;
import org.trainer.hpo.Pruner;
import org.trainer.hpo.SearchSpace;
import org.trainer.hpo.Strategy;
import org.trainer.hpo.Study;
import org.trainer.hpo.ThreadPoolTrialExecutor;
import org.trainer.hpo.TrialExecutor;
import org.trainer.hpo.TrialState;
import org.trainer.hpo.TuningJob;
import org.trainer.hpo.TuningResult;

/**
 * Studies whose trials run as tasks of one local[2] context, shared by the tests (Spark starts
 * slowly). Local mode runs the tasks in this JVM, still Java-serializing each objective into its
 * task, so the objectives record what they did in this class's static fields. Spark authenticates,
 * so every report token is derived from its secret on the task's side.
 */
class SparkTrialExecutorTest {
    private static final int STEPS = 9;
    private static SparkContext sc;

    /** [start, end] nanoTimes of the objective's runs, by test. */
    private static final ConcurrentLinkedQueue<long[]> SPANS = new ConcurrentLinkedQueue<>();
    /** How often each trial's objective started, by "label/number". */
    private static final Map<String, AtomicInteger> STARTS = new ConcurrentHashMap<>();
    /** The steps each trial's objective really ran, by "label/number" (the last run's). */
    private static final Map<String, Integer> STEPS_RUN = new ConcurrentHashMap<>();
    private static volatile CountDownLatch started;
    private static volatile CountDownLatch release;
    private static volatile CountDownLatch slowInterrupted;

    @BeforeAll
    static void startSpark() {
        // local[2]: two task slots and no task retries inside a job (F = 1), so each retry seen
        // here is the executor's own.
        sc = new SparkContext(new SparkConf().setMaster("local[2]").setAppName("SparkTrialExecutorTest")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.authenticate", "true").set("spark.authenticate.secret", "the trials' test secret"));
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    private static SearchSpace space() {
        return SearchSpace.builder().add("x", FloatRange.linear(-1, 1)).add("y", FloatRange.linear(-1, 1)).build();
    }

    static double quadratic(Map<String, Object> p) {
        double x = (Double) p.get("x");
        double y = (Double) p.get("y");
        return (x - 0.3) * (x - 0.3) + (y + 0.2) * (y + 0.2);
    }

    private static Study study(String name, Pruner pruner) {
        return Study.builder().name(name).direction(Direction.MINIMIZE).space(space()).seed(11).pruner(pruner).build();
    }

    private static SparkTrialExecutor.Builder onSpark(RemoteObjective objective) {
        return SparkTrialExecutor.builder(objective).sparkContext(sc);
    }

    /** A quadratic that takes 150 ms and records when it ran. */
    private static double timedQuadratic(RemoteTrial t) throws InterruptedException {
        long start = System.nanoTime();
        Thread.sleep(150);
        SPANS.add(new long[] {start, System.nanoTime()});
        return quadratic(t.params());
    }

    @Test
    void everyTrialCompletesWithItsOwnValueAndAtMostParallelismRunAtOnce() {
        SPANS.clear();
        try (Study study = study("quadratic", Pruner.none());
             SparkTrialExecutor ex = onSpark(SparkTrialExecutorTest::timedQuadratic).parallelism(2).build()) {
            study.optimize(ex, 12);
            List<FrozenTrial> trials = study.trials();
            assertEquals(12, trials.size());
            for (FrozenTrial t : trials) {
                assertEquals(TrialState.COMPLETE, t.state(), t.toString());
                assertEquals(quadratic(t.params()), t.value(), 0.0, t.toString());
            }
        }
        List<long[]> spans = new ArrayList<>(SPANS);
        assertEquals(12, spans.size());
        int most = 0;
        for (long[] s : spans) {
            // the runs under way when s started, s included
            int overlapping = (int) spans.stream().filter(o -> o[0] <= s[0] && s[0] < o[1]).count();
            most = Math.max(most, overlapping);
        }
        assertEquals(2, most, "the most trials running at once");
    }

    /** Reports step 1, then throws when asked to, else reports step 2 and returns the quadratic. */
    private static double flaky(RemoteTrial t, boolean failFirstAttemptOnly) {
        STARTS.computeIfAbsent("flaky/" + t.number(), k -> new AtomicInteger()).incrementAndGet();
        t.report(1, 10 + t.attempt());
        if (!failFirstAttemptOnly || t.attempt() == 0) {
            throw new IllegalStateException("boom on attempt " + t.attempt());
        }
        t.report(2, 5);
        return quadratic(t.params());
    }

    @Test
    void aTaskThatThrowsOnItsFirstAttemptOnlyCompletesOnTheRetry() {
        try (Study study = study("retried", Pruner.none());
             SparkTrialExecutor ex = onSpark(t -> flaky(t, true)).build()) {
            study.optimize(ex, 1);
            FrozenTrial t = study.trials().get(0);
            assertEquals(TrialState.COMPLETE, t.state(), t.toString());
            assertEquals(quadratic(t.params()), t.value(), 0.0);
            assertEquals(2, STARTS.get("flaky/0").get());
            // the retry's report of step 1 (value 11) did not replace the first attempt's
            assertEquals(new TreeMap<>(Map.of(1, 10.0, 2, 5.0)), t.intermediate());
        }
    }

    @Test
    void aTaskThatAlwaysThrowsIsRetriedOnceThenFailsWithItsMessage() {
        STARTS.remove("flaky/0");
        try (Study study = study("failing", Pruner.none());
             SparkTrialExecutor ex = onSpark(t -> flaky(t, false)).build()) {
            study.optimize(ex, 1);
            FrozenTrial t = study.trials().get(0);
            assertEquals(TrialState.FAILED, t.state(), t.toString());
            assertTrue(t.error().contains("failed on all 2 attempts")
                    && t.error().contains("java.lang.IllegalStateException: boom on attempt 1"), t.error());
            assertEquals(2, STARTS.get("flaky/0").get());
        }
    }

    /**
     * Runs the trial's work in a child JVM that halts with exit code 137 (as if SIGKILLed): always
     * for trial 0, on the first attempt only for trial 1.
     */
    private static double inChildJvm(RemoteTrial t) throws Exception {
        int exit = t.number() == 0 || t.attempt() == 0 ? 137 : 0;
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                HaltingChild.class.getName(), Integer.toString(exit)).inheritIO().start();
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new IllegalStateException("trial " + t.number() + ": its child JVM did not end in 60 s");
        }
        if (child.exitValue() != 0) {
            throw new IllegalStateException("trial " + t.number() + ": its child JVM died with exit code " + child.exitValue());
        }
        return quadratic(t.params());
    }

    @Test
    void aTrialWhoseChildJvmDiesIsRetriedAndFailsOrCompletesByItsRetry() {
        try (Study study = study("child-jvm", Pruner.none());
             SparkTrialExecutor ex = onSpark(SparkTrialExecutorTest::inChildJvm).parallelism(2).build()) {
            study.optimize(ex, 2);
            FrozenTrial dead = study.trials().get(0);
            assertEquals(TrialState.FAILED, dead.state(), dead.toString());
            assertTrue(dead.error().contains("trial 0: its child JVM died with exit code 137"), dead.error());
            FrozenTrial revived = study.trials().get(1);
            assertEquals(TrialState.COMPLETE, revived.state(), revived.toString());
            assertEquals(quadratic(revived.params()), revived.value(), 0.0);
        }
    }

    /**
     * Runs the trial as a {@link TrainingJob} in a child JVM under {@code root}; the job's JVM halts
     * with exit code 137 on the trial's first attempt.
     */
    private static double asTrainingJob(RemoteTrial t, String root) throws Exception {
        Path dir = Path.of(root, "trial-" + t.number());
        Map<String, Object> hyperparameters = new LinkedHashMap<>(t.params());
        hyperparameters.put("halt", t.attempt() == 0 ? 137 : 0);
        JobDirectory.of(dir).writeHyperparameters(hyperparameters);
        JobResult r = new TrainingJob(dir).runInChildJvm(QuadraticJob.class.getName(), TrainingJob.defaultJvmArgs(),
                Duration.ofSeconds(60));
        if (!r.succeeded()) {
            throw new IllegalStateException("trial " + t.number() + ": job failed (exit code " + r.exitCode() + "): "
                    + r.failure().strip());
        }
        return r.metrics().get("q");
    }

    @Test
    void aTrialRunsATrainingJobInItsTaskAndIsRetriedWhenTheJobsJvmDies(@TempDir Path jobs) {
        String root = jobs.toString();
        try (Study study = study("training-job", Pruner.none());
             SparkTrialExecutor ex = onSpark(t -> asTrainingJob(t, root)).build()) {
            study.optimize(ex, 1);
            FrozenTrial t = study.trials().get(0);
            assertEquals(TrialState.COMPLETE, t.state(), t.toString());
            assertEquals(quadratic(t.params()), t.value(), 1e-12);
        }
    }

    /**
     * A curve that falls towards the quadratic: value q + 1 / step at each of {@link #STEPS} steps;
     * it stops as soon as the coordinator says so and records how many steps it ran.
     */
    private static double curve(RemoteTrial t, String label) {
        double q = quadratic(t.params());
        int step = 1;
        for (; step <= STEPS; step++) {
            t.report(step, q + 1.0 / step);
            if (t.shouldPrune()) {
                break;
            }
        }
        STEPS_RUN.put(label + "/" + t.number(), Math.min(step, STEPS));
        return q;
    }

    private static void assertPrunedAsInProcess(Supplier<Pruner> pruner, String label) {
        int trials = 14;
        List<FrozenTrial> inProcess;
        try (Study study = study(label, pruner.get());
             ThreadPoolTrialExecutor ex = new ThreadPoolTrialExecutor(((RemoteObjective) t -> curve(t, label + "-local")).toObjective(), 1)) {
            study.optimize(ex, trials);
            inProcess = study.trials();
        }
        List<FrozenTrial> onSpark;
        try (Study study = study(label, pruner.get());
             SparkTrialExecutor ex = onSpark(t -> curve(t, label + "-spark")).build()) {
            study.optimize(ex, trials);
            onSpark = study.trials();
        }
        List<Integer> pruned = new ArrayList<>();
        for (int i = 0; i < trials; i++) {
            FrozenTrial a = inProcess.get(i);
            FrozenTrial b = onSpark.get(i);
            assertEquals(a.state(), b.state(), "trial " + i + ": " + a + " in-process, " + b + " on Spark");
            assertEquals(a.params(), b.params());
            assertEquals(a.intermediate(), b.intermediate(), "trial " + i + "'s reports");
            if (b.state() == TrialState.PRUNED) {
                pruned.add(i);
                int last = b.intermediate().lastKey();
                assertTrue(last < STEPS, "trial " + i + " was pruned after its last step");
                // the task saw the decision and ran no step after the one it was pruned at
                assertEquals(last, STEPS_RUN.get(label + "-spark/" + i), "steps the pruned task ran");
            } else {
                assertEquals(TrialState.COMPLETE, b.state());
                assertEquals(a.value(), b.value(), 0.0);
                assertEquals(STEPS, b.intermediate().lastKey());
            }
        }
        assertFalse(pruned.isEmpty(), label + ": no trial was pruned, so the comparison proves nothing");
    }

    @Test
    void aMedianPrunerPrunesTheSameTrialsAtTheSameStepsAsInProcess() {
        assertPrunedAsInProcess(() -> new MedianPruner(3, 0, 1), "median");
    }

    @Test
    void aHyperbandPrunerPrunesTheSameTrialsAtTheSameStepsAsInProcess() {
        assertPrunedAsInProcess(() -> new HyperbandPruner(1, STEPS, 3, 0), "hyperband");
    }

    private static double waitForRelease(RemoteTrial t) throws InterruptedException {
        started.countDown();
        if (!release.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not released");
        }
        return quadratic(t.params());
    }

    @Test
    void aReportWithoutItsTrialsTokenIsRefusedWith403AndChangesNothing() throws Exception {
        started = new CountDownLatch(1);
        release = new CountDownLatch(1);
        try (Study study = study("forbidden", Pruner.none());
             SparkTrialExecutor ex = onSpark(SparkTrialExecutorTest::waitForRelease).build()) {
            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> study.optimize(ex, 1));
            try {
                assertTrue(started.await(60, TimeUnit.SECONDS), "the trial did not start");
                HttpClient client = HttpClient.newHttpClient();
                URI report = URI.create(ex.endpointUrl() + "/trials/0/report");
                List<HttpRequest> bad = List.of(
                        HttpRequest.newBuilder(report).POST(HttpRequest.BodyPublishers.ofString("1 0.5")).build(),
                        HttpRequest.newBuilder(report).header("Authorization", "Bearer " + "0".repeat(64))
                                .POST(HttpRequest.BodyPublishers.ofString("1 0.5")).build(),
                        HttpRequest.newBuilder(report).header("Authorization", "Bearer " + ex.token(1))
                                .POST(HttpRequest.BodyPublishers.ofString("1 0.5")).build(),
                        HttpRequest.newBuilder(report).header("Authorization", ex.token(0))
                                .POST(HttpRequest.BodyPublishers.ofString("1 0.5")).build(),
                        HttpRequest.newBuilder(report).header("Authorization", "Bearer " + ex.token(0)).GET().build(),
                        HttpRequest.newBuilder(URI.create(ex.endpointUrl() + "/trials/0/prune"))
                                .header("Authorization", "Bearer " + ex.token(0))
                                .POST(HttpRequest.BodyPublishers.ofString("1 0.5")).build());
                for (HttpRequest r : bad) {
                    HttpResponse<String> response = client.send(r, HttpResponse.BodyHandlers.ofString());
                    assertEquals(403, response.statusCode(), r + " " + r.headers().map());
                }
                assertTrue(study.trials().get(0).intermediate().isEmpty(), study.trials().toString());
                // the same report with trial 0's token goes through
                HttpResponse<String> ok = client.send(HttpRequest.newBuilder(report)
                        .header("Authorization", "Bearer " + ex.token(0))
                        .POST(HttpRequest.BodyPublishers.ofString("1 0.5")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, ok.statusCode(), ok.body());
                assertEquals("continue", ok.body());
                assertEquals(Map.of(1, 0.5), study.trials().get(0).intermediate());
            } finally {
                release.countDown();
            }
            run.get(60, TimeUnit.SECONDS);
            assertEquals(TrialState.COMPLETE, study.trials().get(0).state());
        }
    }

    @Test
    void aTrialPastItsTimeoutIsCancelledAndFailsWithoutARetry() {
        STARTS.remove("slow/0");
        CountDownLatch interrupted = new CountDownLatch(1);
        slowInterrupted = interrupted;
        RemoteObjective slow = t -> {
            STARTS.computeIfAbsent("slow/" + t.number(), k -> new AtomicInteger()).incrementAndGet();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                slowInterrupted.countDown();
                throw e;
            }
            return 0;
        };
        try (Study study = study("timeout", Pruner.none());
             SparkTrialExecutor ex = onSpark(slow).timeout(Duration.ofMillis(1500)).build()) {
            long start = System.nanoTime();
            study.optimize(ex, 1);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "the trial was not cancelled");
            FrozenTrial t = study.trials().get(0);
            assertEquals(TrialState.FAILED, t.state());
            assertTrue(t.error().contains("timed out after PT1.5S"), t.error());
            assertEquals(1, STARTS.get("slow/0").get());
        }
        try {
            assertTrue(interrupted.await(30, TimeUnit.SECONDS), "the cancelled task was not interrupted");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aHyperbandTuningJobPrunesTrialsOnSpark() {
        TuningJob job = TuningJob.builder().name("hyperband-on-spark").objective("q", Direction.MINIMIZE).ranges(space())
                .strategy(Strategy.HYPERBAND).resource(1, STEPS).eta(3).maxJobs(12).maxParallelJobs(2).seed(5).build();
        TuningResult result = job.runWith(slots -> onSpark(t -> curve(t, "tuning-job")).parallelism(slots).build());
        List<FrozenTrial> trials = result.trials();
        assertEquals(12, trials.size());
        long pruned = trials.stream().filter(t -> t.state() == TrialState.PRUNED).count();
        assertTrue(pruned > 0, trials.toString());
        for (FrozenTrial t : trials) {
            if (t.state() == TrialState.PRUNED) {
                assertEquals(t.intermediate().lastKey(), STEPS_RUN.get("tuning-job/" + t.number()));
            } else {
                assertEquals(TrialState.COMPLETE, t.state(), t.toString());
                assertEquals(quadratic(t.params()), t.value(), 0.0);
            }
        }
    }

    @Test
    void earlyStoppingAutoIsAcceptedBecauseTheExecutorPrunes() {
        TuningJob job = TuningJob.builder().name("auto-on-spark").objective("q", Direction.MINIMIZE).ranges(space())
                .earlyStopping(EarlyStoppingType.AUTO).maxJobs(2).maxParallelJobs(2).seed(5).build();
        TuningResult result = job.runWith(slots -> onSpark(t -> curve(t, "auto")).parallelism(slots).build());
        assertEquals(2, result.trials().size());
        TrialExecutor ex = onSpark(t -> 0).build();
        try (ex) {
            assertTrue(ex.supportsPruning());
            assertFalse(ex.supportsDefineByRun());
        }
    }

    @Test
    void aDefineByRunStudyIsRefused() {
        try (Study study = Study.builder().name("define-by-run").direction(Direction.MINIMIZE).build();
             SparkTrialExecutor ex = onSpark(t -> 0).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> study.optimize(ex, 1));
            assertTrue(e.getMessage().contains("declare"), e.getMessage());
        }
    }

    @Test
    void theBuilderNamesWhatItRefuses() {
        RemoteObjective zero = t -> 0;
        assertEquals("SparkTrialExecutor.parallelism: must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> SparkTrialExecutor.builder(zero).parallelism(0)).getMessage());
        assertEquals("SparkTrialExecutor.retries: must be >= 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> SparkTrialExecutor.builder(zero).retries(-1)).getMessage());
        assertEquals("SparkTrialExecutor.timeout: must be positive, got PT0S",
                assertThrows(IllegalArgumentException.class, () -> SparkTrialExecutor.builder(zero).timeout(Duration.ZERO)).getMessage());
        assertEquals("SparkTrialExecutor.master: must be a Spark master URL, got \" \"",
                assertThrows(IllegalArgumentException.class, () -> SparkTrialExecutor.builder(zero).master(" ")).getMessage());
        assertTrue(assertThrows(IllegalStateException.class,
                () -> SparkTrialExecutor.builder(zero).sparkContext(sc).master("local[1]").build()).getMessage()
                .contains("either sparkContext or master"));
    }
}
