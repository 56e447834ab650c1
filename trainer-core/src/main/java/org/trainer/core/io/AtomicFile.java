package org.trainer.core.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a file whole or not at all, and durably: the content goes to a temporary file in the same
 * directory, which is forced to disk, renamed over the target with an atomic move, and then the
 * directory itself is forced, so that the rename survives a power failure too. A reader sees the
 * old content or the new, never a mixture; when writing fails the temporary file is removed and the
 * target is untouched.
 */
public final class AtomicFile {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicFile.class);
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** Writes a file's content to a stream; the stream need not be closed (closing it only flushes). */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {
    }

    /** Replaces {@code file} with the bytes, atomically and durably; creates missing parent directories. */
    public static void write(Path file, byte[] bytes) throws IOException {
        if (bytes == null) {
            throw new IllegalArgumentException("AtomicFile.write: bytes is null for " + file);
        }
        write(file, out -> out.write(bytes));
    }

    /**
     * Replaces {@code file} with what {@code content} writes, atomically and durably; creates missing
     * parent directories. An exception from {@code content} leaves the target as it was.
     */
    public static void write(Path file, Content content) throws IOException {
        if (file == null || content == null) {
            throw new IllegalArgumentException("AtomicFile.write: file and content must not be null, got "
                    + file + " and " + content);
        }
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        // Not Files.createTempFile: its files are private (rw-------) and the target would keep that;
        // a new file created here gets the ordinary permissions the process's umask gives.
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                OutputStream out = new BufferedOutputStream(new FilterOutputStream(Channels.newOutputStream(ch)) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        this.out.write(b, off, len); // FilterOutputStream would write byte by byte
                    }

                    @Override
                    public void close() throws IOException {
                        flush(); // the channel is closed below, after it is forced
                    }
                }, 1 << 16);
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
        forceDirectory(dir);
    }

    /**
     * Forces a directory's entries (a rename, a new file) to disk, where the platform allows opening
     * a directory (Linux does; elsewhere this is logged and skipped).
     */
    public static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.debug("cannot force directory {} to disk on this platform: {}", dir, e.toString());
        }
    }
}
