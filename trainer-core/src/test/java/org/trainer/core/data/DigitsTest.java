package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;

class DigitsTest {

    @Test
    void loadsTheBundledDigits() {
        TensorDataset d = Digits.load();
        assertEquals(Digits.SAMPLES, d.size());
        assertArrayEquals(new int[] {1797, 64}, d.features().shape());
        assertEquals(DType.FLOAT32, d.features().dtype());
        assertEquals(DType.INT32, d.targets().dtype());

        int[] counts = new int[Digits.CLASSES];
        for (int y : d.targets().toIntArray()) {
            counts[y]++;
        }
        assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, counts);

        float[] x = d.features().toFloatArray();
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min);
        assertEquals(1f, max, "pixel counts 0..16 scaled by 1/16");
    }

    @Test
    void firstSampleIsTheKnownZero() {
        Batch first = Digits.load().get(0);
        assertArrayEquals(new int[] {0}, first.targets().toIntArray());
        int[] pixels = {0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0,
            8, 8, 0, 0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0,
            0};
        float[] expected = new float[64];
        for (int i = 0; i < 64; i++) {
            expected[i] = pixels[i] / 16f;
        }
        assertArrayEquals(expected, first.features().toFloatArray());
    }
}
