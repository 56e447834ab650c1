package org.trainer.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.trainer.core.backend.PrimitiveBackend;
import org.trainer.core.backend.TestDevice;

/**
 * Dropout on another device builds its mask there, with that backend's fused mask or its own
 * uniform fill, instead of drawing it on the CPU and copying it over; and since every backend
 * draws the same uniform values for a seed, the result is the CPU's bit for bit.
 */
class DropoutOnDeviceTest {

    private static long calls(String method) {
        AtomicLong c = TestDevice.CALLS.get(method);
        return c == null ? 0 : c.get();
    }

    @Test
    void theMaskIsDrawnOnTheTensorsDeviceAndEqualsTheCpuMask() {
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int[] shape : new int[][] {{7}, {3, 129}, {2, 5, 64, 33}}) {
                for (double p : new double[] {0, 0.1, 0.5, 0.9}) {
                    Tensor x = Tensor.randn(11, shape).to(dtype);
                    Tensor onDevice = x.to(TestDevice.DEVICE);
                    long uploads = TestDevice.UPLOADS.get();
                    long masks = calls("dropoutMask");
                    Tensor y = onDevice.dropout(p, 1234);
                    String what = dtype + " " + java.util.Arrays.toString(shape) + " p " + p;
                    assertEquals(uploads, TestDevice.UPLOADS.get(), "nothing copied to the device: " + what);
                    assertEquals(masks + 1, calls("dropoutMask"), "the device's fused mask: " + what);
                    assertEquals(TestDevice.DEVICE, y.device(), what);
                    assertEquals(dtype, y.dtype(), what);
                    assertArrayEquals(x.dropout(p, 1234).toDoubleArray(), y.toDoubleArray(), 0.0, what);
                }
            }
        }
    }

    @Test
    void aBackendWithoutTheFusedMaskComposesItOnItsOwnDevice() {
        for (double p : new double[] {0, 0.25, 0.75}) {
            Tensor x = Tensor.randn(5, 4, 1000);
            Tensor y = x.to(PrimitiveBackend.DEVICE).dropout(p, -9);
            assertEquals(PrimitiveBackend.DEVICE, y.device());
            double[] expected = x.dropout(p, -9).toDoubleArray();
            assertArrayEquals(expected, y.toDoubleArray(), 0.0, "p " + p);
            long zeros = java.util.Arrays.stream(expected).filter(v -> v == 0).count();
            assertTrue(Math.abs(zeros / 4000.0 - p) < 0.03, "share of zeros " + zeros / 4000.0 + " at p " + p);
        }
    }

    @Test
    void aBadProbabilityIsRejectedOnEveryDevice() {
        Tensor x = Tensor.randn(1, 10).to(TestDevice.DEVICE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.dropout(1.0, 3));
        assertTrue(e.getMessage().contains("p must be in [0, 1), got 1.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.dropout(Double.NaN, 3));
    }
}
