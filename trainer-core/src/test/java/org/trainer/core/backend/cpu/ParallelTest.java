package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Parallel#forRange} over its {@link WorkerPool}: every index exactly once, in the documented
 * chunks whichever thread runs them, exceptions from any chunk reach the caller, regions inside
 * regions and from several callers at once, and workers that park when idle and wake for the next
 * region.
 */
@ExtendWith(RestoresThreadCount.class)
class ParallelTest {
    @Test
    void coversEveryIndexOnceInTheDocumentedChunks() {
        for (int threads : new int[] {1, 2, 3, 4}) {
            Parallel.setThreads(threads);
            for (int n : new int[] {0, 1, 2, 3, 7, 100, 1001}) {
                for (int minChunk : new int[] {1, 3, 50}) {
                    int[] hits = new int[n];
                    Set<List<Integer>> ranges = ConcurrentHashMap.newKeySet();
                    Parallel.forRange(n, minChunk, (s, e) -> {
                        ranges.add(List.of(s, e));
                        for (int i = s; i < e; i++) {
                            hits[i]++;
                        }
                    });
                    int[] ones = new int[n];
                    java.util.Arrays.fill(ones, 1);
                    assertArrayEquals(ones, hits, "threads " + threads + ", n " + n + ", minChunk " + minChunk);
                    int chunks = Math.min(threads, Math.max(1, n / minChunk));
                    Set<List<Integer>> expected = ConcurrentHashMap.newKeySet();
                    for (int i = 0; i < chunks && n > 0; i++) {
                        expected.add(List.of((int) ((long) n * i / chunks), (int) ((long) n * (i + 1) / chunks)));
                    }
                    assertEquals(expected, ranges, "threads " + threads + ", n " + n + ", minChunk " + minChunk);
                }
            }
        }
    }

