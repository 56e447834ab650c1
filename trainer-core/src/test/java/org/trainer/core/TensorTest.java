package org.trainer.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.trainer.core.backend.Backends;

class TensorTest {

    @Test
    void creation() {
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0}, Tensor.zeros(2, 3).toFloatArray());
        assertArrayEquals(new float[] {1, 1}, Tensor.ones(2).toFloatArray());
        assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f}, Tensor.full(2.5, 3).toFloatArray());
        assertArrayEquals(new float[] {0, 1, 2, 3}, Tensor.arange(4).toFloatArray());
        assertArrayEquals(new float[] {1, 1.5f, 2, 2.5f}, Tensor.arange(1, 3, 0.5).toFloatArray());
        assertArrayEquals(new float[] {5, 3}, Tensor.arange(5, 1, -2).toFloatArray());
        assertEquals(0, Tensor.zeros(0, 3).numel());
        assertEquals(1, Tensor.scalar(4).numel());
        assertEquals(4.0, Tensor.scalar(4).item());
        assertEquals(0, Tensor.scalar(4).rank());
        assertEquals(DType.FLOAT64, Tensor.zeros(DType.FLOAT64, 2).dtype());
        assertArrayEquals(new int[] {1, 2}, Tensor.fromArray(new int[] {1, 2}, 2).toIntArray());
    }

    @Test
    void seededRandomIsReproducibleAndWellDistributed() {
        assertArrayEquals(Tensor.rand(7, 100).toFloatArray(), Tensor.rand(7, 100).toFloatArray());
        assertFalse(java.util.Arrays.equals(Tensor.rand(7, 100).toFloatArray(), Tensor.rand(8, 100).toFloatArray()));
        Tensor u = Tensor.rand(3, 200_000);
        assertTrue(u.min().item() >= 0 && u.max().item() < 1);
        assertEquals(0.5, u.mean().item(), 0.005);
        Tensor z = Tensor.randn(3, 200_000);
        assertEquals(0, z.mean().item(), 0.01);
        assertEquals(1, z.std(0, false).item(), 0.01);
    }

    @Test
    void dropoutMaskKeepsTheExpectedValue() {
        Tensor m = Tensor.dropoutMask(0.25, 11, 100_000);
        double kept = m.gt(0).mean().item();
        assertEquals(0.75, kept, 0.01);
        assertEquals(1.0, m.mean().item(), 0.02);
        assertEquals(1 / 0.75, m.max().item(), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> Tensor.dropoutMask(1.0, 1, 3));
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        Tensor x = Tensor.fromArray(new float[] {1, 2, 3}, 3).requiresGrad(true);
        x.mul(x).sum().backward();
        assertArrayEquals(new float[] {2, 4, 6}, x.grad().toFloatArray());
        x.mul(3).sum().backward();
        assertArrayEquals(new float[] {5, 7, 9}, x.grad().toFloatArray());
        x.zeroGrad();
        assertArrayEquals(new float[] {0, 0, 0}, x.grad().toFloatArray());
    }

    @Test
    void reluPassesTheGradientExactlyWhereTheInputIsPositive() {
        float[] v = {-1f, -0f, 0f, Float.MIN_VALUE, 2f, Float.POSITIVE_INFINITY, Float.NaN, Float.NEGATIVE_INFINITY};
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = Tensor.fromArray(v, v.length).to(dtype).requiresGrad(true);
            x.relu().backward(Tensor.full(dtype, 3, v.length));
            assertArrayEquals(new double[] {0, 0, 0, 3, 3, 3, 0, 0}, x.grad().toDoubleArray(), dtype.toString());
        }
    }

    @Test
    void detachAndNoGradStopTheGraph() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor y = x.mul(2).detach().mul(x).sum();
        y.backward();
        assertArrayEquals(new float[] {2, 2}, x.grad().toFloatArray());
        try (GradMode g = Tensor.noGrad()) {
            Tensor z = x.mul(5);
            assertFalse(z.requiresGrad());
            assertNull(z.gradFn());
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
        assertTrue(x.mul(5).requiresGrad());
    }

    @Test
    void broadcastGradientsReduceToTheInputShape() {
        Tensor bias = Tensor.zeros(3).requiresGrad(true);
        Tensor x = Tensor.ones(4, 3);
        x.add(bias).sum().backward();
        assertArrayEquals(new int[] {3}, bias.grad().shape());
        assertArrayEquals(new float[] {4, 4, 4}, bias.grad().toFloatArray());
    }

    @Test
    void reshapeIsAViewAndOtherShapeOpsCopy() {
        Tensor x = Tensor.arange(6);
        Tensor v = x.reshape(2, 3);
        x.copyFrom(Tensor.full(9, 6));
        assertEquals(9.0, v.max().item());
        Tensor t = v.t();
        x.copyFrom(Tensor.zeros(6));
        assertEquals(9.0, t.max().item());
    }

    @Test
    void errorsNameTheOpTheShapesAndTheRule() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(32, 784).matmul(Tensor.zeros(512, 10)));
        assertEquals("matmul: inner dimensions differ: [32, 784] x [512, 10] (784 != 512)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).add(Tensor.zeros(4)));
        assertEquals("add: shapes [2, 3] and [4] cannot be broadcast: axis -1 has sizes 3 and 4"
                + " (expected equal sizes or 1)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3, 0).sum(1, false));
        assertEquals("sum: cannot reduce over empty axis 1 of shape [3, 0] (expected a size >= 1)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(0).max());
        assertTrue(e.getMessage().startsWith("max: cannot reduce over empty axis 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).reshape(4, 2));
        assertEquals("reshape: shape [4, 2] holds 8 elements, tensor of shape [2, 3] has 6", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).softmax(2));
        assertEquals("softmax: axis 2 is out of range for a tensor of rank 2 (expected -2 to 1)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.fromArray(new float[5], 2, 3));
        assertEquals("fromArray: data has 5 elements but shape [2, 3] needs 6", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(4, 2).indexSelect(0, Tensor.fromArray(new int[] {1, 4}, 2)));
        assertEquals("indexSelect: index 4 at position 1 is out of range for axis 0 of size 4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(1, 3, 8, 8).conv2d(Tensor.zeros(4, 2, 3, 3), null, 1, 0, 1));
        assertEquals("conv2d: input has 3 channels but weight [4, 2, 3, 3] expects 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2).add(Tensor.zeros(DType.FLOAT64, 2)));
        assertEquals("add: dtypes differ: FLOAT32 and FLOAT64 (convert one with to(DType); Tensor.fromArray(double[],"
                + " ...) makes FLOAT64, Tensor.fromArray(DType.FLOAT32, double[], ...) makes FLOAT32 as layers' weights"
                + " are)", e.getMessage());
        var s = assertThrows(IllegalStateException.class, () -> Tensor.ones(2).requiresGrad(true).mul(2).backward());
        assertTrue(s.getMessage().startsWith("backward: called on a tensor of shape [2]"), s.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1));
        assertEquals("zeros: shape [2, -1] has a negative size at axis 1", e.getMessage());
    }

    @Test
    void backendsAreFoundThroughTheServiceLoader() {
        assertEquals(Device.CPU, Backends.cpu().device());
        assertEquals("cpu", Backends.provider("cpu").type());
        var e = assertThrows(IllegalStateException.class, () -> Backends.get(new Device("tpu", 0)));
        assertTrue(e.getMessage().startsWith("no backend for device type 'tpu'"), e.getMessage());
    }

    @Test
    void toStringShowsShapeDtypeAndValues() {
        assertEquals("Tensor([2], FLOAT32, [1.0, 2.0])", Tensor.fromArray(new float[] {1, 2}, 2).toString());
    }
}
