package org.trainer.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.Tensor;
import org.trainer.core.io.Safetensors;
import org.trainer.core.job.TrainingJob;

/**
 * A tuning job whose trials run as child JVMs ({@link FaultyTunerMain}), killed with SIGKILL at
 * random moments (while trials train, right after a trial finished, or while the tuner starts)
 * and started again each time. After every kill no process of the job survives: neither the
 * tuner's descendants nor any process whose command line names the job's directory (the trials
 * are paused at the kill, so that one left running could not end by itself meanwhile). At the end
 * no trial failed, every trial finished before a kill kept its value and was not run again, and
 * every trial's parameters and value are those of an uninterrupted job with the same seed.
 * The CI form kills 3 times; {@code -Dtrainer.faults.long=true} runs the long form (12 kills).
 */
class TuningJobFaultsTest {
    private static final Logger LOG = LoggerFactory.getLogger(TuningJobFaultsTest.class);
    private static final boolean LONG = Boolean.getBoolean("trainer.faults.long");
    private static final int KILLS = LONG ? 12 : 3;
    private static final int MAX_JOBS = LONG ? 10 : 5;
    private static final long STEP_MS = 15;
    private static final long TIMEOUT_S = 300;
    /** A killed tuner's trial JVMs halt within about half a second; this leaves room for a loaded machine. */
    private static final long ORPHAN_GRACE_S = 20;

    @TempDir
    Path dir;

