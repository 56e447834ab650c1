package org.trainer.core.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * The CPU backend's worker pool. Its size defaults to the number of cores and can be set with the
 * system property {@code trainer.threads} or {@link #setThreads(int)}. Work is split into at most
 * one chunk per thread, so results never depend on scheduling.
 */
public final class Parallel {
    private static volatile ForkJoinPool pool;
    private static volatile int threads;

    static {
        setThreads(Integer.getInteger("trainer.threads", Runtime.getRuntime().availableProcessors()));
    }

    private Parallel() {
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
        ForkJoinPool old = pool;
        pool = n > 1 ? new ForkJoinPool(n) : null;
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
        ForkJoinPool p = pool;
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, minChunk)));
        if (p == null || chunks <= 1 || ForkJoinTask.inForkJoinPool()) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        // The caller runs the first chunk itself instead of sleeping while a worker wakes up for it.
        ForkJoinTask<?>[] others = new ForkJoinTask<?>[chunks - 1];
        for (int i = 1; i < chunks; i++) {
            int start = (int) ((long) n * i / chunks);
            int end = (int) ((long) n * (i + 1) / chunks);
            others[i - 1] = p.submit(() -> body.run(start, end));
        }
        Throwable failure = null;
        try {
            body.run(0, (int) ((long) n / chunks));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (ForkJoinTask<?> t : others) {
            try {
                t.join();
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
    }
}
