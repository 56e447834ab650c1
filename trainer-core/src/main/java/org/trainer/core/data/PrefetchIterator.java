package org.trainer.core.data;

import java.lang.ref.Cleaner;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the batches of one epoch on a background daemon thread, up to {@code prefetch} batches
 * ahead of the consumer.
 *
 * <p><b>Same results.</b> One worker builds the batches of a fixed plan strictly in order and
 * hands them over through a FIFO queue, so the consumer sees exactly what {@link SequentialIterator}
 * would return. An exception thrown by the dataset on the worker is rethrown, as the same object,
 * from the consumer's {@link #next()} at the position of the batch that failed, with a suppressed
 * exception recording the consumer's stack.
 *
 * <p><b>No leaked threads.</b> The queue is bounded, so a worker that gets ahead parks in
 * {@code put} instead of loading the whole epoch. The worker stops when it has queued the last
 * batch, when {@link #close()} is called, or, for an iterator abandoned without close, when the
 * garbage collector finds the iterator unreachable: a {@link Cleaner} then interrupts the parked
 * worker. The worker never refers to the iterator (only to the shared {@link Worker}), or it would
 * keep it reachable for ever.
 */
final class PrefetchIterator implements BatchIterator {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Object END = new Object();

    private final Worker worker;
    private final Cleaner.Cleanable cleanable;
    private Object pending;
    private boolean done;

    PrefetchIterator(Dataset dataset, int[][] plan, int prefetch) {
        this.worker = new Worker(dataset, plan, new ArrayBlockingQueue<>(prefetch));
        this.worker.thread.start();
        this.cleanable = CLEANER.register(this, worker::stop);
    }

    /** The worker thread, for tests that check it ends. */
    Thread thread() {
        return worker.thread;
    }

    @Override
    public boolean hasNext() {
        if (done) {
            return false;
        }
        if (pending == null) {
            pending = take();
        }
        if (pending == END) {
            close();
            return false;
        }
        return true;
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("DataLoader: the epoch has ended (" + worker.plan.length + " batches)");
        }
        Object item = pending;
        pending = null;
        if (item instanceof Failure f) {
            close();
            f.error.addSuppressed(new RuntimeException("rethrown on the consumer thread by DataLoader"));
            throw f.uncheckedError();
        }
        return (Batch) item;
    }

    @Override
    public void close() {
        done = true;
        pending = null;
        cleanable.clean(); // runs worker.stop() at most once and unregisters it from the Cleaner
    }

    private Object take() {
        try {
            return worker.queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("DataLoader: interrupted while waiting for the prefetch thread", e);
        }
    }

    /** A throwable raised by the dataset on the worker, carried to the consumer in order. */
    private record Failure(Throwable error) {
        RuntimeException uncheckedError() {
            if (error instanceof Error e) {
                throw e;
            }
            return error instanceof RuntimeException r ? r : new RuntimeException(error);
        }
    }

    /** The background side: owns the thread and the queue, never the iterator. */
    private static final class Worker implements Runnable {
        final Dataset dataset;
        final int[][] plan;
        final BlockingQueue<Object> queue;
        final Thread thread;
        volatile boolean stopped;

        Worker(Dataset dataset, int[][] plan, BlockingQueue<Object> queue) {
            this.dataset = dataset;
            this.plan = plan;
            this.queue = queue;
            this.thread = new Thread(this, "trainer-data-prefetch-" + THREADS.incrementAndGet());
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                for (int[] indices : plan) {
                    if (stopped) {
                        return;
                    }
                    Object item;
                    try {
                        item = dataset.get(indices);
                    } catch (Throwable t) {
                        item = new Failure(t);
                    }
                    queue.put(item);
                    if (item instanceof Failure) {
                        return;
                    }
                }
                queue.put(END);
            } catch (InterruptedException e) {
                // stop() interrupted a parked put: the consumer is gone, nothing is left to deliver.
            }
        }

        /** Stops the worker and frees the batches it had prepared. Safe from any thread. */
        void stop() {
            stopped = true;
            thread.interrupt();
            queue.clear();
        }
    }
}
