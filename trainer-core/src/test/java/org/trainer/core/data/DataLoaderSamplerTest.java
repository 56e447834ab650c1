package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.trainer.core.Tensor;

/** A {@link DataLoader} with a {@link Sampler}: the sampler's indices, batched, are the epoch. */
class DataLoaderSamplerTest {

    private static TensorDataset numbered(int n) {
        float[] x = new float[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = i;
        }
        return new TensorDataset(Tensor.fromArray(x, n, 1), Tensor.fromArray(y, n));
    }

    @Test
    void theSamplersIndicesSetTheOrderAndTheEpochLength() {
        double[] w = {1, 1, 1, 1, 1, 1, 1, 1, 1, 20};
        WeightedRandomSampler sampler = new WeightedRandomSampler(w, 25, true, 5);
        DataLoader loader = DataLoader.builder(numbered(10)).batchSize(4).sampler(sampler).build();
        assertEquals(7, loader.batchesPerEpoch()); // ceil(25 / 4), not ceil(10 / 4)
        for (int e = 0; e < 3; e++) {
            List<Integer> served = new ArrayList<>();
            try (BatchIterator it = loader.iterator(e)) {
                while (it.hasNext()) {
                    Arrays.stream(it.next().targets().toIntArray()).forEach(served::add);
                }
            }
            assertArrayEquals(sampler.indices(e), served.stream().mapToInt(Integer::intValue).toArray());
        }
        DataLoader dropLast = DataLoader.builder(numbered(10)).batchSize(4).dropLast(true).sampler(sampler).build();
        assertEquals(6, dropLast.batchesPerEpoch());
        assertEquals(6, dropLast.plan(0).length);
    }

    @Test
    void shuffleAndSamplerTogetherAreAnError() {
        Sampler s = new WeightedRandomSampler(new double[] {1, 2}, 2, true, 0);
        String msg = assertThrows(IllegalArgumentException.class,
                () -> DataLoader.builder(numbered(2)).shuffle(true).sampler(s).build()).getMessage();
        assertEquals("DataLoader: shuffle(true) and sampler(" + s + ") both set the sample order; use one (a sampler"
                + " draws its own random order)", msg);
    }

    @Test
    void aSamplerIndexOutsideTheDatasetIsReported() {
        Sampler tooFar = new WeightedRandomSampler(new double[] {0, 0, 0, 0, 1}, 3, true, 0);
        DataLoader loader = DataLoader.builder(numbered(3)).sampler(tooFar).build();
        String msg = assertThrows(IllegalStateException.class, () -> loader.plan(0)).getMessage();
        assertEquals("DataLoader: " + tooFar + " gave index 4 at position 0 of epoch 0, expected 0 to 2", msg);
    }
}
