package org.trainer.core.data;

import java.lang.ref.Cleaner;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs any {@link BatchIterator} on a background daemon thread, up to {@code ahead} batches ahead
 * of the consumer: the decode-ahead of a {@link StreamingLoader}. The pattern is
 * {@link PrefetchIterator}'s, for a source that is an iterator rather than a dataset and a plan.
 *
 * <p><b>Same results.</b> One worker drains the inner iterator strictly in order into a FIFO
 * queue, so the consumer sees exactly the inner iterator's batches. A throwable raised by the inner
 * iterator is rethrown, as the same object, from the consumer's {@link #next()} at the position of
 * the batch that failed, with a suppressed exception recording the consumer's stack.
 *
 * <p><b>No leaked threads or files.</b> The queue is bounded, so a worker that gets ahead parks in
 * {@code put}. The worker stops after the last batch, on {@link #close()}, or, for an iterator
 * abandoned without close, when a {@link Cleaner} finds it unreachable and interrupts the worker;
 * the worker then closes the inner iterator on its own thread (the only thread that reads it).
 * {@link #close()} returns only once the inner iterator is closed: it waits for the worker (at most
 * {@link #JOIN_MILLIS} ms) and, should the worker not end in time (a read that ignores interrupts)
 * or the wait be interrupted, closes the inner iterator itself. The worker never refers to this
 * iterator, or it would keep it reachable for ever.
 */
final class BackgroundIterator implements BatchIterator {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Object END = new Object();
    /** How long {@link #close()} waits for the worker before closing the inner iterator itself. */
    static final long JOIN_MILLIS = 5_000;

    private final Worker worker;
    private final Cleaner.Cleanable cleanable;
    private Object pending;
    private boolean done;

    BackgroundIterator(BatchIterator inner, int ahead) {
        if (ahead < 1) {
            inner.close();
            throw new IllegalArgumentException("BackgroundIterator: ahead must be >= 1 batch, got " + ahead);
        }
        this.worker = new Worker(inner, new ArrayBlockingQueue<>(ahead));
        this.worker.thread.start();
        this.cleanable = WorkerFailure.CLEANER.register(this, worker::stop);
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
            throw new NoSuchElementException("StreamingLoader: the epoch has ended");
        }
        Object item = pending;
        pending = null;
        if (item instanceof WorkerFailure f) {
            close();
            throw f.rethrow("StreamingLoader");
        }
        return (Batch) item;
    }

    /** Stops the worker and returns once the inner iterator (its reader, its file) is closed. */
    @Override
    public void close() {
        done = true;
        pending = null;
        cleanable.clean(); // runs worker.stop() at most once
        if (Thread.currentThread() == worker.thread) {
            return; // never the case in this package; joining itself would wait for ever
        }
        try {
            worker.thread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // kept for the caller; the inner iterator is closed below
        }
        worker.closeInner(); // a no-op when the worker has done it or is doing it
        worker.awaitInnerClosed(JOIN_MILLIS); // the worker may still be inside the inner close
    }

    private Object take() {
        try {
            return worker.queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("StreamingLoader: interrupted while waiting for the decode thread", e);
        }
    }

    /** The background side: owns the thread, the queue and the inner iterator, never the outer one. */
    private static final class Worker implements Runnable {
        final BatchIterator inner;
        final BlockingQueue<Object> queue;
        final Thread thread;
        final AtomicBoolean innerClosed = new AtomicBoolean();
        final CountDownLatch innerDone = new CountDownLatch(1);
        volatile boolean stopped;

        Worker(BatchIterator inner, BlockingQueue<Object> queue) {
            this.inner = inner;
            this.queue = queue;
            this.thread = new Thread(this, "trainer-data-stream-" + THREADS.incrementAndGet());
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (!stopped) {
                    Object item;
                    try {
                        item = inner.hasNext() ? inner.next() : END;
                    } catch (Throwable t) {
                        item = new WorkerFailure(t);
                    }
                    queue.put(item);
                    if (item == END || item instanceof WorkerFailure) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // stop() interrupted a parked put: the consumer is gone, nothing is left to deliver.
            } finally {
                closeInner();
            }
        }

        /** Closes the inner iterator at most once, from whichever thread gets here first. */
        void closeInner() {
            if (innerClosed.compareAndSet(false, true)) {
                try {
                    inner.close();
                } finally {
                    innerDone.countDown();
                }
            }
        }

        /**
         * Waits up to {@code millis} for the inner iterator's close to finish, on whichever thread
         * runs it; an interrupt does not cut the wait short and is kept for the caller.
         */
        void awaitInnerClosed(long millis) {
            long end = System.nanoTime() + millis * 1_000_000L;
            boolean interrupted = false;
            while (true) {
                try {
                    if (innerDone.await(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)
                            || System.nanoTime() >= end) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
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
