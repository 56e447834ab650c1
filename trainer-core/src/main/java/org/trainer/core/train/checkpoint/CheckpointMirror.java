package org.trainer.core.train.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.trainer.core.io.AtomicFile;

/**
 * Keeps a durable copy of a local checkpoint directory in a {@link CheckpointLocation}, as
 * SageMaker copies {@code /opt/ml/checkpoints} to S3: {@link #push()} copies the local checkpoints
 * that the location lacks, newest first (the one a restart needs goes first), then drops from the
 * location the older ones that the local directory no longer keeps; {@link #pull()} brings back, before
 * a new attempt starts, the newest checkpoint of the location that verifies and is newer than any
 * local one. {@link #start} pushes in the background; {@link #close} stops that and pushes once more.
 * Thread-safe: pushes and pulls run one at a time.
 */
public final class CheckpointMirror implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointMirror.class);

    private final CheckpointStore local;
    private final CheckpointLocation remote;
    private ScheduledExecutorService pusher;

    public CheckpointMirror(CheckpointStore local, CheckpointLocation remote) {
        if (local == null || remote == null) {
            throw new IllegalArgumentException("CheckpointMirror: local and remote must not be null, got " + local
                    + " and " + remote);
        }
        this.local = local;
        this.remote = remote;
    }

    /**
     * Copies the local checkpoints the location lacks, newest first, then deletes from the location
     * each checkpoint older than the newest one there that the local directory no longer holds. A
     * checkpoint deleted locally while it is copied (the trainer keeps only the last few) is skipped.
     * Returns how many were copied.
     */
    public synchronized int push() throws IOException {
        List<Path> mine = new ArrayList<>(local.list());
        mine.sort(Comparator.comparing((Path p) -> CheckpointStore.order(p.getFileName().toString())).reversed());
        Set<String> there = new HashSet<>(remote.list());
        Set<String> kept = new HashSet<>();
        int copied = 0;
        for (Path p : mine) {
            String name = p.getFileName().toString();
            kept.add(name);
            if (there.contains(name)) {
                continue;
            }
            try {
                remote.put(p);
                there.add(name);
                copied++;
            } catch (NoSuchFileException | CorruptCheckpointException e) {
                LOG.debug("checkpoint {} went while it was copied to {}: skipped ({})", name, remote, e.getMessage());
            }
        }
        if (!kept.isEmpty()) {
            long newestThere = there.stream().mapToLong(CheckpointStore::order).max().orElse(-1);
            for (String name : there) {
                if (!kept.contains(name) && CheckpointStore.order(name) < newestThere) {
                    remote.delete(name);
                }
            }
        }
        return copied;
    }

    /**
     * Copies back the newest checkpoint of the location that verifies and is newer than every local
     * one, trying older ones when one does not verify; returns its local directory, or null when the
     * local directory is already as new (or the location is empty).
     */
    public synchronized Path pull() throws IOException {
        long newestHere = local.list().stream().mapToLong(p -> CheckpointStore.order(p.getFileName().toString()))
                .max().orElse(-1);
        List<String> there = new ArrayList<>(remote.list());
        there.sort(Comparator.comparingLong(CheckpointStore::order).reversed());
        Files.createDirectories(local.directory());
        for (String name : there) {
            if (CheckpointStore.order(name) <= newestHere) {
                return null;
            }
            Path tmp = local.directory().resolve(CheckpointStore.TEMP_PREFIX + "pulled-" + name + "-" + System.nanoTime());
            try {
                remote.get(name, tmp);
                CheckpointStore.read(tmp);
                Path target = local.directory().resolve(name);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                AtomicFile.forceDirectory(local.directory());
                LOG.info("pulled checkpoint {} from {}", name, remote);
                return target;
            } catch (CorruptCheckpointException e) {
                LOG.warn("checkpoint {} in {} does not verify ({}); trying an older one", name, remote, e.getMessage());
            } finally {
                CheckpointStore.deleteTree(tmp);
            }
        }
        return null;
    }

    /** Pushes every {@code period} from a background thread until {@link #close}; failures are logged at WARN. */
    public synchronized void start(Duration period) {
        if (period == null || period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("CheckpointMirror.start: period must be positive, got " + period);
        }
        if (pusher != null) {
            throw new IllegalStateException("CheckpointMirror.start: already started");
        }
        pusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "checkpoint-mirror");
            t.setDaemon(true);
            return t;
        });
        pusher.scheduleWithFixedDelay(() -> {
            try {
                push();
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not copy checkpoints from {} to {}: {}", local.directory(), remote, e.toString());
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the background pushes (if started) and pushes once more. */
    @Override
    public void close() throws IOException {
        ScheduledExecutorService p;
        synchronized (this) {
            p = pusher;
            pusher = null;
        }
        if (p != null) {
            p.shutdownNow();
        }
        push();
    }

    @Override
    public String toString() {
        return "CheckpointMirror(" + local.directory() + " -> " + remote + ")";
    }
}
