package org.trainer.core.backend.cpu;

import java.util.concurrent.ForkJoinTask;

/**
 * The CPU backend's worker pool. Its size defaults to the number of cores and can be set with the
 * system property {@code trainer.threads} or {@link #setThreads(int)}. Work is split into at most
 * one chunk per thread, so results never depend on scheduling.
 *
 * <p>Idle workers park at once by default. With the system property {@code trainer.spin.micros}
 * set (microseconds, e.g. 100) they keep looking for work that long before they park, so that the
 * parallel regions of one training step, a few microseconds apart, do not each pay for waking them;
 * see {@link WorkerPool}. That pays on a machine with a core to spare for each thread and costs
 * on one where other processes want the cores too (trainer-bench's README has both). A region
 * opened inside a region, or from a thread of a {@link java.util.concurrent.ForkJoinPool}, runs on
 * the calling thread.
 */
public final class Parallel {
    private static final long SPIN_NANOS = spinNanos(System.getProperty("trainer.spin.micros", "0"));
    private static volatile WorkerPool pool;
    private static volatile int threads;

    static {
        setThreads(Integer.getInteger("trainer.threads", Runtime.getRuntime().availableProcessors()));
    }

    private Parallel() {
    }

    /** The spin time of {@code trainer.spin.micros}, in nanoseconds. */
    static long spinNanos(String micros) {
        long value;
        try {
            value = Long.parseLong(micros.trim());
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 0 || value > 1_000_000) {
            throw new IllegalArgumentException("trainer.spin.micros: expected a whole number of microseconds"
                    + " from 0 to 1000000, got '" + micros + "'");
        }
        return value * 1000;
    }

    /** A body that processes the half-open range [start, end). */
    @FunctionalInterface
    public interface RangeBody {
        /**
         * Processes the indices start (included) to end (excluded).
         *
         * @param start the first index
         * @param end the index after the last
         */
        void run(int start, int end);
    }

    /**
     * The number of worker threads the CPU kernels split their work over.
     *
     * @return the number of threads
     */
    public static int threads() {
        return threads;
    }

    /**
     * Sets the number of worker threads (1 runs everything on the calling thread).
     *
     * @param n the number of threads, at least 1
     */
    public static synchronized void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("setThreads: n must be >= 1, got " + n);
        }
        WorkerPool old = pool;
        pool = n > 1 ? new WorkerPool(n, SPIN_NANOS) : null;
        threads = n;
        if (old != null) {
            old.shutdown();
        }
    }

    /**
     * Runs {@code body} over [0, n) split into at most {@link #threads()} contiguous chunks of at
     * least {@code minChunk} items; returns when all chunks are done.
     *
     * @param n the number of items
     * @param minChunk the fewest items per chunk
     * @param body processes one chunk
     */
    public static void forRange(int n, int minChunk, RangeBody body) {
        WorkerPool p = pool;
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, minChunk)));
        if (p == null || chunks <= 1 || WorkerPool.inWorker() || ForkJoinTask.inForkJoinPool()) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        p.run(n, chunks, body);
    }
}
