package org.trainer.core.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
    /** Characters of the random part of a temporary name: an unsigned long in base 36. */
    private static final int RANDOM_CHARS = 13;
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.[0-9a-z]{" + RANDOM_CHARS + "}\\.tmp");
    /**
     * The names that earlier versions gave their temporary files, through {@code Files.createTempFile}
     * (prefix, an unsigned long in decimal, ".tmp"): {@code .<target name><digits>.tmp} for JSON
     * writes and the first AtomicFile, {@code <target name><digits>.tmp} for safetensors writes. A
     * killed write of those versions left them in a job's directories. At least 10 digits: a random
     * unsigned long has fewer with a chance of 2^-34, and a person's file rarely has as many.
     */
    private static final Pattern EARLIER_TEMPORARY =
            Pattern.compile("\\..+[0-9]{10,20}\\.tmp|.+\\.safetensors[0-9]{10,20}\\.tmp");

    /** Writes a file's content to a stream; the stream need not be closed (closing it only flushes). */
    @FunctionalInterface
    public interface Content {
        /**
         * Writes the whole content to {@code out}, a stream over the temporary file.
         *
         * @param out the stream
         * @throws IOException if writing fails
         */
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {
    }

    /**
     * Replaces {@code file} with the bytes, atomically and durably; creates missing parent directories.
     *
     * @param file the target file
     * @param bytes the content
     * @throws IOException if the file cannot be written; the old content, if any, is then left in place
     */
    public static void write(Path file, byte[] bytes) throws IOException {
        if (bytes == null) {
            throw new IllegalArgumentException("AtomicFile.write: bytes is null for " + file);
        }
        write(file, out -> out.write(bytes));
    }

    /**
     * Replaces {@code file} with what {@code content} writes, atomically and durably; creates missing
     * parent directories. An exception from {@code content} leaves the target as it was.
     *
     * @param file the target file
     * @param content writes the content
     * @throws IOException if the file cannot be written or {@code content} fails; the old content, if any, is then left
     *     in place
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
        Path tmp = dir.resolve(temporaryName(target.getFileName().toString()));
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

    /** "." + name + "." + 13 base-36 characters + ".tmp": the fixed width keeps the pattern narrow. */
    private static String temporaryName(String name) {
        String random = Long.toUnsignedString(RANDOM.nextLong(), 36);
        return "." + name + "." + "0".repeat(RANDOM_CHARS - random.length()) + random + ".tmp";
    }

    /**
     * Whether {@code fileName} is the name of a temporary file this class writes before its rename:
     * {@code .<target name>.<13 characters 0-9a-z>.tmp}, e.g. {@code .model.safetensors.0k3x9a7b2c1d4.tmp};
     * or the name that earlier versions of this library gave such a file: {@code .<target name><10 to
     * 20 digits>.tmp} (e.g. {@code .metrics.json8074128334410675225.tmp}) or, for safetensors files,
     * {@code <name>.safetensors<10 to 20 digits>.tmp} (e.g. {@code model.safetensors3412705926187340561.tmp}).
     *
     * @param fileName a file name
     * @return whether it is a temporary file
     */
    public static boolean isTemporary(String fileName) {
        return fileName != null
                && (TEMPORARY.matcher(fileName).matches() || EARLIER_TEMPORARY.matcher(fileName).matches());
    }

    /**
     * Deletes the temporary files that writes killed before their rename left in {@code dir} (a
     * process killed mid-write cannot remove its own). Only regular files directly in {@code dir}
     * whose names pass {@link #isTemporary} are deleted; every other file, and every subdirectory,
     * is left as it is. Call it only when no other process writes to {@code dir}, e.g. when a job
     * starts: a live writer's temporary file looks the same. A missing directory holds none.
     *
     * @param dir the directory
     * @return the deleted files, sorted by name
     * @throws IOException if the directory cannot be listed or a file cannot be deleted
     */
    public static List<Path> removeLeftovers(Path dir) throws IOException {
        if (dir == null) {
            throw new IllegalArgumentException("AtomicFile.removeLeftovers: dir is null");
        }
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> removed = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                if (isTemporary(f.getFileName().toString())
                        && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && Files.deleteIfExists(f)) {
                    removed.add(f);
                }
            }
        }
        return removed;
    }

    /**
     * Forces a directory's entries (a rename, a new file) to disk, where the platform allows opening
     * a directory (Linux does; elsewhere this is logged and skipped).
     *
     * @param dir the directory
     */
    public static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.debug("cannot force directory {} to disk on this platform: {}", dir, e.toString());
        }
    }
}
