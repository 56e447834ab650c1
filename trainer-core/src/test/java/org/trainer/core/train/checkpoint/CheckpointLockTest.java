package org.trainer.core.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondWriterInThisProcessIsRefusedUntilTheFirstCloses() throws Exception {
        long me = ProcessHandle.current().pid();
        try (CheckpointLock first = CheckpointLock.acquire(dir)) {
            assertTrue(Files.readString(dir.resolve(CheckpointLock.FILE)).contains("pid=" + me + "\n"));
            // Another thread, another FileChannel: the JVM-wide OS lock alone would not tell them apart.
            Thread t = new Thread(() -> {
                var e = assertThrows(IllegalStateException.class, () -> CheckpointLock.acquire(dir));
                assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("pid " + me),
                        e.getMessage());
            });
            Throwable[] failure = new Throwable[1];
            t.setUncaughtExceptionHandler((th, ex) -> failure[0] = ex);
            t.start();
            t.join();
            if (failure[0] != null) {
                throw new AssertionError(failure[0]);
            }
        }
        assertTrue(Files.notExists(dir.resolve(CheckpointLock.FILE)), "a released lock leaves no file");
        CheckpointLock.acquire(dir).close();
    }

    @Test
    void aWriterInAnotherProcessIsRefusedNamingItsPidAndTakenOverOnceItDied() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LockHolderMain.class.getName(), dir.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertEquals("locked " + child.pid(), line);
            var e = assertThrows(IllegalStateException.class, () -> CheckpointLock.acquire(dir));
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + child.pid()), e.getMessage());
            // Refused by the operating system's lock itself, not only by the recorded pid: the holder must not
            // have freed it by closing another descriptor of the file (POSIX locks go with any close).
            assertTrue(e.getMessage().contains("is being written by another process"), e.getMessage());
            try (FileChannel ch = FileChannel.open(dir.resolve(CheckpointLock.FILE), StandardOpenOption.WRITE)) {
                assertNull(ch.tryLock(), "the holder's OS lock is held");
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        // Killed: its record stays, but the OS lock went with it and its pid no longer runs.
        assertTrue(Files.readString(dir.resolve(CheckpointLock.FILE)).contains("pid=" + child.pid()));
        try (CheckpointLock taken = CheckpointLock.acquire(dir)) {
            assertTrue(Files.readString(dir.resolve(CheckpointLock.FILE))
                    .contains("pid=" + ProcessHandle.current().pid()));
        }
    }

    @Test
    void aStaleLockFileOfADeadProcessIsTakenOver() throws Exception {
        Process gone = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(gone.waitFor(30, TimeUnit.SECONDS));
        String host = InetAddress.getLocalHost().getHostName();
        Files.writeString(dir.resolve(CheckpointLock.FILE), "pid=" + gone.pid() + "\nhost=" + host + "\n");
        try (CheckpointLock lock = CheckpointLock.acquire(dir)) {
            assertEquals(dir, lock.directory());
            assertTrue(Files.readString(dir.resolve(CheckpointLock.FILE))
                    .startsWith("pid=" + ProcessHandle.current().pid() + "\nhost=" + host + "\nrun="));
        }
    }

    @Test
    void aLockFileOfALivingProcessOrAnotherHostIsNotTakenOver() throws IOException {
        String host = InetAddress.getLocalHost().getHostName();
        long parent = ProcessHandle.current().parent().orElseThrow().pid(); // alive, and not this process
        Files.writeString(dir.resolve(CheckpointLock.FILE), "pid=" + parent + "\nhost=" + host + "\n");
        var e = assertThrows(IllegalStateException.class, () -> CheckpointLock.acquire(dir));
        assertTrue(e.getMessage().contains("still runs (pid " + parent + " on " + host + ")"), e.getMessage());
        Files.writeString(dir.resolve(CheckpointLock.FILE), "pid=1\nhost=elsewhere.example\n");
        e = assertThrows(IllegalStateException.class, () -> CheckpointLock.acquire(dir));
        assertTrue(e.getMessage().contains("another host (pid 1 on elsewhere.example)"), e.getMessage());
        assertEquals("pid=1\nhost=elsewhere.example\n", Files.readString(dir.resolve(CheckpointLock.FILE)),
                "a refused lock leaves the record as it was");
        Files.writeString(dir.resolve(CheckpointLock.FILE), "");
        CheckpointLock.acquire(dir).close();
    }
}
