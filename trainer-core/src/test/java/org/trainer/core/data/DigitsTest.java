package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.GradMode;
import org.trainer.core.Tensor;

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

    @Test
    void readsTheSameTensorsAsTheGeneralCsvReader() throws IOException {
        TensorDataset fast = Digits.load();
        TensorDataset general;
        try (InputStream in = Digits.class.getResourceAsStream("digits.csv.gz");
             GradMode off = Tensor.noGrad()) {
            TensorDataset raw = CsvReader.classColumn(Digits.FEATURES).read(in, "digits.csv.gz");
            general = new TensorDataset(raw.features().div(16), raw.targets());
        }
        assertArrayEquals(general.features().toFloatArray(), fast.features().toFloatArray());
        assertArrayEquals(general.targets().toIntArray(), fast.targets().toIntArray());
    }

    @Test
    void aDamagedTableIsRefusedWithItsLineAndColumn() {
        String row = "0,".repeat(Digits.FEATURES) + "3\n";
        byte[] text = (row + row.replaceFirst("0,0,0", "0,17,0")).getBytes(StandardCharsets.US_ASCII);
        IOException e = assertThrows(IOException.class,
                () -> Digits.parse(text, new float[Digits.SAMPLES * Digits.FEATURES], new int[Digits.SAMPLES]));
        assertTrue(e.getMessage().contains("line 2, column 2: expected a pixel count 0..16 and a comma, got '17,0"),
                e.getMessage());
        byte[] short1 = row.getBytes(StandardCharsets.US_ASCII);
        IOException end = assertThrows(IOException.class,
                () -> Digits.parse(short1, new float[Digits.SAMPLES * Digits.FEATURES], new int[Digits.SAMPLES]));
        assertTrue(end.getMessage().contains("line 2, column 1") && end.getMessage().contains("the end of the file"),
                end.getMessage());
    }
}
