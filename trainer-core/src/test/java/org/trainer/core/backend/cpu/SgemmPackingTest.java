package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checks {@link SgemmPacking#packA} element by element against its documented layout: element
 * (i, p) of the block at {@code p*mr + i} of its micro-panel, zeros past the last row, nothing
 * written outside the packed size.
 */
class SgemmPackingTest {
    @ParameterizedTest(name = "transA={0} mr={1} rows={2} kc={3}")
    @CsvSource({
        "false, 6, 72, 128", "true, 6, 72, 128", // whole panels of the vector kernel
        "false, 6, 17, 9", "true, 6, 17, 9",     // a partial last panel
        "false, 6, 4, 3", "true, 6, 4, 3",       // one partial panel only
        "false, 4, 13, 7", "true, 4, 13, 7",     // the portable kernel's panels
    })
    void packsEachPanelAsDocumented(boolean transA, int mr, int rows, int kc) {
        int m = rows + 5;
        int k = kc + 3;
        int i0 = 2;
        int p0 = 1;
        int aOff = 3;
        SplittableRandom random = new SplittableRandom(rows * 31L + kc);
        float[] a = new float[aOff + m * k];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextDouble(-1, 1);
        }
        int lda = transA ? m : k;
        int panels = (rows + mr - 1) / mr;
        int dstOff = 4;
        float[] expected = new float[dstOff + panels * mr * kc + 4];
        java.util.Arrays.fill(expected, Float.NaN);
        for (int panel = 0; panel < panels; panel++) {
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < mr; i++) {
                    int row = panel * mr + i;
                    float v = 0f;
                    if (row < rows) {
                        int r = i0 + row;
                        int c = p0 + p;
                        v = transA ? a[aOff + c * lda + r] : a[aOff + r * lda + c];
                    }
                    expected[dstOff + panel * mr * kc + p * mr + i] = v;
                }
            }
        }
        float[] dst = new float[expected.length];
        java.util.Arrays.fill(dst, Float.NaN);
        SgemmPacking.packA(transA, a, aOff, lda, i0, rows, p0, kc, mr, dst, dstOff);
        assertArrayEquals(expected, dst);
    }
}
