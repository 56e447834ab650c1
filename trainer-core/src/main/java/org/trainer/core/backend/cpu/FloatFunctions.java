package org.trainer.core.backend.cpu;

/**
 * float32 exp, sigmoid, tanh and GELU (and GELU's derivative) for the CPU kernels, one element at a
 * time. {@link VectorFunctions} computes the same functions a vector at a time with the same steps,
 * so both give the same bits: each step is an IEEE operation that rounds alike in a scalar or a
 * vector lane (add, multiply, fused multiply-add, divide, min, max, bit operations) and the choice
 * between two formulas is a blend, never a branch on data (random signs or magnitudes mispredict).
 * A result therefore does not depend on whether, or when, the Vector API is used.
 *
 * <p>The double reference definitions in {@code UnaryOp} cost 11-60 ns an element (Math.exp,
 * Math.tanh, an erf series); these are within a few units in the last place of them (the tests bound
 * each function's error), with polynomial coefficients fitted for the purpose by
 * {@code reference/functions/fit_float_functions.py} in the test resources.
 */
final class FloatFunctions {
    /** log2(e). */
    static final float LOG2E = 1.44269504f;
    /** ln 2 in two parts: the float nearest to it and the rest. */
    static final float LN2_HI = 0.693147182f;
    static final float LN2_LO = -1.90465421e-9f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer in the low bits. */
    static final float ROUND = 12582912f;
    static final int ROUND_BITS = 0x4b400000;
    /** exp's argument is clamped to [EXP_MIN, EXP_MAX]: e^x is 0 below and infinite above. */
    static final float EXP_MIN = -104f;
    static final float EXP_MAX = 89f;
    /** e^r = 1 + r + r^2 (E0 + E1 r + ... + E4 r^4) for |r| <= ln(2) / 2. */
    static final float E0 = 0.4999999403953552f;
    static final float E1 = 0.16666515171527863f;
    static final float E2 = 0.04166845604777336f;
    static final float E3 = 0.008369418792426586f;
    static final float E4 = 0.0013813144760206342f;
    /** Below this |x|, tanh x = x + x^3 (T0 + T1 x^2 + ... + T4 x^8); above, 1 - 2 / (e^(2|x|) + 1). */
    static final float TANH_SMALL = 0.625f;
    static final float T0 = -0.3333328068256378f;
    static final float T1 = 0.13331441581249237f;
    static final float T2 = -0.05373971536755562f;
    static final float T3 = 0.0206390880048275f;
    static final float T4 = -0.005704987328499556f;
    /** For |x| below 1, Phi(x) = 1/2 + x (C0 + C1 x^2 + ... + C5 x^10). */
    static final float C0 = 0.3989422917366028f;
    static final float C1 = -0.06649031490087509f;
    static final float C2 = 0.009973078034818172f;
    static final float C3 = -0.00118578493129462f;
    static final float C4 = 0.00011295217700535432f;
    static final float C5 = -7.4628956099331845e-06f;
    /**
     * For a = |x| from 1 on, Phi(-a) = e^(-a^2/2) (M0 + M1 t + ... + M8 t^8) with t = 1 / (1 + a / 4):
     * the lower tail from its own formula, so that GELU keeps its relative accuracy for negative x,
     * where 1 + erf(x / sqrt 2) would cancel.
     */
    static final float M0 = 3.3941607853194e-06f;
    static final float M1 = 0.09967044740915298f;
    static final float M2 = 0.10021629929542542f;
    static final float M3 = 0.09199591726064682f;
    static final float M4 = 0.08094962686300278f;
    static final float M5 = 0.07920714467763901f;
    static final float M6 = -0.008266904391348362f;
    static final float M7 = 0.10074568539857864f;
    static final float M8 = -0.04454941302537918f;
    /** Where the tail formula takes over, and where a is clamped (Phi(-16) is below float's least value). */
    static final float PHI_SPLIT = 1f;
    static final float PHI_CLAMP = 16f;
    /** 1 / sqrt(2 pi), the normal density at 0. */
    static final float INV_SQRT_2PI = 0.398942280f;

    private static final int SIGN = 0x80000000;
    private static final int ONE = Float.floatToRawIntBits(1f);

    private FloatFunctions() {
    }

