package org.trainer.core.data;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Named pipes (FIFOs) for tests, made with mkfifo, and writers that feed them: a thread of this
 * JVM, or a separate process, as a pipe-mode producer would be.
 */
public final class Fifos {
    private Fifos() {
    }

    /** Makes a FIFO at {@code fifo}; skips the test where mkfifo is missing (e.g. on Windows). */
    public static Path make(Path fifo) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("mkfifo is not available: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("mkfifo " + fifo + " failed: " + out);
        }
        return fifo;
    }

    /** A writer that has been started; {@link #await()} waits for it to finish and reports its failure. */
    public interface Writer {
        void await() throws Exception;
    }

    /** A daemon thread that opens {@code fifo} (waiting for a reader), writes {@code bytes} and closes it. */
    public static Writer feed(Path fifo, byte[] bytes) {
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try (OutputStream out = new FileOutputStream(fifo.toFile())) {
                out.write(bytes);
            } catch (IOException | RuntimeException e) {
                failure[0] = e;
            }
        }, "fifo writer " + fifo.getFileName());
        t.setDaemon(true);
        t.start();
        return () -> {
            t.join(TimeUnit.SECONDS.toMillis(30));
            if (t.isAlive()) {
                throw new AssertionError(fifo + ": the writer is still waiting: nobody read the pipe to its end");
            }
            if (failure[0] != null) {
                throw new AssertionError(fifo + ": the writer failed", failure[0]);
            }
        };
    }

    /** A separate process ({@code cat}) that copies {@code file} into {@code fifo}. */
    public static Writer feedFromProcess(Path fifo, Path file) throws IOException {
        Process p = new ProcessBuilder("sh", "-c", "exec cat \"$1\" > \"$2\"", "sh", file.toString(), fifo.toString())
                .redirectErrorStream(true).start();
        return () -> {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(fifo + ": the writing process is still waiting: nobody read the pipe to its end");
            }
            String out = new String(p.getInputStream().readAllBytes());
            if (p.exitValue() != 0) {
                throw new AssertionError(fifo + ": cat exited with " + p.exitValue() + ": " + out);
            }
        };
    }

    /** Every byte of a file, for feeding a pipe the same bytes. */
    public static byte[] bytes(Path file) throws IOException {
        return Files.readAllBytes(file);
    }
}
