package org.trainer.core.backend.cpu;

import static org.trainer.core.backend.cpu.FloatFunctions.C0;
import static org.trainer.core.backend.cpu.FloatFunctions.C1;
import static org.trainer.core.backend.cpu.FloatFunctions.C2;
import static org.trainer.core.backend.cpu.FloatFunctions.C3;
import static org.trainer.core.backend.cpu.FloatFunctions.C4;
import static org.trainer.core.backend.cpu.FloatFunctions.C5;
import static org.trainer.core.backend.cpu.FloatFunctions.E0;
import static org.trainer.core.backend.cpu.FloatFunctions.E1;
import static org.trainer.core.backend.cpu.FloatFunctions.E2;
import static org.trainer.core.backend.cpu.FloatFunctions.E3;
import static org.trainer.core.backend.cpu.FloatFunctions.E4;
import static org.trainer.core.backend.cpu.FloatFunctions.M0;
import static org.trainer.core.backend.cpu.FloatFunctions.M1;
import static org.trainer.core.backend.cpu.FloatFunctions.M2;
import static org.trainer.core.backend.cpu.FloatFunctions.M3;
import static org.trainer.core.backend.cpu.FloatFunctions.M4;
import static org.trainer.core.backend.cpu.FloatFunctions.M5;
import static org.trainer.core.backend.cpu.FloatFunctions.M6;
import static org.trainer.core.backend.cpu.FloatFunctions.M7;
import static org.trainer.core.backend.cpu.FloatFunctions.M8;
import static org.trainer.core.backend.cpu.FloatFunctions.T0;
import static org.trainer.core.backend.cpu.FloatFunctions.T1;
import static org.trainer.core.backend.cpu.FloatFunctions.T2;
import static org.trainer.core.backend.cpu.FloatFunctions.T3;
import static org.trainer.core.backend.cpu.FloatFunctions.T4;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.trainer.core.backend.UnaryOp;

/**
 * {@link FloatFunctions} a vector at a time, step for step, so that every lane gives the scalar
 * function's bits (the tests check this bit for bit); the elements past the last full vector take
 * the scalar functions. Loaded only when {@code jdk.incubator.vector} is in the boot layer.
 *
 * <p>Each function runs in passes over chunks of {@link #CHUNK} elements (its argument to exp, exp in
 * place, then the rest), each pass a loop of its own with no call that returns a vector: C2 boxes a
 * vector that crosses a call it does not inline, and it does not inline a vector helper once that
 * helper has been compiled on its own (as the warm-up's first calls make happen), which cost 5-10x.
 */
final class VectorFunctions {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Elements a pass covers before the next pass runs: its scratch stays in the first-level cache. */
    private static final int CHUNK = 512;

    private VectorFunctions() {
    }

    /** y = op(x) over [k0, k1) for op EXP, SIGMOID, TANH or GELU. */
    static void apply(UnaryOp op, float[] x, float[] y, int k0, int k1) {
        int full = k0 + (k1 - k0) / L * L;
        float[] t = op == UnaryOp.EXP ? null : new float[Math.min(CHUNK, full - k0)];
        for (int c0 = k0; c0 < full; c0 += CHUNK) {
            int n = Math.min(CHUNK, full - c0);
            switch (op) {
                case EXP -> exp(x, c0, y, c0, n);
                case SIGMOID -> {
                    scaledAbs(x, c0, -1f, t, n);
                    exp(t, 0, t, 0, n);
                    sigmoid(x, c0, t, y, n);
                }
                case TANH -> {
                    scaledAbs(x, c0, 2f, t, n);
                    exp(t, 0, t, 0, n);
                    tanh(x, c0, t, y, n);
                }
                case GELU -> {
                    halfSquare(x, c0, t, n);
                    exp(t, 0, t, 0, n);
                    gelu(x, c0, t, null, y, n);
                }
                default -> throw new IllegalArgumentException("op: " + op + " has no vector function");
            }
        }
        FloatKernels.functions(op, x, y, full, k1);
    }

    /** gx = gy * GELU'(x) over [k0, k1). */
    static void geluBackward(float[] x, float[] gy, float[] gx, int k0, int k1) {
        int full = k0 + (k1 - k0) / L * L;
        float[] t = new float[Math.min(CHUNK, full - k0)];
        for (int c0 = k0; c0 < full; c0 += CHUNK) {
            int n = Math.min(CHUNK, full - c0);
            halfSquare(x, c0, t, n);
            exp(t, 0, t, 0, n);
            gelu(x, c0, t, gy, gx, n);
        }
        FloatKernels.geluBackward(x, gy, gx, full, k1);
    }

