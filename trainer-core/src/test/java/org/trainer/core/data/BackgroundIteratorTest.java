package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;

class BackgroundIteratorTest {

    /** An endless source whose close takes a while (as closing a file may), and counts closes. */
    static class SlowToClose implements BatchIterator {
        final AtomicInteger closes = new AtomicInteger();
        volatile Thread closedOn;
        int made;

        @Override
        public boolean hasNext() {
            return true;
        }

        @Override
        public Batch next() {
            made++;
            return new Batch(Tensor.fromArray(new float[] {made}, 1, 1), Tensor.fromArray(new float[] {made}, 1, 1));
        }

        @Override
        public void close() {
            long end = System.nanoTime() + 200_000_000L;
            while (System.nanoTime() < end) {
                Thread.onSpinWait(); // busy, not sleeping: an interrupt must not shorten it
            }
            closedOn = Thread.currentThread();
            closes.incrementAndGet();
        }
    }

    @Test
    void closeReturnsOnlyOnceTheInnerIteratorIsClosed() throws InterruptedException {
        SlowToClose source = new SlowToClose();
        BackgroundIterator it = new BackgroundIterator(source, 2);
        assertEquals(1f, it.next().features().toFloatArray()[0]);
        it.close();
        assertEquals(1, source.closes.get(), "closed before close() returned");
        assertEquals(it.thread(), source.closedOn, "by the worker, the only thread that reads it");
        assertFalse(it.thread().isAlive());
        assertFalse(it.hasNext());
        it.close();
        assertEquals(1, source.closes.get(), "idempotent");
    }

    @Test
    void anInterruptedCloseStillClosesTheInnerIteratorAndKeepsTheInterrupt() {
        SlowToClose source = new SlowToClose();
        BackgroundIterator it = new BackgroundIterator(source, 1);
        it.next();
        Thread.currentThread().interrupt();
        try {
            it.close();
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
        assertEquals(1, source.closes.get());
    }

    @Test
    void aFailureOfTheSourceIsRethrownAsTheSameObject() {
        IllegalStateException boom = new IllegalStateException("bad record");
        SlowToClose source = new SlowToClose() {
            @Override
            public Batch next() {
                if (made == 2) {
                    throw boom;
                }
                return super.next();
            }
        };
        BackgroundIterator it = new BackgroundIterator(source, 4);
        it.next();
        it.next();
        assertEquals(boom, assertThrows(IllegalStateException.class, it::next));
        assertEquals("rethrown on the consumer thread by StreamingLoader", boom.getSuppressed()[0].getMessage());
        assertEquals(1, source.closes.get());
    }
}
