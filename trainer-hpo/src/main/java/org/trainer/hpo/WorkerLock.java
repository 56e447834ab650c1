package org.trainer.hpo;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Proof that a shared-journal worker is alive: an exclusive POSIX lock on
 * {@code worker-<id>.lock}, taken before the worker's first event names it and held until it
 * closes. The operating system releases the lock when the process dies, however it dies
 * (SIGKILL included), so another worker that obtains the lock knows the owner is gone; no clock
 * or grace period is involved.
 *
 * <p>Workers of this JVM are known by id and their files are never opened by another: closing a
 * second descriptor of a file would drop the owner's lock.
 */
final class WorkerLock implements Closeable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> LIVE_HERE = ConcurrentHashMap.newKeySet();

    private final String id;
    private final Path file;
    private final FileChannel channel;

    private WorkerLock(String id, Path file, FileChannel channel) {
        this.id = id;
        this.file = file;
        this.channel = channel;
    }

    /** The lock file of worker {@code id} in {@code dir}. */
    static Path fileOf(Path dir, String id) {
        return dir.resolve("worker-" + id + ".lock");
    }

    /**
     * Creates {@code dir} when absent and a new worker there: a fresh random id, its lock file
     * created and locked. Then deletes the files of dead workers (those that died between trials
     * leave a file that no trial of theirs leads anyone to).
     */
    static WorkerLock acquire(Path dir) {
        try {
            Files.createDirectories(dir);
            String id = Long.toUnsignedString(RANDOM.nextLong(), 36);
            Path file = fileOf(dir, id);
            // Locked under a name no one tests, then renamed (the lock stays with the file): a
            // worker-*.lock file that exists unlocked is always a dead worker's.
            Path tmp = dir.resolve(".worker-" + id + ".tmp");
            // Known here before its file exists: a study of this JVM that tested the file would
            // close a descriptor of it, and that drops this JVM's lock.
            LIVE_HERE.add(id);
            FileChannel ch = null;
            try {
                ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                ch.lock();
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                LIVE_HERE.remove(id);
                if (ch != null) {
                    ch.close();
                }
                Files.deleteIfExists(tmp);
                throw e;
            }
            sweep(dir);
            return new WorkerLock(id, file, ch);
        } catch (IOException e) {
            throw new UncheckedIOException("WorkerLock: cannot create a worker lock file in " + dir, e);
        }
    }

    /** Deletes the lock files of the dead workers of {@code dir}. */
    private static void sweep(Path dir) throws IOException {
        List<String> ids;
        try (Stream<Path> files = Files.list(dir)) {
            ids = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith("worker-") && n.endsWith(".lock"))
                    .map(n -> n.substring("worker-".length(), n.length() - ".lock".length()))
                    .toList();
        }
        for (String other : ids) {
            isAlive(dir, other);
        }
    }

    String id() {
        return id;
    }

    /**
     * Whether worker {@code id} of {@code dir} is alive: true when it belongs to this JVM and has
     * not closed, or when another process holds its lock. When the lock can be taken (the owner is
     * dead) its file is deleted, so the answer stays false for everyone after.
     */
    static boolean isAlive(Path dir, String id) {
        if (LIVE_HERE.contains(id)) {
            return true;
        }
        Path file = fileOf(dir, id);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                return true; // another thread of this JVM is testing it right now; ask again later
            }
            if (lock == null) {
                return true;
            }
            Files.deleteIfExists(file);
            return false;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("WorkerLock: cannot test the lock of worker " + id + " at " + file, e);
        }
    }

    /** Releases the lock and deletes the file: this worker is finished. */
    @Override
    public void close() {
        LIVE_HERE.remove(id);
        try {
            Files.deleteIfExists(file);
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("WorkerLock: cannot release " + file, e);
        }
    }
}
