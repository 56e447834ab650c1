package org.trainer.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM started by {@link TrainingJob#runInChildJvm} dies with its parent, even when the
 * parent is killed outright (SIGKILL: no shutdown hook runs), because it watches the parent's pid.
 */
class ChildJvmLifetimeTest {

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<String> command(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(TrainingJob.defaultJvmArgs());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static void waitFor(Path file, Process parent) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(file)) {
            if (!parent.isAlive() || System.nanoTime() > deadline) {
                fail(file + " never appeared; parent alive: " + parent.isAlive());
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aChildJvmHaltsWithinSecondsWhenItsParentIsKilled(@TempDir Path root) throws Exception {
        Path job = Files.createDirectories(root.resolve("job"));
        Process parent = new ProcessBuilder(command(ChildJobParentMain.class.getName(), job.toString()))
                .redirectErrorStream(true).redirectOutput(root.resolve("parent.log").toFile()).start();
        ProcessHandle child = null;
        try {
            Path started = JobDirectory.of(job).outputDataDir().resolve("started");
            waitFor(started, parent);
            long childPid = Long.parseLong(Files.readString(started, StandardCharsets.UTF_8).trim());
            child = ProcessHandle.of(childPid).orElseThrow();
            assertEquals(parent.pid(), child.parent().orElseThrow().pid(), "the job runs in the parent's child");

            parent.destroyForcibly().waitFor();
            long killed = System.nanoTime();
            while (child.isAlive() && System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(5)) {
                Thread.sleep(50);
            }
            assertFalse(child.isAlive(), "child " + childPid + " outlived its parent by 5 s");
            String log = Files.readString(JobDirectory.of(job).logFile(), StandardCharsets.UTF_8);
            assertTrue(log.contains("parent process " + parent.pid() + " is gone; halting"), log);
            assertFalse(Files.exists(JobDirectory.of(job).failureFile()), "an orphan writes no failure");
        } finally {
            parent.destroyForcibly();
            if (child != null) {
                child.destroyForcibly();
            }
        }
    }

    @Test
    void aChildWhoseParentIsAlreadyGoneHaltsAtOnceAndABadPidIsRefused(@TempDir Path root) throws Exception {
        Process gone = new ProcessBuilder(java(), "-version").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        gone.waitFor();
        Path job = Files.createDirectories(root.resolve("job"));
        for (String[] c : new String[][] {{Long.toString(gone.pid()), "3"}, {"abc", "2"}}) {
            ProcessBuilder pb = new ProcessBuilder(command(Main.class.getName(), job.toString(),
                    MarkedSleepingJob.class.getName())).redirectErrorStream(true)
                    .redirectOutput(root.resolve("child.log").toFile());
            pb.environment().put(TrainingJob.PARENT_PID_ENV, c[0]);
            Process p = pb.start();
            try {
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child did not exit");
                assertEquals(Integer.parseInt(c[1]), p.exitValue(), Files.readString(root.resolve("child.log")));
            } finally {
                p.destroyForcibly();
            }
        }
        assertFalse(Files.exists(JobDirectory.of(job).outputDataDir().resolve("started")), "training never started");
    }
}