    /** y[yo + j] = e^x[xo + j] for j in [0, n), n a whole number of vectors; y may be x. */
    private static void exp(float[] x, int xo, float[] y, int yo, int n) {
        for (int j = 0; j < n; j += L) {
            FloatVector c = FloatVector.fromArray(S, x, xo + j).max(FloatFunctions.EXP_MIN).min(FloatFunctions.EXP_MAX);
            FloatVector shifted = c.fma(FloatFunctions.LOG2E, FloatFunctions.ROUND);
            FloatVector k = shifted.sub(FloatFunctions.ROUND);
            FloatVector r = k.fma(broadcast(-FloatFunctions.LN2_HI), c);
            r = k.fma(broadcast(-FloatFunctions.LN2_LO), r);
            FloatVector q = r.fma(E4, E3).fma(r, broadcast(E2)).fma(r, broadcast(E1)).fma(r, broadcast(E0));
            FloatVector p = r.mul(r).fma(q, r).add(1f);
            IntVector e = ((IntVector) shifted.reinterpretAsInts()).sub(FloatFunctions.ROUND_BITS);
            IntVector half = e.lanewise(VectorOperators.ASHR, 1);
            IntVector rest = e.sub(half);
            FloatVector twoToHalf = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector twoToRest = rest.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            p.mul(twoToHalf).mul(twoToRest).intoArray(y, yo + j);
        }
    }

    /** t[j] = scale * |x[xo + j]|: exp's argument for sigmoid (scale -1) and tanh (scale 2). */
    private static void scaledAbs(float[] x, int xo, float scale, float[] t, int n) {
        for (int j = 0; j < n; j += L) {
            FloatVector.fromArray(S, x, xo + j).abs().mul(scale).intoArray(t, j);
        }
    }

    /** t[j] = -a^2 / 2 with a = min(|x[xo + j]|, 16): exp's argument for GELU's Gaussian. */
    private static void halfSquare(float[] x, int xo, float[] t, int n) {
        for (int j = 0; j < n; j += L) {
            FloatVector a = FloatVector.fromArray(S, x, xo + j).abs().min(FloatFunctions.PHI_CLAMP);
            a.mul(a).mul(-0.5f).intoArray(t, j);
        }
    }

    /** y = 1 / (1 + e) or e / (1 + e) by x's sign, given e = e^-|x| in t. */
    private static void sigmoid(float[] x, int xo, float[] t, float[] y, int n) {
        FloatVector one = broadcast(1f);
        for (int j = 0; j < n; j += L) {
            FloatVector e = FloatVector.fromArray(S, t, j);
            one.blend(e, FloatVector.fromArray(S, x, xo + j).lt(0f)).div(e.add(1f)).intoArray(y, xo + j);
        }
    }

    /** y = tanh x from the polynomial or 1 - 2 / (e + 1), given e = e^(2|x|) in t. */
    private static void tanh(float[] x, int xo, float[] t, float[] y, int n) {
        FloatVector one = broadcast(1f);
        for (int j = 0; j < n; j += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + j);
            FloatVector a = v.abs();
            FloatVector u = a.mul(a);
            FloatVector p = u.fma(T4, T3).fma(u, broadcast(T2)).fma(u, broadcast(T1)).fma(u, broadcast(T0));
            FloatVector small = a.mul(u).fma(p, a);
            FloatVector large = one.sub(broadcast(2f).div(FloatVector.fromArray(S, t, j).add(one)));
            FloatVector magnitude = large.blend(small, a.lt(FloatFunctions.TANH_SMALL));
            IntVector sign = ((IntVector) v.reinterpretAsInts()).and(0x80000000);
            ((IntVector) magnitude.reinterpretAsInts()).or(sign).reinterpretAsFloats().intoArray(y, xo + j);
        }
    }

    /**
     * GELU (gy null: out = x Phi(x)) or its gradient (out = gy (Phi(x) + x phi(x))), given
     * e^(-a^2 / 2) for the rounded square in t; the square's rounding error is applied here.
     */
    private static void gelu(float[] x, int xo, float[] t, float[] gy, float[] out, int n) {
        FloatVector one = broadcast(1f);
        for (int j = 0; j < n; j += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + j);
            FloatVector a = v.abs().min(FloatFunctions.PHI_CLAMP);
            FloatVector low = a.fma(a, a.mul(a).neg());
            FloatVector g = FloatVector.fromArray(S, t, j).mul(low.fma(-0.5f, 1f));
            FloatVector u = v.mul(v);
            FloatVector central = v.fma(u.fma(C5, C4).fma(u, broadcast(C3)).fma(u, broadcast(C2)).fma(u, broadcast(C1))
                    .fma(u, broadcast(C0)), broadcast(0.5f));
            FloatVector s = one.div(a.fma(0.25f, 1f));
            FloatVector m = s.fma(M8, M7).fma(s, broadcast(M6)).fma(s, broadcast(M5)).fma(s, broadcast(M4))
                    .fma(s, broadcast(M3)).fma(s, broadcast(M2)).fma(s, broadcast(M1)).fma(s, broadcast(M0));
            FloatVector lower = g.mul(m);
            FloatVector tail = one.sub(lower).blend(lower, v.lt(0f));
            FloatVector cdf = tail.blend(central, a.lt(FloatFunctions.PHI_SPLIT));
            if (gy == null) {
                v.mul(cdf).intoArray(out, xo + j);
            } else {
                FloatVector d = v.fma(g.mul(FloatFunctions.INV_SQRT_2PI), cdf);
                FloatVector.fromArray(S, gy, xo + j).mul(d).intoArray(out, xo + j);
            }
        }
    }

    private static FloatVector broadcast(float v) {
        return FloatVector.broadcast(S, v);
    }
}
