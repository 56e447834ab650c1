package org.trainer.core.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.trainer.core.backend.BinaryOp;

/**
 * Float rows compared with a scalar threshold by the Vector API, a compare and a blend per vector,
 * without the branch that a scalar loop mispredicts on random data: a dropout mask's uniform draws
 * against the keep probability, and the sign tests of ReLU's gradient and of leaky ReLU (both ways),
 * which the JIT does not vectorise as scalar loops. Loaded only when {@link VectorSupport#present()}.
 */
final class VectorThreshold {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorThreshold() {
    }

    /**
     * o[oo + j] = a[ao + j] (op) t ? 1 : 0 for j in [0, n), op one of GE, GT, LT, LE; NaN gives 0, as
     * the scalar comparison. One loop per operator: the Vector API compiles a comparison to an
     * instruction only when its operator is a constant.
     */
    static void compare(BinaryOp op, float[] a, int ao, float t, float[] o, int oo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        int j = 0;
        int end = S.loopBound(n);
        switch (op) {
            case GE -> {
                for (; j < end; j += S.length()) {
                    zero.blend(one, FloatVector.fromArray(S, a, ao + j).compare(VectorOperators.GE, t)).intoArray(o, oo + j);
                }
            }
            case GT -> {
                for (; j < end; j += S.length()) {
                    zero.blend(one, FloatVector.fromArray(S, a, ao + j).compare(VectorOperators.GT, t)).intoArray(o, oo + j);
                }
            }
            case LT -> {
                for (; j < end; j += S.length()) {
                    zero.blend(one, FloatVector.fromArray(S, a, ao + j).compare(VectorOperators.LT, t)).intoArray(o, oo + j);
                }
            }
            case LE -> {
                for (; j < end; j += S.length()) {
                    zero.blend(one, FloatVector.fromArray(S, a, ao + j).compare(VectorOperators.LE, t)).intoArray(o, oo + j);
                }
            }
            default -> throw new IllegalArgumentException("compare: op must be GE, GT, LT or LE, got " + op);
        }
        for (; j < n; j++) {
            o[oo + j] = (float) op.apply(a[ao + j], t);
        }
    }

    /** {@link #compare} of two rows: o[oo + j] = a[ao + j] (op) b[bo + j] ? 1 : 0. */
    static void compare(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        int j = 0;
        int end = S.loopBound(n);
        switch (op) {
            case GE -> {
                for (; j < end; j += S.length()) {
                    FloatVector x = FloatVector.fromArray(S, a, ao + j);
                    zero.blend(one, x.compare(VectorOperators.GE, FloatVector.fromArray(S, b, bo + j))).intoArray(o, oo + j);
                }
            }
            case GT -> {
                for (; j < end; j += S.length()) {
                    FloatVector x = FloatVector.fromArray(S, a, ao + j);
                    zero.blend(one, x.compare(VectorOperators.GT, FloatVector.fromArray(S, b, bo + j))).intoArray(o, oo + j);
                }
            }
            case LT -> {
                for (; j < end; j += S.length()) {
                    FloatVector x = FloatVector.fromArray(S, a, ao + j);
                    zero.blend(one, x.compare(VectorOperators.LT, FloatVector.fromArray(S, b, bo + j))).intoArray(o, oo + j);
                }
            }
            case LE -> {
                for (; j < end; j += S.length()) {
                    FloatVector x = FloatVector.fromArray(S, a, ao + j);
                    zero.blend(one, x.compare(VectorOperators.LE, FloatVector.fromArray(S, b, bo + j))).intoArray(o, oo + j);
                }
            }
            default -> throw new IllegalArgumentException("compare: op must be GE, GT, LT or LE, got " + op);
        }
        for (; j < n; j++) {
            o[oo + j] = (float) op.apply(a[ao + j], b[bo + j]);
        }
    }

    /** o[oo + j] = c[co + j] != 0 ? a[ao + j] : b[bo + j] for j in [0, n) (a NaN condition picks a, as != does). */
    static void select(float[] c, int co, float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
        int j = 0;
        for (int end = S.loopBound(n); j < end; j += S.length()) {
            FloatVector x = FloatVector.fromArray(S, a, ao + j);
            VectorMask<Float> pick = FloatVector.fromArray(S, c, co + j).compare(VectorOperators.NE, 0f);
            FloatVector.fromArray(S, b, bo + j).blend(x, pick).intoArray(o, oo + j);
        }
        for (; j < n; j++) {
            o[oo + j] = c[co + j] != 0 ? a[ao + j] : b[bo + j];
        }
    }

    /** y[k] = x[k] &gt; 0 ? x[k] : p * x[k] for k in [k0, k1); NaN and -0 take p * x, as the scalar test. */
    static void leakyRelu(float[] x, float p, float[] y, int k0, int k1) {
        int k = k0;
        for (int end = k0 + S.loopBound(k1 - k0); k < end; k += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, k);
            v.mul(p).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, k);
        }
        for (; k < k1; k++) {
            y[k] = x[k] > 0 ? x[k] : p * x[k];
        }
    }

    /** gx[k] = x[k] &gt; 0 ? gy[k] : p * gy[k] for k in [k0, k1): leaky ReLU's gradient. */
    static void leakyReluBackward(float[] x, float[] gy, float p, float[] gx, int k0, int k1) {
        int k = k0;
        for (int end = k0 + S.loopBound(k1 - k0); k < end; k += S.length()) {
            FloatVector g = FloatVector.fromArray(S, gy, k);
            FloatVector v = FloatVector.fromArray(S, x, k);
            g.mul(p).blend(g, v.compare(VectorOperators.GT, 0f)).intoArray(gx, k);
        }
        for (; k < k1; k++) {
            gx[k] = x[k] > 0 ? gy[k] : p * gy[k];
        }
    }

    /** gx[k] = x[k] &gt; 0 ? gy[k] : 0 for k in [k0, k1): ReLU's gradient. */
    static void reluBackward(float[] x, float[] gy, float[] gx, int k0, int k1) {
        FloatVector zero = FloatVector.zero(S);
        int k = k0;
        for (int end = k0 + S.loopBound(k1 - k0); k < end; k += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, k);
            zero.blend(FloatVector.fromArray(S, gy, k), v.compare(VectorOperators.GT, 0f)).intoArray(gx, k);
        }
        for (; k < k1; k++) {
            gx[k] = x[k] > 0 ? gy[k] : 0f;
        }
    }
}
