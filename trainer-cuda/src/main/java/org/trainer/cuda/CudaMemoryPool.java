package org.trainer.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching allocator: freed blocks go to free lists keyed by size bucket and serve later requests
 * of the same bucket, so a steady-state training step calls cudaMalloc not at all. Sizes round up
 * to a quarter power of two (at most 25% waste, and few distinct buckets).
 *
 * <p>When the device has no room, the pool first asks the caller to reclaim unreachable storages
 * (their blocks come back through {@link #release}), then returns its whole cache to the device,
 * and only then fails with a {@link CudaOutOfMemoryError} that says what was asked for and what is
 * in use. An optional limit caps the bytes the pool holds from the device (tests use it to provoke
 * the error cheaply). Thread-safe: storages are released from the JVM's cleaner thread.
 *
 * @param <P> the device pointer type
 */
final class CudaMemoryPool<P> {
    static final long MIN_BLOCK = 512;

    /** A block of device memory of a bucket's size. */
    static final class Block<P> {
        final P pointer;
        final long bytes;

        Block(P pointer, long bytes) {
            this.pointer = pointer;
            this.bytes = bytes;
        }
    }

    private final RawMemory<P> raw;
    private final String deviceName;
    private final long limit;
    private final Runnable reclaim;
    private final Map<Long, ArrayDeque<Block<P>>> free = new HashMap<>();
    private long used;
    private long peak;
    private long cached;
    private long deviceAllocations;

    /**
     * @param deviceName for messages, e.g. "cuda:0"
     * @param limit      the most bytes held from the device (used plus cached), or Long.MAX_VALUE
     * @param reclaim    makes unreachable storages return their blocks (e.g. a GC), may be a no-op
     */
    CudaMemoryPool(RawMemory<P> raw, String deviceName, long limit, Runnable reclaim) {
        this.raw = raw;
        this.deviceName = deviceName;
        this.limit = limit;
        this.reclaim = reclaim;
    }

    /** The bucket a request of {@code bytes} is served from. */
    static long bucket(long bytes) {
        if (bytes <= MIN_BLOCK) {
            return MIN_BLOCK;
        }
        int log2 = 63 - Long.numberOfLeadingZeros(bytes - 1);
        long step = 1L << (log2 - 2);
        return (bytes + step - 1) / step * step;
    }

    /** A block of at least {@code bytes}; {@code what} describes the request for the error message. */
    Block<P> allocate(long bytes, String what) {
        long size = bucket(bytes);
        for (int attempt = 0; ; attempt++) {
            Block<P> b = tryAllocate(size);
            if (b != null) {
                return b;
            }
            if (attempt == 0) {
                reclaim.run();
            } else if (attempt == 1) {
                emptyCache();
            } else {
                throw outOfMemory(bytes, size, what);
            }
        }
    }

    private Block<P> tryAllocate(long size) {
        synchronized (this) {
            ArrayDeque<Block<P>> q = free.get(size);
            Block<P> b = q == null ? null : q.poll();
            if (b != null) {
                cached -= size;
                take(size);
                return b;
            }
            if (used + cached + size > limit) {
                return null;
            }
        }
        P p = raw.allocate(size);
        if (p == null) {
            return null;
        }
        synchronized (this) {
            deviceAllocations++;
            take(size);
        }
        return new Block<>(p, size);
    }

    private void take(long size) {
        used += size;
        peak = Math.max(peak, used);
    }

    /** Returns a block to its free list (it stays allocated on the device for reuse). */
    synchronized void release(Block<P> b) {
        used -= b.bytes;
        cached += b.bytes;
        free.computeIfAbsent(b.bytes, k -> new ArrayDeque<>()).push(b);
    }

    /** Hands every cached block back to the device. */
    void emptyCache() {
        ArrayDeque<Block<P>> all = new ArrayDeque<>();
        synchronized (this) {
            free.values().forEach(all::addAll);
            free.clear();
            cached = 0;
        }
        all.forEach(b -> raw.free(b.pointer));
    }

    private CudaOutOfMemoryError outOfMemory(long bytes, long size, String what) {
        long u;
        long c;
        long pk;
        synchronized (this) {
            u = used;
            c = cached;
            pk = peak;
        }
        String cap = limit == Long.MAX_VALUE ? "" : "; the pool is limited to " + Bytes.str(limit)
                + " (trainer.cuda.memoryLimit)";
        return new CudaOutOfMemoryError(deviceName + " out of memory: tried to allocate " + Bytes.str(bytes)
                + (size != bytes ? " (bucket " + Bytes.str(size) + ")" : "") + " for " + what + "; "
                + Bytes.str(u) + " in use by live storages (peak " + Bytes.str(pk) + "), " + Bytes.str(c)
                + " cached" + cap + "; " + raw.describe()
                + ". Free tensors you no longer need, or use a smaller batch.", bytes, u);
    }

    /** Bytes held by live storages (bucket sizes). */
    synchronized long usedBytes() {
        return used;
    }

    /** The highest {@link #usedBytes()} since creation or the last {@link #resetPeak()}. */
    synchronized long peakBytes() {
        return peak;
    }

    synchronized void resetPeak() {
        peak = used;
    }

    /** Bytes in free lists, allocated on the device and ready for reuse. */
    synchronized long cachedBytes() {
        return cached;
    }

    /** How many times the pool went to the device for memory: flat in a steady state. */
    synchronized long deviceAllocations() {
        return deviceAllocations;
    }
}
