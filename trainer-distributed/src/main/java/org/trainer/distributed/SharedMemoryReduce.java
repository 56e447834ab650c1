package org.trainer.distributed;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.concurrent.locks.LockSupport;

/**
 * The all-reduce of ranks that share a machine, through a file they all map into memory (in
 * {@code /dev/shm} where it exists), as NCCL's and MPI's shared-memory transports do: no socket, no
 * kernel copy, no thread hand-off. The data go through in chunks of at most {@link #slotBytes}
 * bytes per rank:
 * <ol>
 *   <li>every rank copies its chunk into its own slot of the file, then waits for the others (a
 *       barrier);</li>
 *   <li>rank k sums segment k of the chunk (segments as in {@link TcpCollective}'s ring): its own
 *       values plus the other slots' in rank order, {@code ((x_k + x_0) + x_1) + ...} (x_k skipped in
 *       the rest), divides by W for a mean, and writes the result over segment k of its own slot,
 *       which no other rank reads in this step; a barrier;</li>
 *   <li>every rank copies segment k of slot k, for every k, into its array.</li>
 * </ol>
 * Each segment is computed once, so every rank ends with the same bits. Chunks alternate between
 * two sets of slots: a rank that writes chunk c + 2 into a slot has passed chunk c + 1's second
 * barrier, which every rank reaches only after reading chunk c, so two barriers per chunk suffice.
 *
 * <p>A barrier is one counter per rank, each on its own cache line: a rank stores its count of
 * barriers with release semantics and waits until every counter has reached it, spinning briefly,
 * then parking for 10 us, doubled after each look up to 160 us (a rank that waits long leaves the
 * cores to the ranks still computing, at the price of up to that much delay). Before its first barrier each operation also publishes what it is (dtype, op,
 * length), and after it every rank checks that all agree, so ranks that disagree fail as they
 * would over TCP. While it waits, the rank asks its {@link Peers} whether the group failed or a
 * neighbour's connection has something to say (a failure, a closed connection), and gives up after
 * the timeout naming the first rank that has not arrived.
 *
 * <p>The file is created by rank 0 with permissions {@code rw-------} under a random name, with a
 * random token that the other ranks receive over their authenticated connections and check after
 * mapping it; once every rank has mapped it, rank 0 deletes it (the mappings stay valid), so no
 * other process can open it and nothing is left behind when the job ends.
 */
final class SharedMemoryReduce {
    /** Bytes per counter line: two cache lines, so that neighbouring counters never share one. */
    static final int LINE = 128;
    /** Bytes of the file's header: the token. */
    static final int TOKEN_BYTES = 32;
    /** Spins before a waiting rank starts to park. */
    private static final int SPINS = 1024;
    /** The first and the longest park of a waiting rank: it doubles from one to the other. */
    private static final long FIRST_PARK_NANOS = 10_000;
    private static final long LONGEST_PARK_NANOS = 160_000;
    private static final long CHECK_NANOS = 1_000_000;
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Longs in a rank's line: the barrier count, then the current operation's kind, parameter and length. */
    private static final int COUNT = 0;
    private static final int KIND = 8;
    private static final int PARAM = 16;
    private static final int TOTAL = 24;

    /** Told while a rank waits, to stop the wait when the group has failed. */
    interface Peers {
        /** Throws if the group failed or a neighbour sent something (its failure, or the end of its connection). */
        void check(String what, java.util.function.BooleanSupplier arrived);

        /** The exception for a wait that lasted past the timeout: {@code late} has not arrived. */
        RuntimeException late(String what, int late);

        /** The exception for ranks that disagree on an operation. */
        RuntimeException mismatch(String what, String why);
    }

    /** The file mapped (deleted once every rank has mapped it). */
    final Path file;
    private final int rank;
    private final int world;
    private final int slotBytes;
    private final long timeoutNanos;
    private final MappedByteBuffer map;
    private final int dataStart;
    private long barriers;
    private int parity;

    private SharedMemoryReduce(Path file, int rank, int world, int slotBytes, long timeoutNanos, MappedByteBuffer map) {
        this.file = file;
        this.rank = rank;
        this.world = world;
        this.slotBytes = slotBytes;
        this.timeoutNanos = timeoutNanos;
        this.map = map;
        this.dataStart = dataStart(world);
    }

    /** The slot size for W ranks: 1 MiB, less from 32 ranks on so that the file stays under 64 MiB. */
    static int slotBytes(int world) {
        int fit = (int) Math.min(1 << 20, (64L << 20) / (2L * world));
        return Math.max(64 << 10, fit & ~63);
    }

    private static int dataStart(int world) {
        int header = LINE * (1 + world);
        return (header + 4095) & ~4095;
    }

    static long fileBytes(int world, int slotBytes) {
        return dataStart(world) + 2L * world * slotBytes;
    }

