package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.Tensor;
import org.trainer.core.io.AtomicFile;
import org.trainer.core.io.Safetensors;
import org.trainer.core.job.JobDirectory;
import org.trainer.core.job.TrainingJob;
import org.trainer.core.train.checkpoint.CheckpointLock;
import org.trainer.core.train.checkpoint.CheckpointStore;

/**
 * A checkpointing training job run through the job contract in a child JVM
 * ({@link CheckpointingDigitsJob}), against real faults:
 * <ul>
 * <li>killed with SIGKILL ({@link Process#destroyForcibly()}) at random moments, a share of them
 * while a checkpoint is being written and one while an artifact is being written to
 * {@code model/}, and started again each time: it ends with the very bytes of an uninterrupted
 * run (model, optimizer, summary, history, metrics and every kept checkpoint file) and leaves no
 * temporary file (nor those that earlier versions named otherwise) and no lock behind;</li>
 * <li>a second job writing to the same checkpoint directory while the first runs is refused with
 * an error naming the directory and the first job's pid, and the first ends as if alone.</li>
 * </ul>
 * The CI form kills a few times; {@code -Dtrainer.faults.long=true} runs the long form (24 kills).
 */
class TrainingJobFaultsTest {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingJobFaultsTest.class);
    private static final boolean LONG = Boolean.getBoolean("trainer.faults.long");
    /** Kills at random moments or during checkpoint writes, before the one during the artifact write. */
    private static final int KILLS = LONG ? 24 : 3;
    private static final int EPOCHS = LONG ? 6 : 2;
    private static final long CHILD_TIMEOUT_S = 180;

    @TempDir
    static Path shared;
    private static Path reference;

    @BeforeAll
    static void uninterruptedRun() throws Exception {
        reference = shared.resolve("reference");
        prepare(reference, 0, "");
        Process p = start(reference);
        awaitSuccess(p, reference);
    }

    private static void prepare(Path root, long pauseMillis, String holdUntil) throws IOException {
        JobDirectory.of(root).writeHyperparameters(Map.of("epochs", EPOCHS, "every_steps", 2, "pause_ms", pauseMillis,
                "hold_until", holdUntil));
    }

    private static Process start(Path root) throws IOException {
        List<String> jvm = new ArrayList<>(TrainingJob.defaultJvmArgs());
        jvm.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC"));
        ProcessBuilder pb = new ProcessBuilder(TrainingJob.childCommand(root, CheckpointingDigitsJob.class.getName(), jvm))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("child.log").toFile()));
        // A test JVM that dies takes its job with it.
        pb.environment().put(TrainingJob.PARENT_PID_ENV, Long.toString(ProcessHandle.current().pid()));
        return pb.start();
    }

    private static void awaitSuccess(Process p, Path root) throws Exception {
        if (!p.waitFor(CHILD_TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("the job did not end within " + CHILD_TIMEOUT_S + " s; its log:\n" + log(root));
        }
        assertEquals(0, p.exitValue(), "the job failed; its log:\n" + log(root));
    }

    private static String log(Path root) throws IOException {
        Path log = root.resolve("child.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(none)";
    }

    private static Set<String> names(Path dir, String prefix) throws IOException {
        Set<String> out = new TreeSet<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).forEach(out::add);
            }
        }
        return out;
    }

    /** Every file under {@code root} whose name marks it as a temporary of an interrupted write. */
    private static List<String> temporaries(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p).toString())
                    .filter(r -> {
                        String n = Path.of(r).getFileName().toString();
                        return AtomicFile.isTemporary(n) || n.startsWith(".tmp-");
                    }).sorted().toList();
        }
    }

    /** Waits until {@code condition} holds, or fails once the job ends or the time is up. */
    private static void await(Process p, Path root, String what, IoCondition condition) throws Exception {
        await(p, root, what, condition, false);
    }

    /** As {@link #await(Process, Path, String, IoCondition)}; {@code spin}: look again at once, to catch a short moment. */
    private static void await(Process p, Path root, String what, IoCondition condition, boolean spin) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_TIMEOUT_S);
        while (!condition.holds()) {
            if (!p.isAlive()) {
                fail("the job ended (exit code " + p.exitValue() + ") before " + what + "; its log:\n" + log(root));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly().waitFor();
                fail("no " + what + " within " + CHILD_TIMEOUT_S + " s; the log:\n" + log(root));
            }
            if (spin) {
                Thread.onSpinWait();
            } else {
                Thread.sleep(1);
            }
        }
    }

    @FunctionalInterface
    private interface IoCondition {
        boolean holds() throws IOException;
    }

    private static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "a killed job did not end");
    }

    @Test
    void killedAtRandomMomentsAndRestartedItEndsWithTheBytesOfAnUninterruptedRun() throws Exception {
        Path root = shared.resolve("killed");
        JobDirectory dir = JobDirectory.of(root);
        Path ckpt = dir.checkpointDir();
        Random random = new Random(19L);
        int kills = 0;
        int duringCheckpointWrites = 0;
        prepare(root, 0, "");
        while (kills < KILLS) {
            Set<String> before = names(ckpt, "epoch-");
            Process p = start(root);
            String moment;
            switch (kills % 3) {
                case 0 -> {
                    // Any moment: starting, taking the lock, cleaning up, resuming, training, writing.
                    long delay = random.nextInt(1500);
                    moment = "after " + delay + " ms";
                    if (p.waitFor(delay, TimeUnit.MILLISECONDS)) {
                        fail("the job ended (exit code " + p.exitValue() + ") before kill " + (kills + 1)
                                + "; make it longer. Its log:\n" + log(root));
                    }
                }
                case 1 -> {
                    // Inside a checkpoint write, once this run has written one of its own (so that every round moves on).
                    await(p, root, "new checkpoint", () -> !before.containsAll(names(ckpt, "epoch-")));
                    await(p, root, "checkpoint write", () -> !names(ckpt, ".tmp-").isEmpty(), true);
                    moment = "during a checkpoint write";
                }
                default -> {
                    await(p, root, "new checkpoint", () -> !before.containsAll(names(ckpt, "epoch-")));
                    long delay = random.nextInt(80);
                    moment = delay + " ms after a new checkpoint";
                    Thread.sleep(delay);
                }
            }
            if (!p.isAlive()) {
                fail("the job ended (exit code " + p.exitValue() + ") before kill " + (kills + 1) + "; its log:\n"
                        + log(root));
            }
            kill(p);
            kills++;
            Set<String> temps = names(ckpt, ".tmp-");
            if (!temps.isEmpty()) {
                duringCheckpointWrites++;
            }
            // Whatever the moment, every checkpoint under its final name is whole.
            for (Path c : new CheckpointStore(ckpt).list()) {
                CheckpointStore.read(c);
            }
            LOG.info("kill {} ({}): checkpoints {}, temporaries {}", kills, moment, names(ckpt, "epoch-"), temps);
        }

        // One more: inside the write of an artifact in model/, which the pause holds open.
        prepare(root, 60_000, "");
        Process p = start(root);
        await(p, root, "temporary file in model/", () -> names(dir.modelDir(), ".summary.txt.").stream()
                .anyMatch(AtomicFile::isTemporary));
        kill(p);
        kills++;
        List<String> leftAtKill = temporaries(root);
        assertTrue(leftAtKill.stream().anyMatch(n -> n.startsWith("model/.summary.txt.")), leftAtKill.toString());
        LOG.info("kill {} (during the write of model/summary.txt): temporaries {}", kills, leftAtKill);

        // And the temporaries that earlier versions named otherwise (Files.createTempFile), as if killed there too.
        List<Path> earlier = List.of(Files.createTempFile(dir.modelDir(), "model.safetensors", ".tmp"),
                Files.createTempFile(dir.modelDir(), ".optimizer.safetensors", ".tmp"),
                Files.createTempFile(dir.outputDataDir(), ".metrics.json", ".tmp"));
        prepare(root, 0, "");
        awaitSuccess(start(root), root);
        for (Path e : earlier) {
            assertFalse(Files.exists(e), e + " is left");
        }
        LOG.info("training job: {} kills ({} inside checkpoint writes, 1 inside an artifact write), then a clean end",
                kills, duringCheckpointWrites);
        assertTrue(log(root).contains("resuming from"), "the runs resumed from checkpoints");
        assertTrue(kills > KILLS);
        if (LONG) {
            assertTrue(duringCheckpointWrites >= 5, duringCheckpointWrites + " kills inside checkpoint writes");
        } else {
            assertTrue(duringCheckpointWrites >= 1, duringCheckpointWrites + " kills inside checkpoint writes");
        }
        assertEquals(List.of(), temporaries(root), "temporaries left after the restart");
        assertFalse(Files.exists(ckpt.resolve(CheckpointLock.FILE)), "the lock of the last run is released");
        assertSameBytes(reference, root);
    }

    @Test
    void aSecondJobOnTheSameCheckpointsIsRefusedNamingTheOwnerAndTheFirstEndsAsIfAlone() throws Exception {
        Path first = shared.resolve("first");
        Path second = shared.resolve("second");
        prepare(first, 0, "go");
        prepare(second, 0, "");
        Path ckpt = JobDirectory.of(first).checkpointDir();
        Files.createDirectories(ckpt);
        // The second job's checkpoints/ is the first one's directory under another name.
        Files.createSymbolicLink(JobDirectory.of(second).checkpointDir(), ckpt);

        Process a = start(first);
        try {
            String owner = "pid=" + a.pid() + "\n";
            await(a, first, "lock of the first job", () -> Files.exists(ckpt.resolve(CheckpointLock.FILE))
                    && Files.readString(ckpt.resolve(CheckpointLock.FILE)).startsWith(owner));
            Process b = start(second);
            assertTrue(b.waitFor(CHILD_TIMEOUT_S, TimeUnit.SECONDS), "the second job did not end");
            assertEquals(TrainingJob.FAILED, b.exitValue(), "the second job's log:\n" + log(second));
            String failure = Files.readString(JobDirectory.of(second).failureFile());
            String firstLine = failure.lines().findFirst().orElse("");
            assertTrue(firstLine.contains(JobDirectory.of(second).checkpointDir().toString())
                    && firstLine.contains("pid " + a.pid()), failure);
            // Refused by the operating system's lock that the first job holds, not only by its recorded pid.
            assertTrue(firstLine.contains("is being written by another process"), failure);
            LOG.info("the second job was refused: {}", firstLine);
            assertTrue(a.isAlive(), "the first job ran all along");
            assertTrue(Files.readString(ckpt.resolve(CheckpointLock.FILE)).startsWith(owner), "the lock stays the first's");
            Files.createFile(first.resolve("go"));
            awaitSuccess(a, first);
        } finally {
            a.destroyForcibly();
        }
        assertSameBytes(reference, first);
        assertEquals(List.of(), temporaries(first));
        assertEquals(Set.of(), names(JobDirectory.of(second).modelDir(), ""), "the refused job wrote no model");
    }

    /** The artifacts, figures and kept checkpoints of {@code actual} are byte for byte those of {@code expected}. */
    private static void assertSameBytes(Path expected, Path actual) throws IOException {
        JobDirectory e = JobDirectory.of(expected);
        JobDirectory a = JobDirectory.of(actual);
        List<Path> dirs = new ArrayList<>(List.of(Path.of("model"), Path.of("output/data"), Path.of("checkpoints")));
        for (String c : names(e.checkpointDir(), "epoch-")) {
            dirs.add(Path.of("checkpoints", c));
        }
        assertFalse(names(e.checkpointDir(), "epoch-").isEmpty());
        for (Path d : dirs) {
            Set<String> files = names(expected.resolve(d), "");
            assertEquals(files, names(actual.resolve(d), ""), "the files in " + d);
            // The checksums last, so that a difference is reported in the file that holds it.
            List<String> ordered = new ArrayList<>(files);
            ordered.sort(Comparator.comparing((String f) -> f.startsWith("checksums")).thenComparing(f -> f));
            for (String f : ordered) {
                Path ef = expected.resolve(d).resolve(f);
                if (Files.isRegularFile(ef)) {
                    Path af = actual.resolve(d).resolve(f);
                    assertArrayEquals(Files.readAllBytes(ef), Files.readAllBytes(af),
                            () -> d.resolve(f) + " differs from the uninterrupted run's" + tensorsThatDiffer(ef, af));
                }
            }
        }
        assertEquals(Set.of("model.safetensors", "optimizer.safetensors", "summary.txt"), names(e.modelDir(), ""));
        assertTrue(names(e.outputDataDir(), "").containsAll(Set.of("metrics.json", "history.json")),
                names(e.outputDataDir(), "").stream().collect(Collectors.joining(", ")));
    }

    /** For a message: the tensors of two safetensors files that differ, with their first values. */
    private static String tensorsThatDiffer(Path expected, Path actual) {
        if (!expected.getFileName().toString().endsWith(".safetensors")) {
            return "";
        }
        try {
            Map<String, Tensor> e = Safetensors.read(expected);
            Map<String, Tensor> a = Safetensors.read(actual);
            StringBuilder out = new StringBuilder(" in tensors:");
            for (String k : new TreeSet<>(e.keySet())) {
                Tensor x = e.get(k);
                Tensor y = a.get(k);
                if (y == null || !Arrays.equals(x.toDoubleArray(), y.toDoubleArray())) {
                    out.append("\n  ").append(k).append(": expected ").append(head(x)).append(", got ")
                            .append(y == null ? "none" : head(y));
                }
            }
            return out.toString();
        } catch (IOException | RuntimeException ex) {
            return " (" + ex + ")";
        }
    }

    private static String head(Tensor t) {
        double[] v = t.toDoubleArray();
        return Arrays.toString(Arrays.copyOf(v, Math.min(v.length, 6))) + (v.length > 6 ? "... (" + v.length + ")" : "");
    }
}
