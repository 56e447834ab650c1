package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.trainer.core.backend.UnaryOp;

/**
 * The float32 loops of {@link FloatKernels#unary} and {@link FloatKernels#unaryBackward} that do not
 * evaluate the op's reference definition in double give its results bit for bit (NaN for NaN):
 * abs, clamp from above and below, leaky ReLU, negation, scaling and shifting, on random values and
 * every pair of special values (zeros of both signs, subnormals, infinities, NaN), before and after
 * the Vector API is loaded (some of them change loops then). The sign tests of leaky ReLU (both ways)
 * and of ReLU's gradient are checked in both their forms, the Vector API's compare and blend
 * ({@link VectorThreshold}) and the scalar masks used before it is loaded, ReLU's gradient against
 * {@code x > 0 ? gy : +0}, for slopes below 0, between 0 and 1, 0 and above 1, over a range whose
 * ends are not whole vectors.
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

    /** The sign-test loops run over [K0, K1) of arrays of LONG floats, ends that are not whole vectors. */
    private static final int LONG = 4011;
    private static final int K0 = 3;
    private static final int K1 = LONG - 5;

    private interface Kernel {
        void run(float[] x, float[] gy, float p, float[] out);
    }

    @ParameterizedTest
    @ValueSource(floats = {0.01f, 0.2f, 0f, -0.5f, 3f})
    void leakyReluAndReluGradientInBothFormsEqualTheReferenceBitForBit(float slope) {
        float[][] data = signData();
        float[] x = data[0];
        float[] gy = data[1];
        Kernel[] forward = {(a, g, p, out) -> FloatKernels.leakyRelu(a, p, out, K0, K1),
            (a, g, p, out) -> VectorThreshold.leakyRelu(a, p, out, K0, K1)};
        Kernel[] backward = {(a, g, p, out) -> FloatKernels.leakyReluBackward(a, g, p, out, K0, K1),
            (a, g, p, out) -> VectorThreshold.leakyReluBackward(a, g, p, out, K0, K1)};
        Kernel[] reluBackward = {(a, g, p, out) -> FloatKernels.reluBackward(a, g, out, K0, K1),
            (a, g, p, out) -> VectorThreshold.reluBackward(a, g, out, K0, K1)};
        // The Vector API form only where the module is there (the build's tests always run with it).
        int forms = VectorSupport.present() ? 2 : 1;
        for (int form = 0; form < forms; form++) {
            String name = form == 0 ? "scalar" : "vector";
            float[] y = run(forward[form], x, gy, slope);
            float[] gx = run(backward[form], x, gy, slope);
            float[] reluGx = run(reluBackward[form], x, gy, slope);
            for (int i = 0; i < LONG; i++) {
                boolean inside = i >= K0 && i < K1;
                float wantY = inside ? (float) UnaryOp.LEAKY_RELU.apply(x[i], slope) : -7f;
                float wantGx = inside ? (float) (gy[i] * UnaryOp.LEAKY_RELU.derivative(x[i], wantY, slope)) : -7f;
                float wantRelu = inside ? (x[i] > 0 ? gy[i] : 0f) : -7f;
                String at = name + ", x = " + x[i] + ", gy = " + gy[i] + ", index " + i;
                same(wantY, y[i], "leaky ReLU, " + at);
                same(wantGx, gx[i], "leaky ReLU's gradient, " + at);
                same(wantRelu, reluGx[i], "ReLU's gradient, " + at);
            }
        }
    }

    /** The kernel's output over a buffer of -7, which it must leave alone outside [K0, K1). */
    private static float[] run(Kernel kernel, float[] x, float[] gy, float slope) {
        float[] out = new float[LONG];
        java.util.Arrays.fill(out, -7f);
        kernel.run(x, gy, slope, out);
        return out;
    }

    /** x and gy: every pair of special values, then normals, then a few special values again. */
    private static float[][] signData() {
        SplittableRandom r = new SplittableRandom(7);
        float[] x = new float[LONG];
        float[] gy = new float[LONG];
        int pairs = SPECIAL.length * SPECIAL.length;
        for (int i = 0; i < LONG; i++) {
            int s = i - K0;
            boolean special = s >= 0 && s < pairs;
            x[i] = special ? SPECIAL[s % SPECIAL.length] : (float) r.nextGaussian();
            gy[i] = special ? SPECIAL[s / SPECIAL.length] : (float) r.nextGaussian();
        }
        // The range's last elements, which the vector form leaves to its scalar tail, are special too.
        float[] lastX = {0f, -0f, Float.NaN, 0f};
        float[] lastGy = {-1f, 2f, 3f, -0f};
        for (int i = 0; i < lastX.length; i++) {
            x[K1 - lastX.length + i] = lastX[i];
            gy[K1 - lastX.length + i] = lastGy[i];
        }
        return new float[][] {x, gy};
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