    /**
     * e^x: x = n ln 2 + r with n = round(x / ln 2) and |r| <= ln(2) / 2 (ln 2 in two parts), a
     * polynomial in r, and 2^n applied as two factors 2^(n/2) so that results near overflow and in
     * the subnormal range round once. NaN gives NaN, -inf 0, +inf +inf.
     */
    static float exp(float x) {
        float c = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
        float shifted = Math.fma(c, LOG2E, ROUND);
        float n = shifted - ROUND;
        float r = Math.fma(n, -LN2_HI, c);
        r = Math.fma(n, -LN2_LO, r);
        float q = Math.fma(Math.fma(Math.fma(Math.fma(E4, r, E3), r, E2), r, E1), r, E0);
        float p = Math.fma(r * r, q, r) + 1f;
        int k = Float.floatToRawIntBits(shifted) - ROUND_BITS;
        int half = k >> 1;
        return p * Float.intBitsToFloat(half + 127 << 23) * Float.intBitsToFloat(k - half + 127 << 23);
    }

    /** 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) below, as e / (1 + e) with e = e^-|x|: never overflows. */
    static float sigmoid(float x) {
        float e = exp(-Math.abs(x));
        int negative = Float.floatToRawIntBits(x) >> 31;
        return select(negative, e, Float.intBitsToFloat(ONE)) / (1f + e);
    }

    /** tanh x, from the polynomial below {@link #TANH_SMALL} and 1 - 2 / (e^(2|x|) + 1) above, with x's sign. */
    static float tanh(float x) {
        float a = Math.abs(x);
        float u = a * a;
        float small = Math.fma(a * u, Math.fma(Math.fma(Math.fma(Math.fma(T4, u, T3), u, T2), u, T1), u, T0), a);
        float large = 1f - 2f / (exp(2f * a) + 1f);
        float magnitude = select(below(a, TANH_SMALL), small, large);
        return Float.intBitsToFloat(Float.floatToRawIntBits(magnitude) | Float.floatToRawIntBits(x) & SIGN);
    }

    /** GELU(x) = x Phi(x), Phi the standard normal distribution function (PyTorch's exact GELU). */
    static float gelu(float x) {
        float a = Math.min(Math.abs(x), PHI_CLAMP);
        return x * cdf(x, a, gaussian(a));
    }

    /** GELU'(x) = Phi(x) + x phi(x), phi the standard normal density. */
    static float geluDerivative(float x) {
        float a = Math.min(Math.abs(x), PHI_CLAMP);
        float g = gaussian(a);
        return Math.fma(x, g * INV_SQRT_2PI, cdf(x, a, g));
    }

    /**
     * e^(-a^2 / 2), with a^2 taken as two floats (the rounded square and its rounding error) so that
     * the square's rounding (13 units in the last place of the result at a = 5) does not reach it.
     */
    private static float gaussian(float a) {
        float square = a * a;
        float low = Math.fma(a, a, -square);
        return exp(-0.5f * square) * Math.fma(-0.5f, low, 1f);
    }

    /** Phi(x) given a = min(|x|, {@link #PHI_CLAMP}) and g = e^(-a^2 / 2). */
    private static float cdf(float x, float a, float g) {
        float u = x * x;
        float central = Math.fma(x, Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(C5, u, C4), u, C3), u, C2), u, C1),
                u, C0), 0.5f);
        float t = 1f / Math.fma(a, 0.25f, 1f);
        float lower = g * Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(M8, t, M7), t, M6),
                t, M5), t, M4), t, M3), t, M2), t, M1), t, M0);
        float tail = select(Float.floatToRawIntBits(x) >> 31, lower, 1f - lower);
        return select(below(a, PHI_SPLIT), central, tail);
    }

    /** -1 (all bits) where the non-negative or NaN a is below the positive limit, else 0; NaN is not below. */
    private static int below(float a, float limit) {
        return Float.floatToRawIntBits(a) - Float.floatToRawIntBits(limit) >> 31;
    }

    /** ifSet where mask is -1, otherwise where it is 0: a blend of bits, without a branch. */
    private static float select(int mask, float ifSet, float otherwise) {
        return Float.intBitsToFloat(mask & Float.floatToRawIntBits(ifSet) | ~mask & Float.floatToRawIntBits(otherwise));
    }
}
