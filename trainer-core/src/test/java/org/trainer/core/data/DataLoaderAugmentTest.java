package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;
import org.trainer.core.data.augment.CutMix;
import org.trainer.core.data.augment.GaussianNoise;
import org.trainer.core.data.augment.HorizontalFlip;
import org.trainer.core.data.augment.Mixup;
import org.trainer.core.data.augment.RandomCrop;
import org.trainer.core.data.augment.RandomErasing;
import org.trainer.core.data.augment.RandomRotation;

/** A loader with augmentation and worker threads: reproducible, position-keyed, in order, bounded. */
class DataLoaderAugmentTest {

    /** 50 random images [1, 8, 8] with labels 0..4. */
    private static TensorDataset images(int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 5;
        }
        return new TensorDataset(Tensor.rand(11, n, 1, 8, 8), Tensor.fromArray(y, n));
    }

    private static DataLoader.Builder augmented(Dataset d) {
        return DataLoader.builder(d).batchSize(7).shuffle(true).seed(99)
                .augment(new HorizontalFlip(), new RandomCrop(8, 8, 2), new RandomRotation(15),
                        new RandomErasing().withProbability(0.7))
                .augmentBatches(new CutMix(1, 5), new Mixup(0.4, 5));
    }

    /** Features and targets of every batch of epoch e, as arrays. */
    private static List<float[]> epoch(DataLoader l, int e) {
        List<float[]> out = new ArrayList<>();
        try (BatchIterator it = l.iterator(e)) {
            while (it.hasNext()) {
                Batch b = it.next();
                out.add(b.features().toFloatArray());
                out.add(b.targets().toFloatArray());
            }
        }
        return out;
    }

    private static void assertSameEpoch(List<float[]> expected, List<float[]> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), what + ", array " + i);
        }
    }

    @Test
    void batchesAreIdenticalForAnyWorkerCountAndPrefetch() {
        TensorDataset d = images(50);
        DataLoader reference = augmented(d).build();
        for (int e = 0; e < 2; e++) {
            List<float[]> expected = epoch(reference, e);
            for (int[] wp : new int[][] {{0, 1}, {0, 3}, {1, 0}, {2, 0}, {3, 5}, {4, 1}, {8, 2}}) {
                DataLoader l = augmented(d).workers(wp[0]).prefetch(wp[1]).build();
                assertSameEpoch(expected, epoch(l, e), "workers " + wp[0] + ", prefetch " + wp[1] + ", epoch " + e);
            }
        }
    }

    @Test
    void augmentationChangesTheDataDiffersAcrossEpochsAndRepeatsWithTheSeed() {
        TensorDataset d = images(50);
        List<float[]> plain = epoch(DataLoader.builder(d).batchSize(7).shuffle(true).seed(99).build(), 0);
        DataLoader l = augmented(d).workers(2).build();
        List<float[]> e0 = epoch(l, 0);
        List<float[]> e1 = epoch(l, 1);
        assertFalse(Arrays.equals(plain.get(0), e0.get(0)), "features augmented");
        assertFalse(Arrays.equals(e0.get(0), e1.get(0)), "epochs 0 and 1 alike");
        assertArrayEquals(new int[] {7, 5}, l.iterator(0).next().targets().shape(), "soft labels [B, C]");
        assertSameEpoch(e0, epoch(augmented(d).workers(3).build(), 0), "a new loader with the same seed");
        List<float[]> otherSeed = epoch(augmented(d).seed(100).build(), 0);
        assertFalse(Arrays.equals(e0.get(0), otherSeed.get(0)), "seed ignored");
    }

    @Test
    void eachSampleDrawsFromTheStreamOfItsEpochPosition() {
        // A transform that records nothing but its first draw: the loader must hand sample j of
        // batch b the stream forSample(seed, epoch, b * B + j).
        TensorDataset d = images(20);
        Transform firstDraw = (x, r) -> Tensor.full(r.nextLong(), 1);
        DataLoader l = DataLoader.builder(d).batchSize(6).shuffle(true).seed(5).augment(firstDraw).workers(3).build();
        for (int e = 0; e < 2; e++) {
            int position = 0;
            try (BatchIterator it = l.iterator(e)) {
                while (it.hasNext()) {
                    for (float v : it.next().features().toFloatArray()) {
                        assertEquals((float) AugmentRandom.forSample(5, e, position++).nextLong(), v);
                    }
                }
            }
            assertEquals(20, position);
        }
    }

    @Test
    void augmentsIsReportedAndTheDescriptionNamesThePipeline() {
        TensorDataset d = images(5);
        assertFalse(DataLoader.builder(d).build().augments());
        assertFalse(DataLoader.builder(d).workers(2).build().augments());
        assertTrue(DataLoader.builder(d).augment(new HorizontalFlip()).build().augments());
        assertTrue(DataLoader.builder(d).augmentBatches(new Mixup(1, 5)).build().augments());
        assertTrue(augmented(d).build().toString().contains("HorizontalFlip"));
        var e = assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).workers(-1));
        assertEquals("DataLoader: workers must be >= 0 threads, got -1", e.getMessage());
        assertThrows(NullPointerException.class, () -> DataLoader.builder(d).augment(new HorizontalFlip(), null));
    }

    @Test
    void samplesOfDifferentShapesInOneBatchAreRefusedWithThePositions() {
        TensorDataset d = images(4);
        Transform ragged = (x, r) -> r.nextBoolean(0.5) ? x : Tensor.zeros(1, 4, 4);
        DataLoader l = DataLoader.builder(d).batchSize(4).augment(ragged).seed(1).build();
        var e = assertThrows(IllegalArgumentException.class, () -> l.iterator(0).next());
        assertTrue(e.getMessage().startsWith("DataLoader augmentation: the sample at epoch position"), e.getMessage());
    }

    @Test
    void anAugmentationErrorReachesTheConsumerAtItsBatch() {
        TensorDataset d = images(30);
        IllegalStateException boom = new IllegalStateException("bad sample");
        AtomicInteger calls = new AtomicInteger();
        Transform failsAtTwelve = (x, r) -> {
            calls.incrementAndGet();
            if (x.toFloatArray()[0] == d.features().toFloatArray()[12 * 64]) {
                throw boom;
            }
            return x;
        };
        for (int workers : new int[] {0, 1, 3}) {
            BatchIterator it = DataLoader.builder(d).batchSize(5).augment(failsAtTwelve).workers(workers).build()
                    .iterator(0);
            it.next();
            it.next();
            assertSame(boom, assertThrows(IllegalStateException.class, it::next), "workers " + workers);
            it.close();
            assertFalse(it.hasNext());
        }
        assertTrue(calls.get() > 0);
    }

    @Test
    void allWorkersEndWithTheEpochOrOnClose() throws InterruptedException {
        TensorDataset d = images(40);
        BatchIterator it = augmented(d).workers(3).build().iterator(0);
        List<Thread> threads = ((PrefetchIterator) it).threads();
        assertEquals(3, threads.size());
        while (it.hasNext()) {
            it.next();
        }
        for (Thread t : threads) {
            t.join(5000);
            assertFalse(t.isAlive(), t.getName());
        }
        BatchIterator early = DataLoader.builder(images(1000)).batchSize(1).augment(new GaussianNoise(0.1)).workers(4)
                .build().iterator(0);
        early.next();
        early.close();
        for (Thread t : ((PrefetchIterator) early).threads()) {
            t.join(5000);
            assertFalse(t.isAlive(), t.getName());
        }
    }

    @Test
    void workersStayABoundedDistanceAhead() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        int window = 5; // max(prefetch, workers)
        CountDownLatch windowFull = new CountDownLatch(window);
        TensorDataset inner = images(1000);
        Dataset counting = new Dataset() {
            @Override
            public int size() {
                return inner.size();
            }

            @Override
            public Batch get(int[] indices) {
                calls.incrementAndGet();
                windowFull.countDown();
                return inner.get(indices);
            }
        };
        try (BatchIterator it = DataLoader.builder(counting).batchSize(1).workers(3).prefetch(5).build()
                .iterator(0)) {
            List<Thread> workers = ((PrefetchIterator) it).threads();
            assertTrue(windowFull.await(10, TimeUnit.SECONDS), "the workers fill the window: " + calls.get());
            awaitParked(workers);
            assertEquals(window, calls.get(), "nothing is built beyond the window before a batch is consumed");
            it.next();
            it.next();
            for (long end = System.nanoTime() + 10_000_000_000L; calls.get() < window + 2 && System.nanoTime() < end;) {
                Thread.onSpinWait();
            }
            awaitParked(workers);
            assertEquals(window + 2, calls.get(), "two consumed, two more built, no more");
        }
    }

    /** Waits until every worker is parked (waiting for room in the window), at most 10 s. */
    private static void awaitParked(List<Thread> workers) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!workers.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
            assertTrue(System.nanoTime() < end, "the workers park once the window is full");
            Thread.sleep(1);
        }
    }
}
