package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.trainer.core.backend.BackendConformance;
import org.trainer.core.backend.ConvGeometry;

/**
 * float32 max pooling ({@link ConvKernels#maxPool}) against the rule it promises, as the backend
 * conformance suite writes it out: the first maximum in window order wins, the first NaN wins over
 * numbers. The data are what defeat a branch-free scan if it gets the rule wrong: many ties (a ReLU's
 * zeros of both signs, small integers), infinities, NaNs with distinct payloads anywhere in a window
 * (first place, later, several in one window). Outputs are compared bit for bit, indices exactly, at
 * 1 and 2 threads, for windows that tile, overlap and skip, square or not, with and without padding
 * and dilation.
 */
@ExtendWith(RestoresThreadCount.class)
class MaxPoolTest {
    private final CpuBackend be = new CpuBackend();
    @ParameterizedTest
    @CsvSource({
        // n, c, h, w, kh, kw, strideH, strideW, padH, padW, dilH, dilW
        "4, 3, 24, 24, 2, 2, 2, 2, 0, 0, 1, 1",
        "2, 5, 9, 11, 3, 3, 1, 1, 0, 0, 1, 1",
        "3, 2, 13, 10, 3, 3, 2, 2, 0, 0, 1, 1",
        "2, 3, 8, 9, 2, 2, 1, 1, 0, 0, 1, 1",
        "3, 4, 10, 12, 2, 3, 1, 2, 0, 0, 1, 1",
        "5, 1, 7, 7, 1, 1, 1, 1, 0, 0, 1, 1",
        "2, 3, 9, 8, 3, 3, 2, 2, 1, 1, 1, 1",
        "2, 2, 7, 9, 2, 2, 2, 2, 1, 1, 1, 1",
        "2, 3, 11, 10, 3, 3, 1, 2, 1, 1, 2, 2",
        "1, 4, 9, 12, 2, 3, 2, 1, 1, 1, 3, 2",
        "2, 2, 6, 6, 2, 2, 2, 2, 0, 0, 2, 2",
    })
    void firstMaximumAndFirstNaNWinBitForBit(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph,
                                            int pw, int dh, int dw) {
        ConvGeometry g = new ConvGeometry(n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw);
        int outs = n * c * g.outH() * g.outW();
        for (int data = 0; data < 4; data++) {
            float[] x = data(data, n * c * h * w, 17L * data + h);
            float[] wantY = new float[outs];
            int[] wantArg = new int[outs];
            reference(x, g, wantY, wantArg);
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                CpuStorage y = new CpuStorage(be, new float[outs]);
                CpuStorage arg = new CpuStorage(be, new int[outs]);
                ConvKernels.maxPool(new CpuStorage(be, x), g, y, arg);
                for (int q = 0; q < outs; q++) {
                    String where = "data " + data + ", " + threads + " thread(s), output " + q;
                    assertEquals(wantArg[q], arg.i[q], where);
                    assertEquals(Float.floatToRawIntBits(wantY[q]), Float.floatToRawIntBits(y.f[q]), where);
                }
            }
        }
    }

    /**
     * Kind 0: a ReLU of normals, zeros of both signs; 1: small integers; 2: normals with NaNs of
     * distinct payloads (some windows hold several); 3: infinities and NaNs of both signs among ties.
     */
    private static float[] data(int kind, int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            float v = switch (kind) {
                case 0 -> r.nextBoolean() ? (float) r.nextGaussian() : 0f;
                case 1 -> r.nextInt(3);
                case 2 -> r.nextInt(12) == 0 ? Float.intBitsToFloat(0x7fc00000 + i) : (float) r.nextGaussian();
                default -> switch (r.nextInt(6)) {
                    case 0 -> Float.POSITIVE_INFINITY;
                    case 1 -> Float.NEGATIVE_INFINITY;
                    case 2 -> Float.intBitsToFloat((r.nextBoolean() ? 0x7fc00000 : 0xffc00000) + i);
                    default -> r.nextInt(2);
                };
            };
            x[i] = kind == 0 && v <= 0 ? (r.nextBoolean() ? 0f : -0f) : v;
        }
        return x;
    }

    /** The outputs and indices that {@link BackendConformance#firstMaximum} gives (float to double is exact). */
    private static void reference(float[] x, ConvGeometry g, float[] y, int[] argmax) {
        double[] xd = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xd[i] = x[i];
        }
        int planeIn = g.h() * g.w();
        int q = 0;
        for (int p = 0; p < g.n() * g.c(); p++) {
            for (int i = 0; i < g.outH(); i++) {
                for (int j = 0; j < g.outW(); j++, q++) {
                    argmax[q] = BackendConformance.firstMaximum(xd, p * planeIn, g, i, j);
                    y[q] = x[p * planeIn + argmax[q]];
                }
            }
        }
    }
}