    /**
     * Creates the file of a group of W ranks in {@code dir}, readable and writable by its owner only,
     * filled with zeros but for the token at its start.
     *
     * @return the file
     */
    static Path create(Path dir, int world, byte[] token) throws IOException {
        Path file = Files.createTempFile(dir, "trainer-", ".shm",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // Written out in full, not sparse: a file system without room says so here, not with a fault on
            // first touch in the middle of an all-reduce.
            long bytes = fileBytes(world, slotBytes(world));
            ByteBuffer zeros = ByteBuffer.allocate(64 << 10);
            for (long at = 0; at < bytes; at += zeros.capacity()) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - at));
                while (zeros.hasRemaining()) {
                    ch.write(zeros, at + zeros.position());
                }
            }
            ch.write(ByteBuffer.wrap(token), 0);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return file;
    }

    /**
     * Maps the group's file and checks its token.
     *
     * @throws IOException if the file cannot be mapped, has another size, or holds another token
     */
    static SharedMemoryReduce open(Path file, int rank, int world, byte[] token, long timeoutNanos) throws IOException {
        int slot = slotBytes(world);
        long bytes = fileBytes(world, slot);
        MappedByteBuffer map;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() != bytes) {
                throw new IOException(file + " has " + ch.size() + " bytes, expected " + bytes);
            }
            map = ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
        }
        map.order(ByteOrder.LITTLE_ENDIAN);
        byte[] found = new byte[TOKEN_BYTES];
        map.get(0, found);
        if (!MessageDigest.isEqual(found, token)) {
            throw new IOException(file + " holds another group's token");
        }
        return new SharedMemoryReduce(file, rank, world, slot, timeoutNanos, map);
    }

    /**
     * Replaces elements [offset, offset + length) of e's array by their sum (or mean) over the ranks.
     *
     * @param kind  the operation and dtype, as in a frame's header, which every rank must share
     * @param param the reduce op's ordinal, which every rank must share
     * @param piece the most elements e's scratch array holds
     */
    void allReduce(String what, FrameElements e, int offset, int length, int kind, int param, boolean mean, int piece,
            Peers peers) {
        announce(kind, param, length);
        int chunk = slotBytes / e.bytes;
        int chunks = Math.max(1, (length + chunk - 1) / chunk);
        for (int c = 0; c < chunks; c++) {
            int from = offset + c * chunk;
            int n = Math.min(chunk, offset + length - from);
            int p = parity;
            parity ^= 1;
            e.write(map, slot(p, rank), from, n);
            barrier(what, peers);
            if (c == 0) {
                agree(what, kind, param, length, peers);
            }
            int s0 = segment(n, rank);
            int s1 = segment(n, rank + 1);
            sum(e, p, from, s0, s1, mean, piece);
            e.write(map, slot(p, rank) + s0 * e.bytes, from + s0, s1 - s0);
            barrier(what, peers);
            for (int k = 0; k < world; k++) {
                if (k != rank) {
                    int a = segment(n, k);
                    e.read(map, slot(p, k) + a * e.bytes, from + a, segment(n, k + 1) - a);
                }
            }
        }
    }

    /**
     * Segment [s0, s1) of the chunk at {@code from}: this rank's own values (already in its array),
     * plus each other rank's slot in rank order, in pieces of at most {@code piece} elements.
     */
    private void sum(FrameElements e, int p, int from, int s0, int s1, boolean mean, int piece) {
        for (int r = 0; r < world; r++) {
            if (r == rank) {
                continue;
            }
            for (int a = s0; a < s1; a += piece) {
                int n = Math.min(piece, s1 - a);
                e.add(map, slot(p, r) + a * e.bytes, from + a, n);
            }
        }
        if (mean) {
            e.divide(from + s0, s1 - s0, world);
        }
    }

    private int segment(int n, int k) {
        return (int) ((long) n * k / world);
    }

    private int slot(int parity, int r) {
        return dataStart + (parity * world + r) * slotBytes;
    }

    private static int line(int r) {
        return LINE * (1 + r);
    }

    /** Publishes this rank's operation; read by the others after the first barrier, rewritten only after the last. */
    private void announce(int kind, int param, int length) {
        map.putLong(line(rank) + KIND, kind);
        map.putLong(line(rank) + PARAM, param);
        map.putLong(line(rank) + TOTAL, length);
    }

    private void agree(String what, int kind, int param, int length, Peers peers) {
        for (int r = 0; r < world; r++) {
            int k = (int) map.getLong(line(r) + KIND);
            int p = (int) map.getLong(line(r) + PARAM);
            int t = (int) map.getLong(line(r) + TOTAL);
            if (k != kind) {
                throw peers.mismatch(what, "rank " + r + " sent " + TcpCollective.kindName(k) + ", rank " + rank
                        + " expected " + TcpCollective.kindName(kind));
            }
            if (p != param) {
                throw peers.mismatch(what, "rank " + r + " reduces with " + ReduceOp.values()[p] + ", rank " + rank
                        + " with " + ReduceOp.values()[param]);
            }
            if (t != length) {
                throw peers.mismatch(what, "rank " + r + " sent " + t + " elements, rank " + rank + " expected "
                        + length);
            }
        }
    }

    /** Counts this rank in and waits until every rank has counted as many barriers. */
    private void barrier(String what, Peers peers) {
        long target = ++barriers;
        LONGS.setRelease(map, line(rank) + COUNT, target);
        int spins = 0;
        long park = FIRST_PARK_NANOS;
        long start = 0;
        long checked = 0;
        int late;
        while ((late = firstLate(target)) >= 0) {
            if (spins < SPINS) {
                spins++;
                Thread.onSpinWait();
                continue;
            }
            long now = System.nanoTime();
            if (start == 0) {
                start = now;
                checked = now;
            } else if (now - checked >= CHECK_NANOS) {
                checked = now;
                peers.check(what, () -> firstLate(target) < 0);
                if (now - start >= timeoutNanos) {
                    throw peers.late(what, late);
                }
            }
            LockSupport.parkNanos(park);
            park = Math.min(2 * park, LONGEST_PARK_NANOS);
        }
    }

    /** The first rank whose count is below target, or -1 if none. */
    private int firstLate(long target) {
        for (int r = 0; r < world; r++) {
            if ((long) LONGS.getAcquire(map, line(r) + COUNT) < target) {
                return r;
            }
        }
        return -1;
    }
}
