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
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
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
 * On {@link #close()} the record is emptied and the lock released; the file stays (deleting it
 * could let two later writers lock two different files of one name).
 */
public final class CheckpointLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointLock.class);
    /** The lock file's name inside the checkpoint directory. */
    public static final String FILE = "writer.lock";
    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();
    private static volatile String host;

    private final Path directory;
    private final Path key;
    private final FileChannel channel;

    private CheckpointLock(Path directory, Path key, FileChannel channel) {
        this.directory = directory;
        this.key = key;
        this.channel = channel;
    }

    /**
     * Takes the directory (creating it if absent) for this process's writes.
     *
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
        FileChannel ch = null;
        boolean ok = false;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
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
            byte[] record = ("pid=" + me + "\nhost=" + host() + "\n").getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ByteBuffer b = ByteBuffer.wrap(record);
            while (b.hasRemaining()) {
                ch.write(b, b.position());
            }
            ch.force(false);
            ok = true;
            return new CheckpointLock(directory, key, ch);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoints: cannot lock " + file, e);
        } finally {
            if (!ok) {
                HELD_HERE.remove(key);
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException e) {
                        LOG.debug("closing {} after a refused lock", file, e);
                    }
                }
            }
        }
    }

    private record Owner(long pid, String host) {
        @Override
        public String toString() {
            return "pid " + pid + " on " + host;
        }
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

    public Path directory() {
        return directory;
    }

    /** Empties the record and releases the lock; the directory may then be taken by another writer. */
    @Override
    public void close() {
        try {
            if (channel.isOpen()) {
                channel.truncate(0);
                channel.force(false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoints: cannot release " + directory.resolve(FILE), e);
        } finally {
            try {
                channel.close(); // releases the OS lock
            } catch (IOException e) {
                LOG.warn("checkpoints: cannot close {}", directory.resolve(FILE), e);
            }
            HELD_HERE.remove(key);
        }
    }
}
