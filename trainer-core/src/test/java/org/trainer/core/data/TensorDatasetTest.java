package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.Tensor;

class TensorDatasetTest {

    /** Sample i has features [[i, i + 0.5]] (shape [1, 2]) and label 10 + i. */
    private static TensorDataset data(int n) {
        float[] x = new float[n * 2];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = i + 0.5f;
            y[i] = 10 + i;
        }
        return new TensorDataset(Tensor.fromArray(x, n, 1, 2), Tensor.fromArray(y, n));
    }

    @Test
    void getStacksTheRequestedSamplesInOrder() {
        Batch b = data(5).get(new int[] {3, 0, 3});
        assertEquals(3, b.size());
        assertArrayEquals(new int[] {3, 1, 2}, b.features().shape());
        assertArrayEquals(new float[] {3, 3.5f, 0, 0.5f, 3, 3.5f}, b.features().toFloatArray());
        assertEquals(DType.INT32, b.targets().dtype());
        assertArrayEquals(new int[] {13, 10, 13}, b.targets().toIntArray());
    }

    @Test
    void singleIndexIsABatchOfOne() {
        Batch b = data(5).get(4);
        assertArrayEquals(new int[] {1, 1, 2}, b.features().shape());
        assertArrayEquals(new int[] {14}, b.targets().toIntArray());
    }

    @Test
    void emptyIndicesGiveAnEmptyBatch() {
        Batch b = data(5).get(new int[0]);
        assertEquals(0, b.size());
        assertArrayEquals(new int[] {0, 1, 2}, b.features().shape());
    }

    @Test
    void floatTargetsOfAnyShapeAreGatheredToo() {
        Tensor y = Tensor.fromArray(new float[] {0, 1, 2, 3, 4, 5}, 3, 2);
        TensorDataset d = new TensorDataset(Tensor.fromArray(new float[] {7, 8, 9}, 3), y);
        Batch b = d.get(new int[] {2, 1});
        assertArrayEquals(new float[] {9, 8}, b.features().toFloatArray());
        assertArrayEquals(new float[] {4, 5, 2, 3}, b.targets().toFloatArray());
    }

    @Test
    void mismatchedSampleCountsAreRefusedWithBothShapes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new TensorDataset(Tensor.zeros(4, 3), Tensor.zeros(DType.INT32, 5)));
        assertTrue(e.getMessage().contains("features has 4 samples (shape [4, 3]) but targets has 5 (shape [5])"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TensorDataset(Tensor.scalar(1), Tensor.scalar(1)));
    }

    @Test
    void outOfRangeIndexNamesIndexPositionAndSize() {
        var e = assertThrows(IllegalArgumentException.class, () -> data(5).get(new int[] {1, 5}));
        assertEquals("TensorDataset.get: index 5 at position 1 is out of range for 5 samples (expected 0 to 4)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> data(5).get(-1));
    }

    @Test
    void subsetIsAnIndependentDatasetOfTheChosenSamples() {
        TensorDataset all = data(6);
        TensorDataset sub = all.subset(new int[] {5, 1});
        assertEquals(2, sub.size());
        assertArrayEquals(new int[] {15, 11}, sub.targets().toIntArray());
        assertArrayEquals(new float[] {1, 1.5f}, sub.get(1).features().toFloatArray());
        assertEquals(6, all.size());
    }

    @Test
    void gatheredBatchesAreNotPartOfTheGraph() {
        Tensor x = Tensor.zeros(3, 2).requiresGrad(true);
        Batch b = new TensorDataset(x, Tensor.zeros(DType.INT32, 3)).get(new int[] {0, 2});
        assertEquals(null, b.features().gradFn());
    }

    @Test
    void batchRefusesDifferentSampleCounts() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Batch(Tensor.zeros(2, 3), Tensor.zeros(DType.INT32, 3)));
        assertTrue(e.getMessage().contains("features has 2 samples"), e.getMessage());
    }
}
