package org.trainer.distributed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Rendezvous} through a directory that every rank can read and write (a local directory
 * for ranks on one machine, a shared file system for several). Rank r writes the file
 * {@code rank-<r>} holding the run id, the world size and its address; the file appears whole or
 * not at all (written to a temporary name in the same directory, forced to disk, then renamed
 * atomically). A file whose run id is not this run's is left over from an earlier attempt and is
 * ignored, so a restarted job never connects to a dead rank's old address: give each attempt its
 * own run id.
 */
public final class FileRendezvous implements Rendezvous {
    private static final long POLL_MILLIS = 20;

    private final Path dir;
    private final String runId;

    /**
     * @param dir    the directory the ranks share; created if missing
     * @param runId  this attempt's id, the same on every rank and different from earlier attempts'
     *               (no line breaks)
     * @throws IllegalArgumentException if the run id is empty or holds a line break
     */
    public FileRendezvous(Path dir, String runId) {
        this.dir = Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(runId, "runId");
        if (runId.isEmpty() || runId.indexOf('\n') >= 0 || runId.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("FileRendezvous: runId must be non-empty and on one line, got \""
                    + runId + "\"");
        }
        this.runId = runId;
    }

    @Override
    public List<String> exchange(int rank, int worldSize, String address, Duration timeout) {
        if (worldSize < 1) {
            throw new IllegalArgumentException("exchange: worldSize must be >= 1, got " + worldSize);
        }
        Checks.rank("exchange", "rank", rank, worldSize);
        checkAddress(address);
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            Files.createDirectories(dir);
            publish(rank, worldSize, address);
            String[] found = new String[worldSize];
            List<Integer> stale = new ArrayList<>();
            while (true) {
                stale.clear();
                boolean all = true;
                for (int r = 0; r < worldSize; r++) {
                    if (found[r] == null) {
                        found[r] = read(r, worldSize, stale);
                        all &= found[r] != null;
                    }
                }
                if (all) {
                    return List.of(found);
                }
                if (System.nanoTime() - deadline >= 0) {
                    List<Integer> missing = new ArrayList<>();
                    for (int r = 0; r < worldSize; r++) {
                        if (found[r] == null) {
                            missing.add(r);
                        }
                    }
                    throw new CollectiveException("rendezvous in " + dir + " for run \"" + runId + "\": rank(s) "
                            + missing + " did not publish their address within " + timeout
                            + (stale.isEmpty() ? "" : " (rank(s) " + stale + " have files from another run)"));
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (IOException e) {
            throw new CollectiveException("rendezvous in " + dir + " on rank " + rank + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("rendezvous in " + dir + " on rank " + rank + ": interrupted", e);
        }
    }

    private void publish(int rank, int worldSize, String address) throws IOException {
        byte[] content = (runId + "\n" + worldSize + "\n" + address + "\n").getBytes(StandardCharsets.UTF_8);
        Path tmp = Files.createTempFile(dir, ".rank-" + rank + "-", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, dir.resolve("rank-" + rank), StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically: a reader could see a"
                        + " half-written address", e);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Rank r's address if its file is this run's, else null (absent, or stale: then r is added to stale). */
    private String read(int r, int worldSize, List<Integer> stale) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(dir.resolve("rank-" + r), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (lines.size() != 3 || !lines.get(0).equals(runId)) {
            stale.add(r);
            return null;
        }
        if (!lines.get(1).equals(Integer.toString(worldSize))) {
            throw new CollectiveException("rendezvous in " + dir + " for run \"" + runId + "\": rank " + r
                    + " published world size " + lines.get(1) + ", expected " + worldSize);
        }
        String address = lines.get(2);
        checkAddress(address);
        return address;
    }

    static void checkAddress(String address) {
        Objects.requireNonNull(address, "address");
        int colon = address.lastIndexOf(':');
        boolean ok = colon > 0 && colon < address.length() - 1;
        if (ok) {
            try {
                int port = Integer.parseInt(address.substring(colon + 1));
                ok = port > 0 && port < 65536;
            } catch (NumberFormatException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("exchange: address must be host:port with a port in [1, 65535], got \""
                    + address + "\"");
        }
    }

    @Override
    public String toString() {
        return "FileRendezvous(" + dir + ", run " + runId + ")";
    }
}
