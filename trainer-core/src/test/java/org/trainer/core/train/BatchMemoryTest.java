package org.trainer.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;
import org.trainer.core.backend.MemoryScope;
import org.trainer.core.backend.Storage;
import org.trainer.core.data.Batch;
import org.trainer.core.data.BatchIterator;
import org.trainer.core.data.DataLoader;
import org.trainer.core.data.Dataset;
import org.trainer.core.data.TensorDataset;
import org.trainer.core.loss.Loss;
import org.trainer.core.loss.MseLoss;
import org.trainer.core.nn.Linear;

/** Batches of an in-memory loader are gathered into recycled step memory; training is unchanged by it. */
class BatchMemoryTest {

    /** The same samples as a TensorDataset, through a dataset whose batches a loader may not recycle. */
    private static Dataset opaque(TensorDataset d) {
        return new Dataset() {
            @Override
            public int size() {
                return d.size();
            }

            @Override
            public Batch get(int[] indices) {
                return d.get(indices);
            }
        };
    }

    /** A loss that notes the storage of every target it sees, by identity. */
    private static final class Watching implements Loss {
        final Set<Storage> targets = Collections.newSetFromMap(new IdentityHashMap<>());
        private final MseLoss mse = new MseLoss();

        @Override
        public Tensor compute(Tensor prediction, Tensor target) {
            targets.add(target.storage());
            return mse.compute(prediction, target);
        }
    }

    private static float[] train(Dataset data, Watching loss, int epochs) {
        Linear model = new Linear(3, 1, true, null, 1);
        DataLoader loader = DataLoader.builder(data).batchSize(8).shuffle(true).seed(5).build();
        new Trainer().verbose(false).fit(model, loss, TrainerTest.gd(model.parameters(), 0.05), loader, loader, epochs);
        return model.parameters().get(0).value().toFloatArray();
    }

    @Test
    void inMemoryBatchesReuseOneStorageWhileOtherDatasetsAllocateEachBatch() {
        TensorDataset data = TrainerTest.regression(80, 1);
        Watching recycled = new Watching();
        train(data, recycled, 2);
        Watching fresh = new Watching();
        train(opaque(data), fresh, 2);
        // 10 training batches and 10 validation batches an epoch, over 2 epochs.
        assertEquals(40, fresh.targets.size(), "a new storage for every batch of an opaque dataset");
        assertTrue(recycled.targets.size() <= 2, "the loader's batches reuse their memory, got "
                + recycled.targets.size() + " storages for 40 batches");
    }

    @Test
    void recycledBatchesTrainBitwiseAsBeforeEvenWithReleasedMemoryPoisoned() {
        TensorDataset data = TrainerTest.regression(100, 2);
        float[] reference = train(opaque(data), new Watching(), 3);
        boolean was = MemoryScope.poison();
        MemoryScope.setPoison(true);
        try {
            assertArrayEquals(reference, train(data, new Watching(), 3),
                    "a batch is not read after its memory is released (released memory is NaN here)");
        } finally {
            MemoryScope.setPoison(was);
        }
    }

    private static boolean fresh(DataLoader loader) {
        try (BatchIterator it = loader.iterator(0)) {
            return it.freshBatches();
        }
    }

    @Test
    void onlyBatchesBuiltOnTheCallersThreadFromAnUnaugmentedTensorDatasetAreFresh() {
        TensorDataset data = TrainerTest.regression(20, 3);
        assertTrue(fresh(DataLoader.builder(data).batchSize(4).build()));
        assertFalse(fresh(DataLoader.builder(data).batchSize(4).prefetch(2).build()),
                "a prefetching loader builds batches on its own thread");
        assertFalse(fresh(DataLoader.builder(opaque(data)).batchSize(4).build()),
                "another dataset may keep what it returns");
        assertFalse(fresh(DataLoader.builder(data).batchSize(4).augment((sample, random) -> sample).build()),
                "a transform may return what it keeps");
    }
}
