package org.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.Tensor;
import org.trainer.core.io.Safetensors;
import org.trainer.core.train.checkpoint.CheckpointStore;

/**
 * Training that survives SIGKILL, with real processes: {@link KillAndResumeMain} runs in a child JVM
 * that is killed with {@link Process#destroyForcibly()} (SIGKILL on Linux) at least 10 times, at
 * random moments and, at least 3 times, while a checkpoint's temporary directory exists (during a
 * write), and started again each time. After every kill each checkpoint under its final name
 * verifies (no half-written checkpoint is ever visible). The final weights, per-epoch figures and
 * step losses are bitwise those of an uninterrupted run with the same seed in the same JVM setup.
 */
class KillAndResumeTest {
    private static final Logger LOG = LoggerFactory.getLogger(KillAndResumeTest.class);
    private static final int MIN_KILLS = 10;
    private static final int MIN_KILLS_DURING_WRITES = 3;
    private static final long CHILD_TIMEOUT_S = 120;

    private static Process start(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            cmd.add("--add-modules=jdk.incubator.vector");
        }
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(KillAndResumeMain.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitSuccess(Process p, Path log) throws Exception {
        if (!p.waitFor(CHILD_TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the training process did not end within " + CHILD_TIMEOUT_S + " s; its log:\n" + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), "the training process failed; its log:\n" + Files.readString(log));
    }

    private static Set<String> names(Path dir, String prefix) throws IOException {
        Set<String> out = new HashSet<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void killedAtRandomAndResumedItEndsBitwiseAsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("child.log");
        Path reference = dir.resolve("reference.safetensors");
        awaitSuccess(start(log, reference.toString()), log);

        Path ckpt = dir.resolve("checkpoints");
        Path result = dir.resolve("resumed.safetensors");
        CheckpointStore store = new CheckpointStore(ckpt);
        Random random = new Random(20240611L);
        int kills = 0;
        int killsDuringWrites = 0;
        while (true) {
            Set<String> before = names(ckpt, "epoch-");
            Process p = start(log, result.toString(), ckpt.toString());
            boolean finish = kills >= MIN_KILLS && killsDuringWrites >= MIN_KILLS_DURING_WRITES;
            if (finish) {
                awaitSuccess(p, log);
                break;
            }
            // Wait until this process has written a checkpoint of its own, so that every round moves on
            // (and the temporaries of the previous kill have been cleaned up by the resume).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_TIMEOUT_S);
            while (p.isAlive() && before.containsAll(names(ckpt, "epoch-"))) {
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    fail("no checkpoint appeared within " + CHILD_TIMEOUT_S + " s; the log:\n" + Files.readString(log));
                }
                Thread.sleep(1);
            }
            if (!p.isAlive()) {
                fail("the run finished after " + kills + " kills (" + killsDuringWrites + " during writes), before "
                        + "the test could kill it enough; the log:\n" + Files.readString(log));
            }
            boolean duringWrite = kills % 2 == 1;
            if (duringWrite) {
                // Kill as soon as a checkpoint's temporary directory shows up.
                while (p.isAlive() && names(ckpt, ".tmp-epoch-").isEmpty()) {
                    Thread.onSpinWait();
                }
            } else {
                Thread.sleep(random.nextInt(60));
            }
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "a killed process did not end");
            if (p.exitValue() == 0) {
                fail("the run finished before it was killed (" + kills + " kills so far)");
            }
            kills++;
            Set<String> temporaries = names(ckpt, ".tmp-epoch-");
            if (!temporaries.isEmpty()) {
                killsDuringWrites++;
            }
            // Atomicity: whatever the moment of the kill, every checkpoint under its final name is whole.
            for (Path c : store.list()) {
                CheckpointStore.read(c);
            }
            LOG.info("kill {} ({}): checkpoints {}, temporaries left {}", kills, duringWrite ? "during a write"
                    : "at random", names(ckpt, "epoch-"), temporaries);
        }
        assertTrue(kills >= MIN_KILLS, kills + " kills");
        assertTrue(killsDuringWrites >= MIN_KILLS_DURING_WRITES, killsDuringWrites + " kills during writes");
        assertTrue(Files.readString(log).contains("resuming from"), "the last run resumed from a checkpoint");

        Map<String, Tensor> expected = Safetensors.read(reference);
        Map<String, Tensor> actual = Safetensors.read(result);
        assertEquals(expected.keySet(), actual.keySet());
        assertEquals(KillAndResumeMain.EPOCHS, expected.get("history.loss").numel());
        for (String k : expected.keySet()) {
            Tensor e = expected.get(k);
            Tensor a = actual.get(k);
            assertEquals(e.dtype(), a.dtype(), k);
            assertArrayEquals(e.shape(), a.shape(), k);
            // Bitwise: compare the raw bits, so that -0.0 != 0.0 and NaN payloads count.
            switch (e.dtype()) {
                case FLOAT32 -> assertArrayEquals(bits(e.toFloatArray()), bits(a.toFloatArray()), k);
                default -> assertArrayEquals(bits(e.toDoubleArray()), bits(a.toDoubleArray()), k);
            }
        }
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    private static long[] bits(double[] v) {
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Double.doubleToRawLongBits(v[i]);
        }
        return b;
    }
}