    private static void writeData(Path data) throws IOException {
        Files.createDirectories(data);
        Random r = new Random(3);
        float[] x = new float[96 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        Tensor xs = Tensor.fromArray(x, 96, 3);
        Tensor ys = xs.matmul(Tensor.fromArray(new float[] {1, -2, 0.5f}, 3, 1)).add(0.3);
        Safetensors.save(Map.of("x", xs, "y", ys), Map.of(), data.resolve("data.safetensors"));
    }

    private static Process startTuner(Path root) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(TrainingJob.defaultJvmArgs());
        cmd.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                FaultyTunerMain.class.getName(), root.toString(), Integer.toString(MAX_JOBS), Long.toString(STEP_MS)));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("tuner.log").toFile())).start();
    }

    private static String log(Path root) throws IOException {
        return Files.readString(root.resolve("tuner.log"), StandardCharsets.UTF_8);
    }

    private static void awaitSuccess(Process tuner, Path root) throws Exception {
        if (!tuner.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            tuner.descendants().forEach(ProcessHandle::destroyForcibly);
            tuner.destroyForcibly();
            fail("the tuning job did not end within " + TIMEOUT_S + " s; its log:\n" + log(root));
        }
        assertEquals(0, tuner.exitValue(), "the tuning job failed; its log:\n" + log(root));
    }

    private static Path journal(Path root) {
        return root.resolve("journal/faults.jsonl");
    }

    /** The trials the journal holds now, by number (none before the journal exists). */
    private static Map<Integer, FrozenTrial> trials(Path root) throws IOException {
        Map<Integer, FrozenTrial> out = new TreeMap<>();
        // A kill while the study starts may leave an empty journal, which holds no study to load.
        if (Files.exists(journal(root)) && Files.readString(journal(root)).startsWith("{\"event\":\"study\"")) {
            Study.load(journal(root)).forEach(t -> out.put(t.number(), t));
        }
        return out;
    }

    private static Map<Integer, FrozenTrial> finished(Path root) throws IOException {
        Map<Integer, FrozenTrial> out = new TreeMap<>(trials(root));
        out.values().removeIf(t -> t.state() == TrialState.RUNNING);
        return out;
    }

    /** How many times trial n's job was started: one marker line per attempt in its output/job.log. */
    private static long attempts(Path root, int n) throws IOException {
        Path log = root.resolve("trials/trial-" + n + "/output/job.log");
        return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.startsWith("==== ")).count() : 0;
    }

    /** Every living process whose command line names {@code marker}, but this one. */
    private static List<ProcessHandle> carrying(String marker) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false)
                        || p.info().arguments().map(a -> Arrays.stream(a).anyMatch(s -> s.contains(marker))).orElse(false))
                .toList();
    }

    /** Fails unless every process in {@code watched} and every one naming {@code marker} is gone in the grace time. */
    private static void assertNoSurvivors(List<ProcessHandle> watched, String marker) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ORPHAN_GRACE_S);
        List<ProcessHandle> alive;
        do {
            alive = new ArrayList<>(watched.stream().filter(ProcessHandle::isAlive).toList());
            for (ProcessHandle p : carrying(marker)) {
                if (!alive.contains(p)) {
                    alive.add(p);
                }
            }
            if (alive.isEmpty()) {
                return;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        // The pid and the command's end (main class, job directory): the class path would drown them.
        String described = alive.stream().map(p -> p.pid() + " ..." + p.info().arguments()
                .map(a -> " " + String.join(" ", Arrays.asList(a).subList(Math.max(0, a.length - 3), a.length)))
                .orElse("?")).collect(Collectors.joining("\n"));
        alive.forEach(ProcessHandle::destroyForcibly);
        fail(alive.size() + " process(es) of the killed tuning job still run " + ORPHAN_GRACE_S + " s later:\n"
                + described);
    }

    private static void awaitCondition(Process tuner, Path root, String what, IoCondition c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (!c.holds()) {
            if (!tuner.isAlive()) {
                fail("the tuning job ended (exit code " + tuner.exitValue() + ") before " + what + "; its log:\n"
                        + log(root));
            }
            if (System.nanoTime() > deadline) {
                fail("no " + what + " within " + TIMEOUT_S + " s; the log:\n" + log(root));
            }
            Thread.sleep(5);
        }
    }

    @FunctionalInterface
    private interface IoCondition {
        boolean holds() throws IOException;
    }

    @Test
    void aKilledAndRestartedTuningJobLeavesNoOrphanLosesNoTrialAndEndsAsAnUninterruptedOne() throws Exception {
        Path reference = dir.resolve("reference");
        writeData(reference.resolve("data"));
        awaitSuccess(startTuner(reference), reference);
        Map<Integer, FrozenTrial> expected = trials(reference);
        assertEquals(MAX_JOBS, expected.size());

        Path root = dir.resolve("killed");
        writeData(root.resolve("data"));
        String marker = root.toString();
        Random random = new Random(23);
        Map<Integer, FrozenTrial> kept = new TreeMap<>();
        Map<Integer, Long> attemptsWhenFinished = new TreeMap<>();
        int kills = 0;
        int killsWithTrialsRunning = 0;
        while (kills < KILLS) {
            int finishedBefore = finished(root).size();
            Process tuner = startTuner(root);
            String moment;
            switch (kills % 3) {
                case 0 -> {
                    // Once a trial JVM runs, at a random moment of its training.
                    awaitCondition(tuner, root, "trial JVM", () -> tuner.descendants().findAny().isPresent());
                    long delay = random.nextInt(1500);
                    Thread.sleep(delay);
                    moment = delay + " ms after a trial JVM started";
                }
                case 1 -> {
                    // Right after a trial finished: between its result and the next trial's start.
                    awaitCondition(tuner, root, "finished trial", () -> finished(root).size() > finishedBefore);
                    moment = "right after trial " + (finishedBefore) + "+ finished";
                }
                default -> {
                    long delay = random.nextInt(1500);
                    Thread.sleep(delay);
                    moment = delay + " ms after the tuner started";
                }
            }
            if (!tuner.isAlive()) {
                fail("the tuning job ended (exit code " + tuner.exitValue() + ") before kill " + (kills + 1)
                        + "; give it more trials. Its log:\n" + log(root));
            }
            List<ProcessHandle> descendants = tuner.descendants().toList();
            if (!descendants.isEmpty()) {
                killsWithTrialsRunning++;
            }
            // From now on the trials stand still: a trial JVM that outlived its tuner would stay, not end by itself.
            Path pause = Files.createFile(root.resolve(FaultyTunerMain.PAUSE));
            tuner.destroyForcibly();
            assertTrue(tuner.waitFor(30, TimeUnit.SECONDS), "the killed tuner did not end");
            kills++;
            assertNoSurvivors(descendants, marker);
            Files.delete(pause);
            for (FrozenTrial t : finished(root).values()) {
                kept.putIfAbsent(t.number(), t);
                attemptsWhenFinished.putIfAbsent(t.number(), attempts(root, t.number()));
            }
            LOG.info("tuning job kill {} ({}): {} trial JVM(s) were running, {} trials finished so far", kills, moment,
                    descendants.size(), kept.size());
        }
        awaitSuccess(startTuner(root), root);
        assertNoSurvivors(List.of(), marker);

        Map<Integer, FrozenTrial> actual = trials(root);
        LOG.info("tuning job: {} kills ({} with trial JVMs running), then a clean end; {} trials: {}", kills,
                killsWithTrialsRunning, actual.size(), actual.values().stream()
                        .map(t -> t.number() + "=" + t.state() + " " + t.value()).collect(Collectors.joining(", ")));
        assertTrue(killsWithTrialsRunning >= (LONG ? 4 : 1), killsWithTrialsRunning + " kills with trials running");
        assertEquals(MAX_JOBS, actual.size(), actual.toString());
        for (FrozenTrial t : actual.values()) {
            assertEquals(TrialState.COMPLETE, t.state(), "trial " + t.number() + ": " + t);
        }
        for (Map.Entry<Integer, FrozenTrial> e : kept.entrySet()) {
            int n = e.getKey();
            assertEquals(e.getValue().state(), actual.get(n).state(), "trial " + n + " finished before a kill");
            assertEquals(e.getValue().value(), actual.get(n).value(), "trial " + n + " finished before a kill");
            assertEquals(attemptsWhenFinished.get(n), attempts(root, n), "trial " + n + " was run again after it finished");
        }
        for (FrozenTrial e : expected.values()) {
            FrozenTrial a = actual.get(e.number());
            assertEquals(e.params(), a.params(), "trial " + e.number() + "'s parameters");
            assertEquals(e.value(), a.value(), "trial " + e.number() + "'s value");
        }
        assertEquals(min(expected), min(actual), "the best value");
    }

    private static double min(Map<Integer, FrozenTrial> trials) {
        return trials.values().stream().mapToDouble(FrozenTrial::value).min().orElseThrow();
    }
}
