package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.trainer.core.backend.UnaryOp;

/**
 * The float32 loops of {@link FloatKernels#unary} and {@link FloatKernels#unaryBackward} that do not
 * evaluate the op's reference definition in double give its results bit for bit (NaN for NaN):
 * abs, clamp from above and below, leaky ReLU, negation, scaling and shifting, on random values and
 * every pair of special values (zeros of both signs, subnormals, infinities, NaN), before and after
 * the Vector API is loaded (some of them change loops then).
 */
class UnaryKernelsTest {
    private static final float[] SPECIAL = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE,
        -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1f, -1f, 0.5f, -0.5f};
    private static final int N = 1037;

    @ParameterizedTest
    @CsvSource({"ABS, 0", "CLAMP_MAX, 0.5", "CLAMP_MAX, 0", "CLAMP_MAX, -0", "CLAMP_MIN, -0.5", "CLAMP_MIN, 0",
        "CLAMP_MIN, -0", "LEAKY_RELU, 0.1", "NEG, 0", "SCALE, -3", "SHIFT, 0.25"})
    void equalsTheReferenceBitForBit(UnaryOp op, float p) {
        check(op, p);
        Sgemm.kernel(); // loads the Vector API where it is present
        check(op, p);
    }

    private static void check(UnaryOp op, float p) {
        SplittableRandom r = new SplittableRandom(11);
        float[] x = new float[N];
        float[] gy = new float[N];
        int pairs = SPECIAL.length * SPECIAL.length;
        for (int i = 0; i < N; i++) {
            x[i] = i < pairs ? SPECIAL[i % SPECIAL.length] : (float) r.nextGaussian();
            gy[i] = i < pairs ? SPECIAL[i / SPECIAL.length] : (float) r.nextGaussian();
        }
        float[] y = new float[N];
        float[] gx = new float[N];
        FloatKernels.unary(op, p, x, y, 0, N);
        FloatKernels.unaryBackward(op, p, x, y, gy, gx, 0, N);
        for (int i = 0; i < N; i++) {
            float wantY = (float) op.apply(x[i], p);
            same(wantY, y[i], op + "(" + x[i] + ", " + p + ")");
            float wantGx = (float) (gy[i] * op.derivative(x[i], wantY, p));
            same(wantGx, gx[i], op + "'(" + x[i] + ", " + p + ") * " + gy[i]);
        }
    }

    private static void same(float want, float got, String what) {
        if (Float.isNaN(want)) {
            assertTrue(Float.isNaN(got), what + ": expected NaN, got " + got);
        } else {
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got), what + ": expected " + want
                    + ", got " + got);
        }
    }
}
