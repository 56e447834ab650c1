package org.trainer.core.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.trainer.core.backend.SpecialFunctions;
import org.trainer.core.backend.UnaryOp;

/**
 * {@link FloatFunctions} against the double definitions, in units in the last place of the correctly
 * rounded float (below float's least normal value, in units of its least subnormal value), over a
 * sweep of all float bit patterns (every sign and exponent, infinities and NaNs) and Gaussian values
 * at several scales; signed zeros are kept. {@link VectorFunctions} gives the scalar functions' bits,
 * over ranges whose ends are not whole vectors, and the float32 kernels' gradients of exp (bit for
 * bit), sigmoid and tanh (within 2 units in the last place) agree with the reference derivative
 * from the kernel's y.
 */
class FloatFunctionsTest {
    private static final double SQRT2 = Math.sqrt(2);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final float[] SPECIAL = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL,
        Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
        Float.intBitsToFloat(0xffc00001), 88.72283f, 88.72284f, -87.33655f, -103.97208f, -104f, 0.625f, -0.625f,
        1f, -1f, 16f, -16f, 13.2f, -13.2f, -0.7518f};

    /** The double definition of each function, its float kernel, and the bound in units in the last place. */
    private enum Function {
        EXP(Math::exp, FloatFunctions::exp, 1, 1),
        SIGMOID(x -> UnaryOp.SIGMOID.apply(x, 0), FloatFunctions::sigmoid, 2.5, 2.5),
        TANH(Math::tanh, FloatFunctions::tanh, 1.5, 1.5),
        // GELU's lower tail through erfc, which keeps its relative accuracy there (1 + erf would not).
        GELU(x -> x * 0.5 * SpecialFunctions.erfc(-x / SQRT2), FloatFunctions::gelu, 6, 12),
        // Measured against the size of its two terms: GELU' is 0 near x = -0.75, where they cancel.
        GELU_DERIVATIVE(x -> 0.5 * SpecialFunctions.erfc(-x / SQRT2) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI,
                FloatFunctions::geluDerivative, 6, 12);

        final DoubleUnaryOperator definition;
        final FloatOp kernel;
        final double normalBound;
        final double tinyBound;

        Function(DoubleUnaryOperator definition, FloatOp kernel, double normalBound, double tinyBound) {
            this.definition = definition;
            this.kernel = kernel;
            this.normalBound = normalBound;
            this.tinyBound = tinyBound;
        }

        double scale(double x, double want) {
            return this == GELU_DERIVATIVE
                    ? 0.5 * SpecialFunctions.erfc(-x / SQRT2) + Math.abs(x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI)
                    : want;
        }
    }

    @FunctionalInterface
    private interface FloatOp {
        float apply(float x);
    }

    @ParameterizedTest
    @EnumSource(Function.class)
    void withinAFewUnitsInTheLastPlaceOfTheDefinition(Function f) {
        for (float x : inputs()) {
            double want = f.definition.applyAsDouble(x);
            float got = f.kernel.apply(x);
            String where = f + "(" + x + ") = " + got + ", want " + want;
            if (Double.isNaN(want) || Float.isInfinite((float) want) || want == 0) {
                assertEquals(Float.floatToIntBits((float) want), Float.floatToIntBits(got), where);
                continue;
            }
            double scale = Math.abs(f.scale(x, want));
            double units = Math.abs(got - want) / Math.max(Math.ulp((float) scale), Float.MIN_VALUE);
            double bound = scale >= 0x1p-100 ? f.normalBound : f.tinyBound;
            assertTrue(units <= bound, where + ": " + units + " units in the last place");
        }
    }

    @ParameterizedTest
    @EnumSource(value = UnaryOp.class, names = {"EXP", "SIGMOID", "TANH", "GELU"})
    void vectorsGiveTheScalarBits(UnaryOp op) {
        float[] x = inputs();
        int k0 = 3;
        int k1 = x.length - 5;
        float[] scalar = new float[x.length];
        float[] vector = new float[x.length];
        FloatKernels.functions(op, x, scalar, k0, k1);
        VectorFunctions.apply(op, x, vector, k0, k1);
        sameBits(scalar, vector, x, op.toString());
        if (op == UnaryOp.GELU) {
            float[] gy = gaussians(x.length, 1, 5);
            FloatKernels.geluBackward(x, gy, scalar, k0, k1);
            VectorFunctions.geluBackward(x, gy, vector, k0, k1);
            sameBits(scalar, vector, x, "GELU'");
        }
    }

    /** exp's gradient bit for bit (its float product is exact), sigmoid's and tanh's within 2 units. */
    @ParameterizedTest
    @CsvSource({"EXP, 0", "SIGMOID, 2", "TANH, 2"})
    void gradientsFromYAgreeWithTheReferenceDerivative(UnaryOp op, double units) {
        float[] x = inputs();
        float[] gy = gaussians(x.length, 1, 6);
        float[] y = new float[x.length];
        float[] gx = new float[x.length];
        FloatKernels.unary(op, 0, x, y, 0, x.length);
        FloatKernels.unaryBackward(op, 0, x, y, gy, gx, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            double want = gy[i] * op.derivative(x[i], y[i], 0);
            String where = op + "'(" + x[i] + ") * " + gy[i] + " = " + gx[i] + ", want " + want;
            if (units == 0 || !Double.isFinite(want) || want == 0) {
                assertEquals(Float.floatToIntBits((float) want), Float.floatToIntBits(gx[i]), where);
            } else {
                assertTrue(Math.abs(gx[i] - want) <= units * Math.max(Math.ulp((float) want), Float.MIN_VALUE), where);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"-1, 1.8427007929497149", "0.5, 0.47950012218695346", "1, 0.15729920705028513",
        "2.5, 0.00040695201744495894", "3, 2.2090496998585441e-5", "5, 1.5374597944280349e-12",
        "10, 2.0884875837625448e-45", "26, 5.6631924088561428e-296"})
    void erfcMatchesMpmath(double x, double want) {
        // below 3 erfc is 1 - erf, within about 1e-15 absolute; from 3 on it keeps its relative accuracy
        assertEquals(want, SpecialFunctions.erfc(x), x < 3 ? 1e-15 : 1e-14 * want, "erfc(" + x + ")");
    }

    @Test
    void erfcOfSpecialValues() {
        assertEquals(0.0, SpecialFunctions.erfc(Double.POSITIVE_INFINITY));
        assertEquals(2.0, SpecialFunctions.erfc(Double.NEGATIVE_INFINITY));
        assertTrue(Double.isNaN(SpecialFunctions.erfc(Double.NaN)));
    }

    /** Special values, a sweep of bit patterns, and Gaussians at scales 1, 10 and 100. */
    private static float[] inputs() {
        int sweep = 1 << 16;
        float[] x = new float[SPECIAL.length + sweep + 3 * 20_000];
        System.arraycopy(SPECIAL, 0, x, 0, SPECIAL.length);
        for (int i = 0; i < sweep; i++) {
            x[SPECIAL.length + i] = Float.intBitsToFloat(i * 65_537 + 12_345);
        }
        int at = SPECIAL.length + sweep;
        for (int scale = 1; scale <= 100; scale *= 10) {
            System.arraycopy(gaussians(20_000, scale, scale), 0, x, at, 20_000);
            at += 20_000;
        }
        return x;
    }

    private static float[] gaussians(int n, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (scale * r.nextGaussian());
        }
        return v;
    }

    private static void sameBits(float[] want, float[] got, float[] x, String what) {
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), what + "(" + x[i] + ") at " + i);
        }
    }
}
