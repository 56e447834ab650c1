package org.trainer.core.train.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of a checkpoint directory: a lock file {@value #FILE} in the directory, held
 * locked by the operating system ({@link FileChannel#tryLock()}) for as long as the run writes, and
 * recording the owner's pid and host name so that a refusal can say who holds it. Java's file locks
 * belong to the whole JVM, so a second writer in the same JVM is found by a registry of this
 * process's locks instead.
 *
 * <p>A lock file left by a run that died is taken over: the operating system released its lock
 * with the process, and its pid (on this host) is no longer running. A lock file whose pid is still
 * running is not taken over even when its OS lock is free (that process may be a writer on a file
 * system without working locks). A lock file recorded by another host is never taken over, since
 * this host cannot tell whether that process lives: remove the file by hand once that run is gone.
 * On {@link #close()} the file is deleted, then the lock released. A writer that locked the deleted
 * file in between finds that the file under the name no longer holds its record, and takes the lock
 * again on the file now there, so two writers never hold locks on two files of one name.
 */
public final class CheckpointLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointLock.class);
    /** The lock file's name inside the checkpoint directory. */
    public static final String FILE = "writer.lock";
    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();
    private static volatile String host;

    private final Path directory;
    private final Path key;
    private final Path file;
    private final FileChannel channel;
    /** The file as opened by name to check it is the one locked; kept open, since closing it would free the lock. */
    private final FileChannel named;
    private final String record;
    private final Object fileKey;

    private CheckpointLock(Path directory, Path key, Path file, FileChannel channel, FileChannel named, String record,
                           Object fileKey) {
        this.directory = directory;
        this.key = key;
        this.file = file;
        this.channel = channel;
        this.named = named;
        this.record = record;
        this.fileKey = fileKey;
    }

    /**
     * Takes the directory (creating it if absent) for this process's writes.
     *
     * @param directory the checkpoint directory
     * @return the lock; close it to release the directory
     * @throws IllegalStateException naming the directory and the owner's pid and host when another
     *                               writer, in this JVM or another process, holds it
     */
    public static CheckpointLock acquire(Path directory) {
        Path key;
        try {
            Files.createDirectories(directory);
            key = directory.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoints: cannot create " + directory, e);
        }
        long me = ProcessHandle.current().pid();
        if (!HELD_HERE.add(key)) {
            throw new IllegalStateException("checkpoints: " + directory + " is being written by another run of this "
                    + "process (pid " + me + " on " + host() + "); one writer per directory (give other runs another "
                    + "directory, or Checkpointing.Builder.writes(false) to resume from it without writing)");
        }
        Path file = directory.resolve(FILE);
        boolean ok = false;
        try {
            // A lock can land on a file that its last owner deleted on close in the meantime; such a
            // lock guards nothing, so it is dropped and taken again on the file now under the name.
            for (int attempt = 1; ; attempt++) {
                CheckpointLock taken = tryOnce(directory, key, file, me);
                if (taken != null) {
                    ok = true;
                    return taken;
                }
                if (attempt == 20) {
                    throw new IllegalStateException("checkpoints: " + file + " keeps being replaced by other writers;"
                            + " one writer per directory");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoints: cannot lock " + file, e);
        } finally {
            if (!ok) {
                HELD_HERE.remove(key);
            }
        }
    }

    /** The lock, or null when the file locked is no longer the one under the name (then try again). */
    private static CheckpointLock tryOnce(Path directory, Path key, Path file, long me) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        boolean ok = false;
        try {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            Owner recorded = read(ch);
            if (lock == null) {
                throw new IllegalStateException("checkpoints: " + directory + " is being written by another process ("
                        + (recorded == null ? "its pid is not recorded yet" : recorded) + ", which holds " + file
                        + "); one writer per directory");
            }
            if (recorded != null) {
                if (!recorded.host.equals(host())) {
                    throw new IllegalStateException("checkpoints: " + file + " records a writer on another host ("
                            + recorded + "); this host cannot tell whether it still runs, so the lock is not taken "
                            + "over: remove the file once that run is gone");
                }
                if (recorded.pid != me && ProcessHandle.of(recorded.pid).map(ProcessHandle::isAlive).orElse(false)) {
                    throw new IllegalStateException("checkpoints: " + file + " records a writer that still runs ("
                            + recorded + "); remove the file if that process is not a run writing to " + directory);
                }
                LOG.info("checkpoints: taking over {} from {}, which is no longer running", file, recorded);
            }
            String record = "pid=" + me + "\nhost=" + host() + "\nrun=" + UUID.randomUUID() + "\n";
            ch.truncate(0);
            ByteBuffer b = ByteBuffer.wrap(record.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b, b.position());
            }
            ch.force(false);
            // The file now under the name must be the one locked. It is read through a channel of its own
            // that stays open while the lock is held: the operating system (POSIX record locks) frees all
            // of a process's locks on a file when the process closes any descriptor of it, so a read that
            // opened and closed the file here would silently give the lock up.
            FileChannel named;
            try {
                named = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return null; // closed below, releasing the lock on the orphaned file
            }
            try {
                if (!readAll(named).equals(record)) {
                    return null; // both closed, releasing the lock on the orphaned file
                }
                CheckpointLock taken = new CheckpointLock(directory, key, file, ch, named, record, fileKey(file));
                ok = true;
                return taken;
            } finally {
                if (!ok) {
                    named.close();
                }
            }
        } finally {
            if (!ok) {
                ch.close();
            }
        }
    }

    private record Owner(long pid, String host) {
        @Override
        public String toString() {
            return "pid " + pid + " on " + host;
        }
    }

    /** The whole content of a small file, read through an open channel (which stays open). */
    private static String readAll(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size > 4096) {
            return "";
        }
        ByteBuffer b = ByteBuffer.allocate((int) size);
        while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
            // read until full
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    /** The identity of the file under a name (device and inode on Unix), or null where the platform has none. */
    private static Object fileKey(Path file) throws IOException {
        return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /** The owner a lock file records, or null when it records none (empty: free). */
    private static Owner read(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size == 0 || size > 4096) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate((int) size);
        while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
            // read until full
        }
        Long pid = null;
        String h = null;
        for (String line : new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("pid=")) {
                try {
                    pid = Long.parseLong(line.substring(4).trim());
                } catch (NumberFormatException e) {
                    pid = null;
                }
            } else if (line.startsWith("host=")) {
                h = line.substring(5).trim();
            }
        }
        // A record without a readable pid cannot name a living owner: a writer killed mid-record.
        return pid == null ? null : new Owner(pid, h == null ? "an unknown host" : h);
    }

    private static String host() {
        String h = host;
        if (h == null) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                h = Optional.ofNullable(System.getenv("HOSTNAME")).orElse("localhost");
            }
            host = h;
        }
        return h;
    }

    /**
     * The locked checkpoint directory.
     *
     * @return the directory
     */
    public Path directory() {
        return directory;
    }

    /**
     * Deletes the lock file (while still holding its lock, and only when the file under the name is
     * still this run's) and releases the lock; the directory may then be taken by another writer.
     */
    @Override
    public void close() {
        try {
            // Identified without opening it: closing another descriptor of it would free the lock early.
            boolean ours = fileKey != null ? fileKey.equals(fileKey(file))
                    : Files.readString(file, StandardCharsets.UTF_8).equals(record);
            if (channel.isOpen() && ours) {
                Files.delete(file);
            }
        } catch (NoSuchFileException e) {
            LOG.warn("checkpoints: {} was removed while this run held it", file);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoints: cannot release " + file, e);
        } finally {
            try {
                named.close();
                channel.close(); // releases the OS lock
            } catch (IOException e) {
                LOG.warn("checkpoints: cannot close {}", file, e);
            }
            HELD_HERE.remove(key);
        }
    }
}
