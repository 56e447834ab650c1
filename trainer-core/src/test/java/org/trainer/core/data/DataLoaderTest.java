package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.trainer.core.Tensor;

class DataLoaderTest {

    /** Sample i has features [i, -i] and label i, so a batch tells which samples it holds. */
    private static TensorDataset numbered(int n) {
        float[] x = new float[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = -i;
            y[i] = i;
        }
        return new TensorDataset(Tensor.fromArray(x, n, 2), Tensor.fromArray(y, n));
    }

    private static DataLoader.Builder loader(Dataset d, int batch) {
        return DataLoader.builder(d).batchSize(batch);
    }

    /** The labels of each batch of one epoch, checking that features agree with them. */
    private static List<int[]> epoch(Iterable<Batch> batches) {
        List<int[]> out = new ArrayList<>();
        for (Batch b : batches) {
            int[] y = b.targets().toIntArray();
            float[] x = b.features().toFloatArray();
            for (int j = 0; j < y.length; j++) {
                assertEquals(y[j], x[2 * j]);
                assertEquals(-y[j], x[2 * j + 1]);
            }
            out.add(y);
        }
        return out;
    }

    private static int[] flat(List<int[]> batches) {
        return batches.stream().flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void batchesPerEpochIsCeilOrFloorWithDropLast() {
        int[][] cases = {{10, 3, 4, 3}, {9, 3, 3, 3}, {2, 3, 1, 0}, {0, 4, 0, 0}, {1, 1, 1, 1}, {100, 32, 4, 3}};
        for (int[] c : cases) {
            TensorDataset d = numbered(c[0]);
            assertEquals(c[2], loader(d, c[1]).build().batchesPerEpoch(), Arrays.toString(c));
            assertEquals(c[3], loader(d, c[1]).dropLast(true).build().batchesPerEpoch(), Arrays.toString(c));
            assertEquals(c[2], epoch(loader(d, c[1]).build()).size(), Arrays.toString(c));
            assertEquals(c[3], epoch(loader(d, c[1]).dropLast(true).build()).size(), Arrays.toString(c));
        }
    }

    @Test
    void withoutShuffleBatchesAreConsecutiveAndTheLastIsShort() {
        List<int[]> e = epoch(loader(numbered(7), 3).build());
        assertArrayEquals(new int[] {0, 1, 2}, e.get(0));
        assertArrayEquals(new int[] {3, 4, 5}, e.get(1));
        assertArrayEquals(new int[] {6}, e.get(2));
        List<int[]> dropped = epoch(loader(numbered(7), 3).dropLast(true).build());
        assertEquals(2, dropped.size());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, flat(dropped));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4})
    void shuffledEpochsVisitEverySampleExactlyOnce(int prefetch) {
        DataLoader l = loader(numbered(53), 8).shuffle(true).seed(3).prefetch(prefetch).build();
        for (int e = 0; e < 3; e++) {
            int[] seen = flat(epoch(l));
            assertEquals(53, seen.length);
            Arrays.sort(seen);
            assertArrayEquals(Shuffle.identity(53), seen);
        }
    }

    @Test
    void shuffleDiffersAcrossEpochsButIsReproducible() {
        DataLoader a = loader(numbered(50), 10).shuffle(true).seed(11).build();
        DataLoader b = loader(numbered(50), 10).shuffle(true).seed(11).build();
        int[] a0 = flat(epoch(a));
        int[] a1 = flat(epoch(a));
        assertFalse(Arrays.equals(a0, a1), "epochs 0 and 1 in the same order");
        assertFalse(Arrays.equals(Shuffle.identity(50), a0), "epoch 0 not shuffled");
        assertArrayEquals(a0, flat(epoch(b)));
        assertArrayEquals(a1, flat(epoch(b)));
        int[] otherSeed = flat(epoch(loader(numbered(50), 10).shuffle(true).seed(12).build()));
        assertFalse(Arrays.equals(a0, otherSeed));
    }

    @Test
    void iteratorAdvancesTheEpochAndSetEpochResumes() {
        DataLoader l = loader(numbered(20), 6).shuffle(true).seed(5).build();
        assertEquals(0, l.epoch());
        int[] e0 = flat(epoch(l));
        int[] e1 = flat(epoch(l));
        assertEquals(2, l.epoch());
        assertArrayEquals(e1, flat(epoch(() -> l.iterator(1))));
        assertEquals(2, l.epoch(), "iterator(int) must not move the counter");
        l.setEpoch(0);
        assertArrayEquals(e0, flat(epoch(l)));
        assertArrayEquals(e1, flat(epoch(l)));
        assertThrows(IllegalArgumentException.class, () -> l.setEpoch(-1));
    }

    @Test
    void planMatchesWhatTheIteratorServes() {
        DataLoader l = loader(numbered(23), 5).shuffle(true).seed(9).dropLast(true).build();
        int[][] plan = l.plan(4);
        List<int[]> served = epoch(() -> l.iterator(4));
        assertEquals(plan.length, served.size());
        for (int b = 0; b < plan.length; b++) {
            assertArrayEquals(plan[b], served.get(b));
        }
    }

    @Test
    void prefetchServesExactlyTheSynchronousBatches() {
        for (int prefetch : new int[] {1, 2, 7}) {
            DataLoader sync = loader(numbered(37), 4).shuffle(true).seed(21).build();
            DataLoader ahead = loader(numbered(37), 4).shuffle(true).seed(21).prefetch(prefetch).build();
            for (int e = 0; e < 3; e++) {
                List<int[]> s = epoch(sync);
                List<int[]> a = epoch(ahead);
                assertEquals(s.size(), a.size());
                for (int b = 0; b < s.size(); b++) {
                    assertArrayEquals(s.get(b), a.get(b), "prefetch " + prefetch + ", epoch " + e + ", batch " + b);
                }
            }
        }
    }

    /** Fails on the batch holding sample 7, so the batches before it must still arrive. */
    private static final class FailsAtSeven implements Dataset {
        final TensorDataset inner = numbered(12);
        final IllegalStateException error = new IllegalStateException("cannot read sample 7");

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public Batch get(int[] indices) {
            if (Arrays.stream(indices).anyMatch(i -> i == 7)) {
                throw error;
            }
            return inner.get(indices);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3})
    void datasetErrorsReachTheConsumerAtTheFailingBatch(int prefetch) {
        FailsAtSeven d = new FailsAtSeven();
        BatchIterator it = loader(d, 2).prefetch(prefetch).build().iterator();
        for (int b = 0; b < 3; b++) {
            assertArrayEquals(new int[] {2 * b, 2 * b + 1}, it.next().targets().toIntArray());
        }
        assertTrue(it.hasNext());
        IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
        assertSame(d.error, e, "the dataset's own exception, as without prefetch");
        it.close();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
    }

    @Test
    void prefetchThreadEndsWithTheEpoch() throws InterruptedException {
        BatchIterator it = loader(numbered(10), 3).prefetch(2).build().iterator();
        Thread worker = ((PrefetchIterator) it).thread();
        assertTrue(worker.isDaemon());
        while (it.hasNext()) {
            it.next();
        }
        worker.join(5000);
        assertFalse(worker.isAlive());
    }

    @Test
    void closeStopsAParkedWorker() throws InterruptedException {
        BatchIterator it = loader(numbered(1000), 1).prefetch(2).build().iterator();
        Thread worker = ((PrefetchIterator) it).thread();
        it.next();
        it.close();
        worker.join(5000);
        assertFalse(worker.isAlive());
        assertFalse(it.hasNext());
    }

    @Test
    void workerStaysABoundedDistanceAhead() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        TensorDataset inner = numbered(1000);
        Dataset counting = new Dataset() {
            @Override
            public int size() {
                return inner.size();
            }

            @Override
            public Batch get(int[] indices) {
                calls.incrementAndGet();
                return inner.get(indices);
            }
        };
        try (BatchIterator it = loader(counting, 1).prefetch(2).build().iterator()) {
            it.next();
            Thread.sleep(200);
            // one consumed, two queued, one built and waiting to be queued
            assertTrue(calls.get() <= 4, calls.get() + " batches built");
        }
    }

    private static Thread abandonedWorker() {
        BatchIterator it = loader(numbered(1000), 1).prefetch(1).build().iterator();
        it.next();
        return ((PrefetchIterator) it).thread();
    }

    @Test
    void anAbandonedIteratorsWorkerIsStoppedOnceCollected() throws InterruptedException {
        Thread worker = abandonedWorker();
        for (int i = 0; i < 100 && worker.isAlive(); i++) {
            System.gc();
            worker.join(50);
        }
        assertFalse(worker.isAlive(), "prefetch thread outlived its unreachable iterator");
    }

    @Test
    void builderValidatesEveryArgument() {
        TensorDataset d = numbered(3);
        var e = assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).batchSize(0));
        assertEquals("DataLoader: batchSize must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).prefetch(-1));
        assertEquals("DataLoader: prefetch must be >= 0 batches, got -1", e.getMessage());
        assertThrows(NullPointerException.class, () -> DataLoader.builder(null));
        assertNotEquals("", DataLoader.builder(d).build().toString());
    }
}