    @Test
    void runsChunksOnTheWorkersAndTheCaller() throws InterruptedException {
        Parallel.setThreads(2);
        Set<String> names = ConcurrentHashMap.newKeySet();
        // Chunks that wait for each other can only finish when two threads run them at once.
        for (int round = 0; round < 20; round++) {
            CountDownLatch both = new CountDownLatch(2);
            AtomicInteger met = new AtomicInteger();
            Parallel.forRange(2, 1, (s, e) -> {
                names.add(Thread.currentThread().getName());
                both.countDown();
                try {
                    if (both.await(10, TimeUnit.SECONDS)) {
                        met.incrementAndGet();
                    }
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            assertEquals(2, met.get(), "round " + round + ": both chunks ran at the same time");
            // Sometimes after a pause, so that the next region finds the worker parked and must wake it.
            Thread.sleep(round % 2 == 0 ? 0 : 5);
        }
        assertTrue(names.contains(Thread.currentThread().getName()), "the caller runs chunk 0: " + names);
        assertTrue(names.contains("trainer-parallel-1"), "a worker runs chunk 1: " + names);
    }

    @Test
    void rethrowsAWorkersExceptionAndTheCallersFirst() {
        Parallel.setThreads(2);
        IllegalStateException fromWorker = new IllegalStateException("chunk 1");
        RuntimeException thrown = assertThrows(IllegalStateException.class, () -> Parallel.forRange(10, 1, (s, e) -> {
            if (s > 0) {
                throw fromWorker;
            }
        }));
        assertSame(fromWorker, thrown);
        AssertionError fromCaller = new AssertionError("chunk 0");
        AssertionError error = assertThrows(AssertionError.class, () -> Parallel.forRange(10, 1, (s, e) -> {
            if (s == 0) {
                throw fromCaller;
            }
            throw new IllegalStateException("chunk 1");
        }));
        assertSame(fromCaller, error);
        // The pool still works afterwards.
        int[] hits = new int[10];
        Parallel.forRange(10, 1, (s, e) -> {
            for (int i = s; i < e; i++) {
                hits[i]++;
            }
        });
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, hits);
    }

    @Test
    void aRegionInsideARegionRunsOnItsThread() {
        Parallel.setThreads(2);
        int[] hits = new int[2 * 100];
        AtomicReference<String> nestedSplit = new AtomicReference<>();
        Parallel.forRange(2, 1, (s, e) -> {
            Thread outer = Thread.currentThread();
            boolean outerIsWorker = WorkerPool.inWorker();
            Parallel.forRange(100, 1, (a, b) -> {
                if (outerIsWorker && Thread.currentThread() != outer) {
                    nestedSplit.set("a worker's inner region was split across threads");
                }
                for (int i = a; i < b; i++) {
                    hits[s * 100 + i]++;
                }
            });
        });
        assertEquals(null, nestedSplit.get());
        for (int h : hits) {
            assertEquals(1, h);
        }
    }

    @Test
    void insideAForkJoinPoolRunsSerially() throws Exception {
        Parallel.setThreads(2);
        ForkJoinPool other = new ForkJoinPool(1);
        try {
            Set<String> names = other.submit(() -> {
                Set<String> seen = ConcurrentHashMap.newKeySet();
                Parallel.forRange(100, 1, (s, e) -> seen.add(Thread.currentThread().getName()));
                return seen;
            }).get();
            assertEquals(1, names.size(), names.toString());
            assertFalse(names.contains("trainer-parallel-1"));
        } finally {
            other.shutdown();
        }
    }

    @Test
    void servesSeveralCallersAtOnce() throws InterruptedException {
        Parallel.setThreads(3);
        int callers = 4;
        int n = 10_000;
        long[][] sums = new long[callers][];
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int c = 0; c < callers; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                long[] out = new long[200];
                for (int round = 0; round < out.length; round++) {
                    long[] partial = new long[n];
                    int r = round;
                    Parallel.forRange(n, 1, (s, e) -> {
                        for (int i = s; i < e; i++) {
                            partial[i] = (long) i * (id + 1) + r;
                        }
                    });
                    long sum = 0;
                    for (long p : partial) {
                        sum += p;
                    }
                    out[round] = sum;
                }
                sums[id] = out;
            });
            t.setUncaughtExceptionHandler((th, e) -> failure.set(e));
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(60_000);
            assertFalse(t.isAlive(), "a caller is still waiting for its region");
        }
        assertEquals(null, failure.get());
        for (int c = 0; c < callers; c++) {
            for (int round = 0; round < 200; round++) {
                long expected = (long) n * (n - 1) / 2 * (c + 1) + (long) n * round;
                assertEquals(expected, sums[c][round], "caller " + c + ", round " + round);
            }
        }
    }

    @Test
    void setThreadsEndsTheOldWorkers() throws InterruptedException {
        Parallel.setThreads(3);
        Parallel.forRange(3, 1, (s, e) -> { });
        Parallel.setThreads(2);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (countWorkers() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, countWorkers(), "workers left after setThreads(2)");
    }

    @Test
    void aSpinningPoolRunsEveryChunkOnceAndEndsOnShutdown() throws InterruptedException {
        WorkerPool pool = new WorkerPool(3, 200_000);
        try {
            for (int round = 0; round < 200; round++) {
                int n = 1 + round * 7;
                int chunks = 1 + round % 3;
                int[] hits = new int[n];
                pool.run(n, chunks, (s, e) -> {
                    for (int i = s; i < e; i++) {
                        hits[i]++;
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits[i], "round " + round + ", index " + i);
                }
                if (round % 50 == 0) {
                    Thread.sleep(2); // past the spin: the workers park and must be woken
                }
            }
            IllegalStateException boom = new IllegalStateException("chunk 2");
            assertSame(boom, assertThrows(IllegalStateException.class, () -> pool.run(30, 3, (s, e) -> {
                if (s == 20) {
                    throw boom;
                }
            })));
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void refusesABadPool() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WorkerPool(1, 0));
        assertEquals("WorkerPool: threads must be >= 2, got 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new WorkerPool(2, -1));
        assertEquals("WorkerPool: spinNanos must be >= 0, got -1", e.getMessage());
    }

    @Test
    void readsTheSpinTime() {
        assertEquals(100_000, Parallel.spinNanos("100"));
        assertEquals(0, Parallel.spinNanos(" 0 "));
        for (String bad : new String[] {"-1", "fast", "", "2000000"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.spinNanos(bad));
            assertEquals("trainer.spin.micros: expected a whole number of microseconds from 0 to 1000000, got '"
                    + bad + "'", e.getMessage());
        }
    }

    private static long countWorkers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("trainer-parallel-") && t.isAlive()).count();
    }
}
