package org.trainer.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.trainer.core.nn.Linear;

/** The dtype rule of {@code Tensor.fromArray}, the float32 path from doubles, and the hint when float64 meets a layer. */
class FromArrayDtypeTest {

    @Test
    void theDtypeFollowsTheArrayUnlessGiven() {
        assertEquals(DType.FLOAT32, Tensor.fromArray(new float[] {1, 2}, 2).dtype());
        assertEquals(DType.FLOAT64, Tensor.fromArray(new double[] {1, 2}, 2).dtype());
        assertEquals(DType.INT32, Tensor.fromArray(new int[] {1, 2}, 2).dtype());
        double[] d = {0.1, -1e-40, 3.4e39, 1.0 / 3};
        Tensor f = Tensor.fromArray(DType.FLOAT32, d, 2, 2);
        assertEquals(DType.FLOAT32, f.dtype());
        assertArrayEquals(new int[] {2, 2}, f.shape());
        assertArrayEquals(new float[] {(float) d[0], (float) d[1], (float) d[2], (float) d[3]}, f.toFloatArray());
        assertArrayEquals(d, Tensor.fromArray(DType.FLOAT64, d, 4).toDoubleArray());
    }

    @Test
    void nonFloatingDtypesAndWrongSizesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.fromArray(DType.INT32, new double[] {1}, 1));
        assertTrue(e.getMessage().contains("dtype INT32") && e.getMessage().contains("fromArray(int[]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.fromArray(DType.FLOAT32, new double[3], 2, 2));
        assertTrue(e.getMessage().contains("data has 3 elements but shape [2, 2] needs 4"), e.getMessage());
    }

    @Test
    void aLayerRefusingFloat64SaysHowToMakeFloat32() {
        Linear layer = new Linear(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.forward(Tensor.fromArray(new double[] {1, 2}, 1, 2)));
        assertTrue(e.getMessage().contains("FLOAT64") && e.getMessage().contains("Tensor.fromArray(DType.FLOAT32,"),
                e.getMessage());
        assertEquals(DType.FLOAT32, layer.forward(Tensor.fromArray(DType.FLOAT32, new double[] {1, 2}, 1, 2)).dtype());
    }
}
