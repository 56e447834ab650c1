package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamingLoaderTest {

    private static StreamingLoader.Builder numbered(int n, int batch) {
        return StreamingLoader.builder(BinaryRecords.classes(2, new RecordBytes.Counting("numbered", RecordBytes.numbered(n))))
                .batchSize(batch);
    }

    /** The labels of each batch of epoch e, checking that the features travelled with them. */
    private static List<int[]> epoch(BatchSource source, int e) {
        List<int[]> out = new ArrayList<>();
        try (BatchIterator it = source.iterator(e)) {
            while (it.hasNext()) {
                Batch b = it.next();
                int[] y = b.targets().toIntArray();
                float[] x = b.features().toFloatArray();
                assertArrayEquals(new int[] {y.length, 2}, b.features().shape());
                for (int j = 0; j < y.length; j++) {
                    assertEquals(y[j], x[2 * j]);
                    assertEquals(-y[j], x[2 * j + 1]);
                }
                out.add(y);
            }
        }
        return out;
    }

    private static int[] flat(List<int[]> batches) {
        return batches.stream().flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void withoutShuffleBatchesFollowTheSourceOrderAndTheLastIsShort() {
        List<int[]> e = epoch(numbered(10, 3).build(), 0);
        assertEquals(4, e.size());
        assertArrayEquals(new int[] {0, 1, 2}, e.get(0));
        assertArrayEquals(new int[] {9}, e.get(3));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, flat(epoch(numbered(10, 3).dropLast(true).build(), 0)));
        assertArrayEquals(flat(e), flat(epoch(numbered(10, 3).shuffleBuffer(1).seed(5).build(), 0)),
                "a buffer of one record keeps the source order");
    }

    @Test
    void batchesPerEpochIsKnownOnlyWithARecordCount() {
        assertEquals(-1, numbered(10, 3).build().batchesPerEpoch());
        assertEquals(4, numbered(10, 3).recordCount(10).build().batchesPerEpoch(), "ceil(10 / 3)");
        assertEquals(3, numbered(10, 3).recordCount(10).dropLast(true).build().batchesPerEpoch(), "floor(10 / 3)");
        assertEquals(0, numbered(0, 3).recordCount(0).build().batchesPerEpoch());
        assertEquals(List.of(), epoch(numbered(0, 3).build(), 0), "an empty stream is an empty epoch");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void streamedBatchesEqualTheInMemoryLoaderWithoutShuffle(int prefetch) {
        int n = 23;
        DataLoader memory = DataLoader.builder(RecordBytes.numberedDataset(n)).batchSize(5).build();
        StreamingLoader stream = numbered(n, 5).prefetch(prefetch).recordCount(n).build();
        assertEquals(memory.batchesPerEpoch(), stream.batchesPerEpoch());
        for (int e = 0; e < 2; e++) {
            try (BatchIterator a = memory.iterator(e); BatchIterator b = stream.iterator(e)) {
                int batches = 0;
                while (a.hasNext()) {
                    assertTrue(b.hasNext());
                    Batch x = a.next();
                    Batch y = b.next();
                    assertArrayEquals(x.features().shape(), y.features().shape());
                    assertArrayEquals(x.targets().shape(), y.targets().shape());
                    assertEquals(x.targets().dtype(), y.targets().dtype());
                    assertArrayEquals(x.features().toFloatArray(), y.features().toFloatArray());
                    assertArrayEquals(x.targets().toIntArray(), y.targets().toIntArray());
                    batches++;
                }
                assertFalse(b.hasNext());
                assertEquals(memory.batchesPerEpoch(), batches);
            }
        }
    }

    @Test
    void shuffleIsAPermutationEachEpochDifferentPerEpochAndAFunctionOfSeedAndEpoch() {
        int n = 1000;
        StreamingLoader loader = numbered(n, 32).shuffleBuffer(64).seed(7).build();
        List<int[]> orders = new ArrayList<>();
        for (int e = 0; e < 4; e++) {
            int[] order = flat(epoch(loader, e));
            int[] sorted = order.clone();
            Arrays.sort(sorted);
            assertArrayEquals(Shuffle.identity(n), sorted, "epoch " + e + ": every record exactly once");
            assertFalse(Arrays.equals(Shuffle.identity(n), order), "epoch " + e + " is shuffled");
            for (int[] earlier : orders) {
                assertFalse(Arrays.equals(earlier, order), "epochs differ");
            }
            orders.add(order);
        }
        assertArrayEquals(orders.get(2), flat(epoch(loader, 2)), "an epoch served again is the same");
        StreamingLoader again = numbered(n, 32).shuffleBuffer(64).seed(7).prefetch(1).build();
        assertArrayEquals(orders.get(1), flat(epoch(again, 1)), "same seed and epoch, new loader");
        StreamingLoader other = numbered(n, 32).shuffleBuffer(64).seed(8).build();
        assertFalse(Arrays.equals(orders.get(1), flat(epoch(other, 1))), "another seed");
        List<int[]> counted = new ArrayList<>();
        for (Batch b : loader) { // Iterable: the epoch counter starts at 0
            counted.add(b.targets().toIntArray());
        }
        assertArrayEquals(orders.get(0), flat(counted));
        assertEquals(1, loader.epoch());
    }

    @Test
    void theShuffleBufferBoundsReadAheadAndDisplacement() {
        int n = 500;
        int k = 16;
        StreamingLoader loader = numbered(n, 8).shuffleBuffer(k).seed(3).build();
        int position = 0;
        long fullBuffer = 0;
        try (BatchIterator it = loader.iterator(0)) {
            StreamingIterator s = (StreamingIterator) it;
            while (it.hasNext()) {
                for (int label : it.next().targets().toIntArray()) {
                    // The buffer holds records 0 .. k-1+position when `position` is emitted.
                    assertTrue(label <= position + k - 1, "record " + label + " at position " + position);
                    position++;
                }
                long buffered = s.readCount() - s.emitted();
                assertTrue(buffered <= k, buffered + " records buffered, capacity " + k);
                fullBuffer += buffered == k ? 1 : 0;
            }
        }
        assertEquals(n, position);
        assertTrue(fullBuffer >= (n - k) / 8 - 1, "the buffer stays full until the stream ends: " + fullBuffer);
    }

    @Test
    void aBufferAsLargeAsTheDataIsAFullShuffle() {
        // With K >= N the first record of an epoch is uniform over all N: over 400 epochs each of the
        // 4 quarters of the data should come first about 100 times (a wide band, never flaky by chance).
        int n = 40;
        StreamingLoader loader = numbered(n, n).shuffleBuffer(n).seed(11).build();
        int[] quarter = new int[4];
        for (int e = 0; e < 400; e++) {
            quarter[flat(epoch(loader, e))[0] * 4 / n]++;
        }
        for (int q : quarter) {
            assertTrue(q > 50 && q < 150, Arrays.toString(quarter));
        }
    }

    @Test
    void everyEpochReReadsTheSourceAndClosesIt() {
        RecordBytes.Counting source = new RecordBytes.Counting("numbered", RecordBytes.numbered(12));
        StreamingLoader loader = StreamingLoader.builder(BinaryRecords.classes(2, source)).batchSize(5).build();
        for (int e = 0; e < 3; e++) {
            assertArrayEquals(Shuffle.identity(12), flat(epoch(loader, e)));
        }
        assertEquals(3, source.opens.get());
        assertEquals(3, source.closes.get());
        try (BatchIterator it = loader.iterator(3)) {
            it.next(); // an epoch broken off early also closes its stream
        }
        assertEquals(4, source.opens.get());
        assertEquals(4, source.closes.get());
    }

    @Test
    void severalSourcesAreReadInOrderAsOneStream() {
        byte[] all = RecordBytes.numbered(10);
        RecordSource first = new RecordBytes.Counting("a", Arrays.copyOfRange(all, 0, 4 * 12));
        RecordSource second = new RecordBytes.Counting("b", Arrays.copyOfRange(all, 4 * 12, 10 * 12));
        StreamingLoader loader = StreamingLoader.builder(BinaryRecords.classes(2, first, second)).batchSize(3).build();
        assertArrayEquals(Shuffle.identity(10), flat(epoch(loader, 0)));
    }

    @Test
    void prefetchGivesIdenticalBatchesAndItsThreadEnds() throws InterruptedException {
        StreamingLoader plain = numbered(300, 16).shuffleBuffer(50).seed(2).build();
        StreamingLoader ahead = numbered(300, 16).shuffleBuffer(50).seed(2).prefetch(3).build();
        for (int e = 0; e < 3; e++) {
            List<int[]> a = epoch(plain, e);
            List<int[]> b = epoch(ahead, e);
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i), b.get(i));
            }
        }
        RecordBytes.Counting source = new RecordBytes.Counting("numbered", RecordBytes.numbered(300));
        StreamingLoader loader = StreamingLoader.builder(BinaryRecords.classes(2, source)).batchSize(4).prefetch(2)
                .build();
        BackgroundIterator it = (BackgroundIterator) loader.iterator(0);
        it.next();
        it.close();
        it.thread().join(10_000);
        assertFalse(it.thread().isAlive(), "the decode thread ends on close");
        assertEquals(1, source.closes.get(), "and closes the source");
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
    }

    /** Record {@code bad} (0-based) of 10 holds a NaN feature. */
    private static StreamingLoader withNan(int bad, int prefetch) {
        byte[] bytes = RecordBytes.numbered(10);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putFloat(bad * 12 + 4, Float.NaN);
        return StreamingLoader.builder(BinaryRecords.classes(2, new RecordBytes.Counting("bad.bin", bytes)))
                .batchSize(3).prefetch(prefetch).build();
    }

    @Test
    void aBadRecordFailsTheEpochAtTheSameBatchWithAndWithoutPrefetch() {
        List<String> outcomes = new ArrayList<>();
        for (int prefetch : new int[] {0, 2}) {
            int delivered = 0;
            BatchIterator it = withNan(7, prefetch).iterator(0);
            IllegalArgumentException e = null;
            try {
                while (it.hasNext()) {
                    it.next();
                    delivered++;
                }
            } catch (IllegalArgumentException thrown) {
                e = thrown;
            }
            assertTrue(e != null, "prefetch " + prefetch + ": the NaN must be refused");
            assertEquals("bad.bin: record 8, column 2 (feature 2): NaN is not finite; NaN and infinity are refused",
                    e.getMessage());
            assertFalse(it.hasNext(), "the epoch is over after an error");
            outcomes.add(delivered + " " + e.getMessage());
        }
        assertEquals(outcomes.get(0), outcomes.get(1));
        assertTrue(outcomes.get(0).startsWith("2 "), "records 0-5 arrive before the failure: " + outcomes);
    }

    @Test
    void aStatedRecordCountIsChecked() {
        IllegalStateException more = assertThrows(IllegalStateException.class,
                () -> epoch(numbered(10, 3).recordCount(9).build(), 0));
        assertTrue(more.getMessage().contains("more than the 9 records stated"), more.getMessage());
        IllegalStateException fewer = assertThrows(IllegalStateException.class,
                () -> epoch(numbered(10, 3).recordCount(11).build(), 0));
        assertTrue(fewer.getMessage().contains("ended after 10 records, expected 11"), fewer.getMessage());
        IllegalStateException dropped = assertThrows(IllegalStateException.class,
                () -> epoch(numbered(10, 5).recordCount(12).dropLast(true).build(), 0));
        assertTrue(dropped.getMessage().contains("ended after 10 records, expected 12"), dropped.getMessage());
    }

    @Test
    void theBuilderValidatesItsArguments() {
        StreamingLoader.Builder b = numbered(4, 1);
        assertEquals("StreamingLoader: batchSize must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> b.batchSize(0)).getMessage());
        assertEquals("StreamingLoader: shuffleBuffer must be >= 0 records, got -1",
                assertThrows(IllegalArgumentException.class, () -> b.shuffleBuffer(-1)).getMessage());
        assertEquals("StreamingLoader: prefetch must be >= 0 batches, got -2",
                assertThrows(IllegalArgumentException.class, () -> b.prefetch(-2)).getMessage());
        assertEquals("StreamingLoader: recordCount must be >= 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> b.recordCount(-1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.build().iterator(-1));
        assertThrows(NullPointerException.class, () -> StreamingLoader.builder(null));
        assertNotEquals(-1, numbered(4, 1).recordCount(4).build().batchesPerEpoch());
    }
}
