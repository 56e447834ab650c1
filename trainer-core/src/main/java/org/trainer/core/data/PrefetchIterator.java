package org.trainer.core.data;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;

/**
 * Builds the batches of one epoch on {@code workers} background daemon threads, up to
 * {@code window} batches ahead of the consumer.
 *
 * <p><b>Same results.</b> Batch b is {@code make.apply(b)}, a pure function of b (loading and
 * augmenting it depends on nothing else), whichever worker builds it; the workers claim batch
 * numbers in increasing order and the consumer takes them back strictly in order, so it sees exactly
 * what {@link SequentialIterator} would return, for any number of workers. An exception thrown on a
 * worker is rethrown, as the same object, from the consumer's {@link #next()} at the position of
 * the batch that failed, with a suppressed exception recording the consumer's stack.
 *
 * <p><b>Bounded.</b> A worker takes a permit before it claims a batch and the consumer returns it
 * when it takes that batch, so at most {@code window} batches are built or in progress but not yet
 * consumed: the claimed-but-unconsumed batches are always the consecutive numbers [consumed,
 * consumed + window), which is why a ring of {@code window} slots holds them without collisions.
 *
 * <p><b>No leaked threads.</b> A worker stops when no batch is left to claim, when {@link #close()}
 * is called, or, for an iterator abandoned without close, when the garbage collector finds the
 * iterator unreachable: a {@link Cleaner} then interrupts the parked workers. The workers never
 * refer to the iterator (only to the shared {@link Work}), or they would keep it reachable for ever.
 */
final class PrefetchIterator implements BatchIterator {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Work work;
    private final Cleaner.Cleanable cleanable;
    private int next;
    private boolean done;

    /**
     * @param make    batch number -> batch (called concurrently from the workers)
     * @param count   the number of batches in the epoch
     * @param window  batches built ahead, at least {@code workers}
     * @param workers background threads, at least 1
     */
    PrefetchIterator(IntFunction<Batch> make, int count, int window, int workers) {
        this.work = new Work(make, count, window, workers);
        this.cleanable = WorkerFailure.CLEANER.register(this, work::stop);
        work.threads.forEach(Thread::start);
    }

    /** The first worker thread, for tests that check it ends. */
    Thread thread() {
        return work.threads.get(0);
    }

    /** All worker threads, for tests that check they end. */
    List<Thread> threads() {
        return List.copyOf(work.threads);
    }

    @Override
    public boolean hasNext() {
        if (!done && next >= work.count) {
            close();
        }
        return !done;
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("DataLoader: the epoch has ended (" + work.count + " batches)");
        }
        Object item = take(next++);
        if (item instanceof WorkerFailure f) {
            close();
            throw f.rethrow("DataLoader");
        }
        return (Batch) item;
    }

    @Override
    public void close() {
        done = true;
        cleanable.clean(); // runs work.stop() at most once and unregisters it from the Cleaner
    }

    private Object take(int b) {
        try {
            return work.take(b);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("DataLoader: interrupted while waiting for the loader threads", e);
        }
    }

    /** The background side: owns the threads and the slots, never the iterator. */
    private static final class Work implements Runnable {
        final IntFunction<Batch> make;
        final int count;
        final Object[] slots;
        final Semaphore room;
        final AtomicInteger claimed = new AtomicInteger();
        final ReentrantLock lock = new ReentrantLock();
        final Condition filled = lock.newCondition();
        final List<Thread> threads = new ArrayList<>();
        volatile boolean stopped;

        Work(IntFunction<Batch> make, int count, int window, int workers) {
            this.make = make;
            this.count = count;
            this.slots = new Object[window];
            this.room = new Semaphore(window);
            for (int i = 0; i < workers; i++) {
                Thread t = new Thread(this, "trainer-data-worker-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                threads.add(t);
            }
        }

        @Override
        public void run() {
            try {
                while (!stopped) {
                    room.acquire();
                    int b = claimed.getAndIncrement();
                    if (b >= count) {
                        room.release(); // let the other workers see the end too
                        return;
                    }
                    Object item;
                    try {
                        item = make.apply(b);
                    } catch (Throwable t) {
                        item = new WorkerFailure(t);
                    }
                    put(b, item);
                }
            } catch (InterruptedException e) {
                // stop() interrupted a parked worker: the consumer is gone, nothing is left to deliver.
            }
        }

        private void put(int b, Object item) {
            lock.lock();
            try {
                slots[b % slots.length] = item;
                filled.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Waits for batch b, frees its slot and returns a permit to the workers. */
        Object take(int b) throws InterruptedException {
            Object item;
            lock.lock();
            try {
                int slot = b % slots.length;
                while (slots[slot] == null) {
                    filled.await();
                }
                item = slots[slot];
                slots[slot] = null;
            } finally {
                lock.unlock();
            }
            room.release();
            return item;
        }

        /** Stops the workers and frees the batches they had prepared. Safe from any thread. */
        void stop() {
            stopped = true;
            threads.forEach(Thread::interrupt);
            lock.lock();
            try {
                java.util.Arrays.fill(slots, null);
            } finally {
                lock.unlock();
            }
        }
    }
}
