package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;

/**
 * {@code iterator(epoch, fromBatch)}: the epoch's batches less the first fromBatch, identical to
 * what {@code iterator(epoch)} yields from there on, with and without prefetch, and through the
 * default method of any BatchSource; out-of-range starts are refused.
 */
class ResumeIteratorTest {
    private static final TensorDataset DATA = new TensorDataset(Tensor.arange(46).reshape(23, 2),
            Tensor.fromArray(new int[23], 23));

    private static List<float[]> features(BatchIterator it) {
        List<float[]> out = new ArrayList<>();
        while (it.hasNext()) {
            out.add(it.next().features().toFloatArray());
        }
        return out;
    }

    private static void assertSameBatches(List<float[]> expected, List<float[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "batch " + i);
        }
    }

    @Test
    void skippingGivesTheRestOfTheEpochExactly() {
        for (int prefetch : new int[] {0, 2}) {
            DataLoader loader = DataLoader.builder(DATA).batchSize(5).shuffle(true).seed(9).prefetch(prefetch).build();
            // A source that only knows iterator(epoch): the interface's default skips by reading.
            BatchSource plain = new BatchSource() {
                @Override
                public BatchIterator iterator(int epoch) {
                    return loader.iterator(epoch);
                }

                @Override
                public int batchesPerEpoch() {
                    return loader.batchesPerEpoch();
                }
            };
            for (int epoch = 0; epoch < 3; epoch++) {
                List<float[]> all = features(loader.iterator(epoch));
                assertEquals(5, all.size());
                for (int from = 0; from <= 5; from++) {
                    List<float[]> rest = all.subList(from, all.size());
                    assertSameBatches(rest, features(loader.iterator(epoch, from)));
                    assertSameBatches(rest, features(plain.iterator(epoch, from)));
                }
            }
            var e = assertThrows(IllegalArgumentException.class, () -> loader.iterator(1, 6));
            assertEquals("iterator: fromBatch must be in [0, 5] (the batches of epoch 1), got 6", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> plain.iterator(1, 6));
            assertEquals("iterator: fromBatch 6 is beyond the end of epoch 1, which has 5 batches", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> plain.iterator(0, -1));
            assertEquals("iterator: fromBatch must be >= 0, got -1", e.getMessage());
        }
    }

    @Test
    void skippedBatchesKeepTheirAugmentationStreams() {
        for (int workers : new int[] {0, 3}) {
            DataLoader loader = DataLoader.builder(DATA).batchSize(5).shuffle(true).seed(9).workers(workers)
                    .augment(new org.trainer.core.data.augment.GaussianNoise(0.5)).build();
            for (int epoch = 0; epoch < 2; epoch++) {
                List<float[]> all = features(loader.iterator(epoch));
                for (int from = 0; from <= 5; from++) {
                    assertSameBatches(all.subList(from, all.size()), features(loader.iterator(epoch, from)));
                }
            }
        }
    }
}
