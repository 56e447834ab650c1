package org.trainer.distributed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A {@link Collective} among threads of one JVM: several replicas on the CPU in tests, or several
 * devices of one machine. Sums are taken in rank order (rank 0 + rank 1 + ...), so every rank
 * gets the same bits.
 *
 * <p>{@link #group(int, Duration)} makes the ranks; hand one to each thread. A rank that does not
 * reach an operation within the timeout, or closes its collective while others wait, fails the
 * others' operations with a {@link CollectiveException} naming it.
 */
public final class LocalCollective implements Collective {
    /** How long a rank waits for the others by default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    private final Group group;
    private final int rank;
    private float[] floatScratch = new float[0];
    private double[] doubleScratch = new double[0];
    private boolean closed;

    private LocalCollective(Group group, int rank) {
        this.group = group;
        this.rank = rank;
    }

    /**
     * {@code worldSize} connected ranks with the {@link #DEFAULT_TIMEOUT}, element r being rank r.
     *
     * @param worldSize the number of ranks
     * @return the ranks
     */
    public static List<Collective> group(int worldSize) {
        return group(worldSize, DEFAULT_TIMEOUT);
    }

    /**
     * {@code worldSize} connected ranks, element r being rank r, each waiting at most {@code timeout}
     * for the others in any operation.
     *
     * @param worldSize the number of ranks
     * @param timeout the longest wait in any operation
     * @return the ranks
     * @throws IllegalArgumentException if worldSize &lt; 1 or the timeout is not positive
     */
    public static List<Collective> group(int worldSize, Duration timeout) {
        if (worldSize < 1) {
            throw new IllegalArgumentException("LocalCollective.group: worldSize must be >= 1, got " + worldSize);
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("LocalCollective.group: timeout must be positive, got " + timeout);
        }
        Group g = new Group(worldSize, timeout);
        List<Collective> ranks = new ArrayList<>();
        for (int r = 0; r < worldSize; r++) {
            ranks.add(new LocalCollective(g, r));
        }
        return List.copyOf(ranks);
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return group.world;
    }

    @Override
    public void allReduce(float[] data, int offset, int length, ReduceOp op) {
        Checks.range("allReduce", data.length, offset, length);
        if (floatScratch.length < length) {
            floatScratch = new float[length];
        }
        reduce("allReduce(float32, " + Objects.requireNonNull(op, "op") + ")", data, offset, length, op, floatScratch);
    }

    @Override
    public void allReduce(double[] data, int offset, int length, ReduceOp op) {
        Checks.range("allReduce", data.length, offset, length);
        if (doubleScratch.length < length) {
            doubleScratch = new double[length];
        }
        reduce("allReduce(float64, " + Objects.requireNonNull(op, "op") + ")", data, offset, length, op, doubleScratch);
    }

    /**
     * Sums every rank's range into {@code acc} in rank order (and divides for MEAN), waits until every
     * rank has read the others' ranges, then copies the result into this rank's range. {@code data}
     * and {@code acc} are both float[] or both double[].
     */
    private void reduce(String what, Object data, int offset, int length, ReduceOp op, Object acc) {
        arrive(what, data, offset, length, -1);
        for (int r = 0; r < group.world; r++) {
            Slot s = group.slots[r];
            if (r == 0) {
                System.arraycopy(s.data, s.offset, acc, 0, length);
            } else if (acc instanceof float[] a) {
                float[] src = (float[]) s.data;
                for (int i = 0; i < length; i++) {
                    a[i] += src[s.offset + i];
                }
            } else {
                double[] a = (double[]) acc;
                double[] src = (double[]) s.data;
                for (int i = 0; i < length; i++) {
                    a[i] += src[s.offset + i];
                }
            }
        }
        if (op == ReduceOp.MEAN) {
            if (acc instanceof float[] a) {
                for (int i = 0; i < length; i++) {
                    a[i] /= group.world;
                }
            } else {
                double[] a = (double[]) acc;
                for (int i = 0; i < length; i++) {
                    a[i] /= group.world;
                }
            }
        }
        await(what);
        System.arraycopy(acc, 0, data, offset, length);
    }

    @Override
    public void broadcast(float[] data, int offset, int length, int root) {
        Checks.range("broadcast", data.length, offset, length);
        broadcastArray("broadcast(float32)", data, offset, length, root);
    }

    @Override
    public void broadcast(double[] data, int offset, int length, int root) {
        Checks.range("broadcast", data.length, offset, length);
        broadcastArray("broadcast(float64)", data, offset, length, root);
    }

    private void broadcastArray(String what, Object data, int offset, int length, int root) {
        Checks.rank("broadcast", "root", root, group.world);
        arrive(what, data, offset, length, root);
        if (rank != root) {
            Slot s = group.slots[root];
            System.arraycopy(s.data, s.offset, data, offset, length);
        }
        await(what);
    }

    @Override
    public byte[][] allGather(byte[] local) {
        Objects.requireNonNull(local, "local");
        arrive("allGather", local, 0, -1, -1);
        byte[][] out = new byte[group.world][];
        for (int r = 0; r < group.world; r++) {
            out[r] = ((byte[]) group.slots[r].data).clone();
        }
        await("allGather");
        return out;
    }

    @Override
    public void barrier() {
        arrive("barrier", null, 0, -1, -1);
    }

    @Override
    public void send(int dst, float[] data, int offset, int length) {
        Checks.range("send", data.length, offset, length);
        post(dst, Arrays.copyOfRange(data, offset, offset + length));
    }

    @Override
    public void send(int dst, double[] data, int offset, int length) {
        Checks.range("send", data.length, offset, length);
        post(dst, Arrays.copyOfRange(data, offset, offset + length));
    }

    @Override
    public void recv(int src, float[] data, int offset, int length) {
        Checks.range("recv", data.length, offset, length);
        float[] got = take(src, float[].class, length);
        System.arraycopy(got, 0, data, offset, length);
    }

    @Override
    public void recv(int src, double[] data, int offset, int length) {
        Checks.range("recv", data.length, offset, length);
        double[] got = take(src, double[].class, length);
        System.arraycopy(got, 0, data, offset, length);
    }

    private void post(int dst, Object payload) {
        checkOpen("send");
        Checks.rank("send", "dst", dst, group.world);
        if (dst == rank) {
            throw new IllegalArgumentException("send: dst must be another rank, got this rank " + rank);
        }
        group.mailboxes[rank][dst].add(payload);
    }

    private <T> T take(int src, Class<T> type, int length) {
        checkOpen("recv");
        Checks.rank("recv", "src", src, group.world);
        if (src == rank) {
            throw new IllegalArgumentException("recv: src must be another rank, got this rank " + rank);
        }
        Object got;
        try {
            long deadline = System.nanoTime() + group.timeout.toNanos();
            do {
                got = group.mailboxes[src][rank].poll(50, TimeUnit.MILLISECONDS);
                String failure = group.failure;
                if (got == null && failure != null) {
                    throw new CollectiveException("recv from rank " + src + " on rank " + rank + ": " + failure);
                }
            } while (got == null && System.nanoTime() < deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("recv from rank " + src + " on rank " + rank + ": interrupted", e);
        }
        if (got == null) {
            throw new CollectiveException("recv from rank " + src + " on rank " + rank + ": rank " + src
                    + " sent nothing within " + group.timeout);
        }
        if (!type.isInstance(got)) {
            throw new CollectiveException("recv from rank " + src + " on rank " + rank + ": expected "
                    + Checks.dtype(type) + ", rank " + src + " sent " + Checks.dtype(got.getClass()));
        }
        int n = java.lang.reflect.Array.getLength(got);
        if (n != length) {
            throw new CollectiveException("recv from rank " + src + " on rank " + rank + ": expected " + length
                    + " elements, rank " + src + " sent " + n);
        }
        return type.cast(got);
    }

    /** Posts this rank's arguments, waits for every rank, and refuses an operation the ranks disagree on. */
    private void arrive(String what, Object data, int offset, int length, int root) {
        checkOpen(what);
        group.slots[rank] = new Slot(what, data, offset, length, root);
        await(what);
        Slot mine = group.slots[rank];
        for (int r = 0; r < group.world; r++) {
            Slot s = group.slots[r];
            if (!s.what.equals(mine.what) || s.length != mine.length || s.root != mine.root) {
                String message = what + ": ranks disagree: rank " + r + " called " + s.describe() + ", rank " + rank
                        + " called " + mine.describe();
                // Every rank sees the same slots, so each one fails with the same message; wait so that no
                // rank overwrites its slot with a next operation while another still reads it.
                await(what);
                throw new CollectiveException(message);
            }
        }
    }

    private void await(String what) {
        group.arrivals.incrementAndGet(rank);
        try {
            int phase = group.phaser.arrive();
            int next = phase < 0 ? phase
                    : group.phaser.awaitAdvanceInterruptibly(phase, group.timeout.toNanos(), TimeUnit.NANOSECONDS);
            // Negative: terminated, the phase number with the sign bit set. A phase past this rank's
            // means every rank arrived before the group failed (e.g. a rank that finished left it).
            if (phase < 0 || (next < 0 && (next & Integer.MAX_VALUE) == phase)) {
                // The group failed before every rank arrived; fail() recorded why first.
                String failure = group.failure;
                throw new CollectiveException(what + " on rank " + rank + ": "
                        + (failure == null ? "rank(s) " + group.missing() + " did not reach " + what : failure));
            }
        } catch (TimeoutException e) {
            List<Integer> missing = group.missing();
            group.fail("rank(s) " + missing + " did not reach " + what + " within " + group.timeout);
            throw new CollectiveException(what + " on rank " + rank + ": " + group.failure, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.fail("rank " + rank + " was interrupted in " + what);
            throw new CollectiveException(what + " on rank " + rank + ": interrupted", e);
        }
    }

    private void checkOpen(String what) {
        if (closed) {
            throw new IllegalStateException(what + ": rank " + rank + "'s collective is closed");
        }
        String failure = group.failure;
        if (failure != null) {
            throw new CollectiveException(what + " on rank " + rank + ": the group failed earlier: " + failure);
        }
    }

    /** Fails the group with {@code reason}, which the others' operations report, then leaves it. */
    @Override
    public void abort(String reason) {
        group.fail(java.util.Objects.requireNonNull(reason, "reason"));
        close();
    }

    /** Leaves the group: ranks waiting for this one fail at once, naming it. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            group.left(rank);
        }
    }

    @Override
    public String toString() {
        return "LocalCollective(rank " + rank + " of " + group.world + ")";
    }

    private record Slot(String what, Object data, int offset, int length, int root) {
        String describe() {
            return what + (length >= 0 ? " of " + length + " elements" : "") + (root >= 0 ? " from root " + root : "");
        }
    }

    /** The state the ranks share: one slot each, a phaser, and a mailbox per ordered pair. */
    private static final class Group {
        final int world;
        final Duration timeout;
        final Slot[] slots;
        final AtomicLongArray arrivals;
        /** Terminated when the group fails, so that a rank arriving afterwards fails at once instead of waiting. */
        final Phaser phaser;
        final BlockingQueue<Object>[][] mailboxes;
        volatile String failure;
        private int open;

        @SuppressWarnings("unchecked")
        Group(int world, Duration timeout) {
            this.world = world;
            this.timeout = timeout;
            this.slots = new Slot[world];
            this.arrivals = new AtomicLongArray(world);
            this.phaser = new Phaser(world);
            this.mailboxes = new BlockingQueue[world][world];
            for (BlockingQueue<Object>[] row : mailboxes) {
                for (int j = 0; j < world; j++) {
                    row[j] = new LinkedBlockingQueue<>();
                }
            }
            this.open = world;
        }

        /** The ranks behind the others: those that have reached fewer barriers than the furthest rank. */
        List<Integer> missing() {
            long furthest = 0;
            for (int r = 0; r < world; r++) {
                furthest = Math.max(furthest, arrivals.get(r));
            }
            List<Integer> out = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                if (arrivals.get(r) < furthest) {
                    out.add(r);
                }
            }
            return out;
        }

        synchronized void fail(String why) {
            if (failure == null) {
                failure = why;
            }
            phaser.forceTermination();
        }

        synchronized void left(int rank) {
            open--;
            if (open > 0) {
                fail("rank " + rank + " left the group");
            }
        }
    }
}
