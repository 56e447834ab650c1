package org.trainer.cuda;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Page-locked ("pinned") host buffers through which every upload to the device goes. A copy from
 * pageable memory (a Java array) makes the host wait until the device has finished all the work
 * queued before it; a copy from pinned memory is queued like a kernel and returns at once. So an
 * upload fills the next buffer of a small ring on the host (one bulk put from the source array)
 * and queues an asynchronous copy from it; the copy runs in stream order, after the kernels before
 * it and before those after it. A buffer is refilled only once the copy out of it has finished
 * (an event recorded after the copy), so nothing is overwritten in flight. Buffers grow to the
 * largest upload seen; an upload over {@link #MAX_STAGED_BYTES}, or one for which no pinned
 * memory can be had, is left to the caller's pageable path ({@link #upload} returns false).
 *
 * <p>Generic over the driver's memory and events ({@link Driver}), so that the ring's logic is
 * tested without a GPU. Uploads are serialised: one thread fills and queues at a time.
 *
 * @param <B> a pinned host block
 * @param <D> a device address
 * @param <E> an event
 */
final class PinnedStaging<B, D, E> {
    private static final Logger LOG = LoggerFactory.getLogger(PinnedStaging.class);

    /** Buffers in the ring: uploads in flight at once before the host waits for the oldest. */
    static final int SLOTS = 4;
    /** Uploads larger than this (64 MiB) take the pageable path: pinning that much per buffer costs more than it saves. */
    static final long MAX_STAGED_BYTES = 64L << 20;
    /** The smallest buffer: small uploads (scalars, labels) share one size and never regrow. */
    static final long MIN_BUFFER_BYTES = 64L << 10;

    /** The driver calls the ring needs. */
    interface Driver<B, D, E> {
        /** Page-locked host memory (cuMemHostAlloc), or null when the driver cannot pin that much. */
        B allocate(long bytes);

        /** The block as a direct buffer in native byte order, position 0, limit {@code bytes}. */
        ByteBuffer view(B block, long bytes);

        void free(B block);

        /** Queues a copy of the block's first {@code bytes} to {@code dst} on the stream (cuMemcpyHtoDAsync). */
        void copy(B block, long bytes, D dst);

        E newEvent();

        /** Records the event on the stream, after the work queued so far. */
        void record(E event);

        /** Waits on the host until the work before the event's last record has finished. */
        void await(E event);
    }

    private final Driver<B, D, E> driver;
    private final List<Slot> slots = new ArrayList<>();
    private int next;
    private long staged;
    private long waits;
    private boolean warned;

    private final class Slot {
        B block;
        ByteBuffer view;
        long capacity;
        E done;
        boolean inFlight;
    }

    PinnedStaging(Driver<B, D, E> driver) {
        this.driver = driver;
        for (int k = 0; k < SLOTS; k++) {
            slots.add(new Slot());
        }
    }

    /**
     * Uploads {@code bytes} bytes to {@code dst}: {@code fill} writes them into the buffer handed to
     * it (a direct buffer in native byte order, position 0, with at least {@code bytes} remaining),
     * then the copy is queued. Returns false, having done nothing, when the upload is too large to
     * stage or no pinned memory could be had; the caller then copies from pageable memory.
     */
    synchronized boolean upload(long bytes, Consumer<ByteBuffer> fill, D dst) {
        if (bytes == 0) {
            return true;
        }
        if (bytes > MAX_STAGED_BYTES) {
            return false;
        }
        Slot s = slots.get(next);
        if (s.inFlight) {
            driver.await(s.done);
            s.inFlight = false;
            waits++;
        }
        if (s.capacity < bytes && !grow(s, bytes)) {
            return false;
        }
        ByteBuffer b = s.view.duplicate().order(s.view.order());
        b.clear();
        fill.accept(b);
        if (s.done == null) {
            s.done = driver.newEvent();
        }
        driver.copy(s.block, bytes, dst);
        // In flight from here on, even if recording fails: the next fill of this buffer waits.
        s.inFlight = true;
        driver.record(s.done);
        next = (next + 1) % SLOTS;
        staged++;
        return true;
    }

    private boolean grow(Slot s, long bytes) {
        long capacity = Math.max(MIN_BUFFER_BYTES, Long.highestOneBit(bytes - 1) << 1);
        B block = driver.allocate(capacity);
        if (block == null) {
            if (!warned) {
                warned = true;
                LOG.warn("could not pin {} of host memory for uploads to the GPU; uploads of that size copy from "
                        + "pageable memory, which waits for the GPU to finish its queued work", Bytes.str(capacity));
            }
            return false;
        }
        if (s.block != null) {
            driver.free(s.block);
        }
        s.block = block;
        s.view = driver.view(block, capacity);
        s.capacity = capacity;
        return true;
    }

    /** Waits for the copies in flight and returns every pinned buffer to the driver; the ring regrows on use. */
    synchronized void release() {
        for (Slot s : slots) {
            if (s.inFlight) {
                driver.await(s.done);
                s.inFlight = false;
            }
            if (s.block != null) {
                driver.free(s.block);
                s.block = null;
                s.view = null;
                s.capacity = 0;
            }
        }
    }

    /** Uploads that went through a pinned buffer. */
    synchronized long staged() {
        return staged;
    }

    /** Times an upload had to wait for the copy out of its buffer to finish (the ring was full). */
    synchronized long waits() {
        return waits;
    }

    /** Bytes of pinned host memory the ring holds. */
    synchronized long pinnedBytes() {
        long sum = 0;
        for (Slot s : slots) {
            sum += s.capacity;
        }
        return sum;
    }
}
