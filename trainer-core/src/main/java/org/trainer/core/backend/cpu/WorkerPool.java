package org.trainer.core.backend.cpu;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads behind {@link Parallel}: {@code threads - 1} daemon workers that, with the calling
 * thread, run the chunks of one parallel region at a time each.
 *
 * <p>Why not a {@link java.util.concurrent.ForkJoinPool}: a training step at a small batch opens
 * about ten regions of 0.1 to 0.5 ms, with serial work of a few microseconds to tens of
 * microseconds between them. A fork-join worker parks as soon as it finds no task, so each region
 * paid for waking it (a futex call by the caller, then the scheduler) and, at its end, for waking
 * the caller: measured at about 50 microseconds per region on the project's 2-core machine, a fifth
 * of the MLP's step at batch 64. Here a region is one object whose chunks go to whichever thread
 * claims them first, the caller included (it takes every chunk no worker has started by the time
 * its own is done, instead of waiting for a worker to wake for it), and a worker that finishes a
 * chunk looks at the queue again before it parks. With {@code spinNanos} above 0 a worker keeps
 * looking for the next region that long before it parks, and the caller looks for its region's
 * end in the same way, so that the regions of one step find the workers awake; that helps only
 * where each thread has a core of its own (see {@link Parallel}).
 *
 * <p>Chunk i of a region is always the same range, whichever thread runs it, so results never
 * depend on scheduling. The caller runs chunk 0, then any chunk no worker has claimed yet.
 */
final class WorkerPool {
    private final ConcurrentLinkedQueue<Region> regions = new ConcurrentLinkedQueue<>();
    private final Worker[] workers;
    private final long spinNanos;
    private volatile boolean shutdown;

    /**
     * Starts {@code threads - 1} workers.
     *
     * @param threads the threads of a region, the caller included, at least 2
     * @param spinNanos how long a worker, or a caller waiting for its region, spins before parking
     */
    WorkerPool(int threads, long spinNanos) {
        if (threads < 2) {
            throw new IllegalArgumentException("WorkerPool: threads must be >= 2, got " + threads);
        }
        if (spinNanos < 0) {
            throw new IllegalArgumentException("WorkerPool: spinNanos must be >= 0, got " + spinNanos);
        }
        this.spinNanos = spinNanos;
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(this, "trainer-parallel-" + (i + 1));
        }
        for (Worker w : workers) {
            w.start();
        }
    }

    /** Whether the current thread is one of this pool's workers (or any pool's: a region inside a region runs serially). */
    static boolean inWorker() {
        return Thread.currentThread() instanceof Worker;
    }

    /** Lets the workers end once idle; a region already running completes. */
    void shutdown() {
        shutdown = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    /**
     * Runs {@code body} over [0, n) in {@code chunks} chunks (chunk i is [n i / chunks, n (i + 1) /
     * chunks)) and returns when all are done; the first exception thrown by the caller's chunk, or
     * else by any chunk, is rethrown.
     */
    void run(int n, int chunks, Parallel.RangeBody body) {
        Region r = new Region(body, n, chunks);
        regions.add(r);
        // Wake as many parked workers as there are chunks for them; a worker that is not parked is
        // looking at the queue or busy with another caller's region, and a busy one would not help.
        int wake = chunks - 1;
        for (int i = 0; i < workers.length && wake > 0; i++) {
            Worker w = workers[i];
            if (w.parked) {
                LockSupport.unpark(w);
                wake--;
            }
        }
        Throwable own = null;
        try {
            body.run(0, (int) ((long) n / chunks));
        } catch (RuntimeException | Error e) {
            own = e;
        }
        while (r.runOne()) {
            // Chunks no worker has claimed yet: cheaper here than waiting for a worker to wake.
        }
        regions.remove(r);
        r.awaitDone(spinNanos);
        Throwable failure = own != null ? own : r.failure.get();
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
    }

    /** One parallel region: chunk 0 is the caller's; the others go to whoever claims them first. */
    private static final class Region {
        final Parallel.RangeBody body;
        final int n;
        final int chunks;
        final AtomicInteger next = new AtomicInteger(1);
        final AtomicInteger pending;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile Thread waiter;

        Region(Parallel.RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.pending = new AtomicInteger(chunks - 1);
        }

        /** Claims and runs one chunk; false when none was left to claim. */
        boolean runOne() {
            int i = next.getAndIncrement();
            if (i >= chunks) {
                return false;
            }
            try {
                body.run((int) ((long) n * i / chunks), (int) ((long) n * (i + 1) / chunks));
            } catch (RuntimeException | Error e) {
                failure.compareAndSet(null, e);
            } finally {
                if (pending.decrementAndGet() == 0) {
                    Thread w = waiter;
                    if (w != null) {
                        LockSupport.unpark(w);
                    }
                }
            }
            return true;
        }

        /** Waits until every chunk but the caller's has finished: spins for {@code spinNanos}, then parks. */
        void awaitDone(long spinNanos) {
            if (pending.get() == 0) {
                return;
            }
            long start = System.nanoTime();
            while (System.nanoTime() - start < spinNanos) {
                if (pending.get() == 0) {
                    return;
                }
                Thread.onSpinWait();
            }
            waiter = Thread.currentThread();
            while (pending.get() != 0) {
                LockSupport.park(this);
            }
        }
    }

    /** A worker: runs chunks of queued regions; spins for a while after its last chunk, then parks. */
    private static final class Worker extends Thread {
        private final WorkerPool pool;
        volatile boolean parked;

        Worker(WorkerPool pool, String name) {
            super(name);
            this.pool = pool;
            setDaemon(true);
        }

        @Override
        public void run() {
            long lastWork = System.nanoTime();
            while (!pool.shutdown) {
                Region r = pool.regions.peek();
                if (r != null) {
                    if (!r.runOne()) {
                        pool.regions.remove(r);
                    }
                    lastWork = System.nanoTime();
                    continue;
                }
                if (System.nanoTime() - lastWork < pool.spinNanos) {
                    Thread.onSpinWait();
                    continue;
                }
                // Announce the park before the last look at the queue: a caller that queues a region
                // after that look sees parked set and unparks this thread.
                parked = true;
                if (pool.regions.peek() == null && !pool.shutdown) {
                    LockSupport.park(this);
                }
                parked = false;
                lastWork = System.nanoTime();
            }
        }
    }
}
