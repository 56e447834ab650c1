package org.trainer.hpo;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs an {@link Objective} on a fixed pool of threads of this JVM: {@code threads} trials really
 * run at once. Each trial builds its own model from its own {@link Trial#seed()}, so trials share
 * nothing but the read-only data the objective closes over.
 */
public final class ThreadPoolTrialExecutor implements TrialExecutor {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Objective objective;
    private final int threads;
    private final ExecutorService pool;

    /**
     * Runs {@code objective} on {@code threads} (at least 1) threads.
     *
     * @param objective the objective
     * @param threads the number of threads
     */
    public ThreadPoolTrialExecutor(Objective objective, int threads) {
        this.objective = Objects.requireNonNull(objective, "ThreadPoolTrialExecutor: objective");
        if (threads < 1) {
            throw new IllegalArgumentException("ThreadPoolTrialExecutor: threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        int pool = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "trial-" + pool + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public int parallelism() {
        return threads;
    }

    @Override
    public CompletableFuture<Double> submit(Trial trial) {
        CompletableFuture<Double> f = new CompletableFuture<>();
        pool.execute(() -> {
            try {
                f.complete(objective.evaluate(trial));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
