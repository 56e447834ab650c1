package org.trainer.core.backend.cpu;

import org.trainer.core.backend.BinaryOp;
import org.trainer.core.backend.UnaryOp;

/**
 * float32 elementwise loops. The hot ops get loops of their own that the JIT vectorises; exp,
 * sigmoid, tanh and GELU take {@link FloatFunctions} (on vectors through {@link VectorFunctions}
 * once those are compiled); the rest evaluate the reference scalar definition in double and round
 * once.
 */
final class FloatKernels {
    /**
     * Whether a row against a threshold (comparisons, as a dropout mask is drawn; {@code where}; the
     * sign tests of ReLU's gradient and of leaky ReLU) runs on the Vector API's compare and blend
     * ({@link VectorThreshold}) instead of a scalar loop (with a branch, or masks the JIT does not
     * vectorise).
     */
    private static final boolean VECTOR_THRESHOLD = VectorSupport.present();

    /** The ops of {@link FloatFunctions}, which {@link VectorFunctions} computes too. */
    static final UnaryOp[] FUNCTIONS = {UnaryOp.EXP, UnaryOp.SIGMOID, UnaryOp.TANH, UnaryOp.GELU};

    /** Set by the functions' warm-up once {@link VectorFunctions} beat the scalar loops (C2 has compiled them). */
    private static volatile boolean functionsCompiled;

    private FloatKernels() {
    }

    static void unary(UnaryOp op, float p, float[] x, float[] y, int k0, int k1) {
        switch (op) {
            case RELU -> {
                for (int k = k0; k < k1; k++) {
                    y[k] = Math.max(x[k], 0f);
                }
            }
            case LEAKY_RELU -> {
                // x where x > 0, else p * x (the reference's double product of two floats is exact, so
                // rounding it gives the float product), chosen by a mask: as a branch, on random signs,
                // it was 20x slower than RELU.
                if (signsOnVectors()) {
                    VectorThreshold.leakyRelu(x, p, y, k0, k1);
                } else {
                    leakyRelu(x, p, y, k0, k1);
                }
            }
            case NEG -> {
                for (int k = k0; k < k1; k++) {
                    y[k] = -x[k];
                }
            }
            // The reference's double min, max and abs of floats are exact, so float ones give its results.
            case ABS -> {
                for (int k = k0; k < k1; k++) {
                    y[k] = Math.abs(x[k]);
                }
            }
            case CLAMP_MAX -> {
                for (int k = k0; k < k1; k++) {
                    y[k] = Math.min(x[k], p);
                }
            }
            case CLAMP_MIN -> {
                for (int k = k0; k < k1; k++) {
                    y[k] = Math.max(x[k], p);
                }
            }
            case SCALE -> {
                for (int k = k0; k < k1; k++) {
                    y[k] = x[k] * p;
                }
            }
            case SHIFT -> {
                for (int k = k0; k < k1; k++) {
                    y[k] = x[k] + p;
                }
            }
            case EXP, SIGMOID, TANH, GELU -> {
                if (functionsOnVectors()) {
                    VectorFunctions.apply(op, x, y, k0, k1);
                } else {
                    functions(op, x, y, k0, k1);
                }
            }
            default -> {
                for (int k = k0; k < k1; k++) {
                    y[k] = (float) op.apply(x[k], p);
                }
            }
        }
    }

    /** y = op(x) over [k0, k1) by {@link FloatFunctions}, for op EXP, SIGMOID, TANH or GELU. */
    static void functions(UnaryOp op, float[] x, float[] y, int k0, int k1) {
        switch (op) {
            case EXP -> {
                for (int k = k0; k < k1; k++) {
                    y[k] = FloatFunctions.exp(x[k]);
                }
            }
            case SIGMOID -> {
                for (int k = k0; k < k1; k++) {
                    y[k] = FloatFunctions.sigmoid(x[k]);
                }
            }
            case TANH -> {
                for (int k = k0; k < k1; k++) {
                    y[k] = FloatFunctions.tanh(x[k]);
                }
            }
            case GELU -> {
                for (int k = k0; k < k1; k++) {
                    y[k] = FloatFunctions.gelu(x[k]);
                }
            }
            default -> throw new IllegalArgumentException("op: " + op + " is not one of FloatFunctions'");
        }
    }

    /** gx = gy * GELU'(x) over [k0, k1) by {@link FloatFunctions#geluDerivative}. */
    static void geluBackward(float[] x, float[] gy, float[] gx, int k0, int k1) {
        for (int k = k0; k < k1; k++) {
            gx[k] = gy[k] * FloatFunctions.geluDerivative(x[k]);
        }
    }

    static void unaryBackward(UnaryOp op, float p, float[] x, float[] y, float[] gy, float[] gx, int k0, int k1) {
        switch (op) {
            case RELU -> {
                // Branch-free: with random signs a branch mispredicts half the time, which cost ~4 ns
                // an element.
                if (signsOnVectors()) {
                    VectorThreshold.reluBackward(x, gy, gx, k0, k1);
                } else {
                    reluBackward(x, gy, gx, k0, k1);
                }
            }
            case LEAKY_RELU -> {
                if (signsOnVectors()) {
                    VectorThreshold.leakyReluBackward(x, gy, p, gx, k0, k1);
                } else {
                    leakyReluBackward(x, gy, p, gx, k0, k1);
                }
            }
            case SCALE -> {
                for (int k = k0; k < k1; k++) {
                    gx[k] = gy[k] * p;
                }
            }
            case ABS -> {
                // gy * sign(x) (the double product of two floats is exact, so the float one rounds
                // alike), the sign without branches: +-1 with x's sign bit where |x| > 0 and x is not
                // NaN, else x itself (+-0, NaN), as Math.signum gives.
                for (int k = k0; k < k1; k++) {
                    int bits = Float.floatToRawIntBits(x[k]);
                    int unit = (bits & 0x80000000) | 0x3f800000;
                    gx[k] = gy[k] * select(positiveMask(bits & 0x7fffffff), unit, x[k]);
                }
            }
            case CLAMP_MAX, CLAMP_MIN -> {
                if (signsOnVectors() && gx != gy) {
                    // gy * (1 where x passes, else 0): the 0/1 factor by a vector comparison into gx, then
                    // the products (gy * 0 keeps the reference's signed zeros and NaNs).
                    BinaryOp passes = op == UnaryOp.CLAMP_MAX ? BinaryOp.LE : BinaryOp.GE;
                    VectorThreshold.compare(passes, x, k0, p, gx, k0, k1 - k0);
                    for (int k = k0; k < k1; k++) {
                        gx[k] = gy[k] * gx[k];
                    }
                    return;
                }
                reference(op, p, x, y, gy, gx, k0, k1);
            }
            // The derivatives from y in float, loops the JIT vectorises (in double they took 2 ns an element).
            case EXP -> {
                // the double product of two floats is exact, so the float product rounds alike
                for (int k = k0; k < k1; k++) {
                    gx[k] = gy[k] * y[k];
                }
            }
            case SIGMOID -> {
                // y (1 - y): 1 - y is exact for y >= 1/2, and rounds without cancelling below
                for (int k = k0; k < k1; k++) {
                    float v = y[k];
                    gx[k] = gy[k] * (v * (1f - v));
                }
            }
            case TANH -> {
                // 1 - y^2 as (1 - y)(1 + y): the factor near 0 is exact where |y| >= 1/2, so a y near
                // +-1 keeps its relative accuracy (1 - y * y would cancel the rounding of y * y)
                for (int k = k0; k < k1; k++) {
                    float v = y[k];
                    gx[k] = gy[k] * ((1f - v) * (1f + v));
                }
            }
            case GELU -> {
                if (functionsOnVectors()) {
                    VectorFunctions.geluBackward(x, gy, gx, k0, k1);
                } else {
                    geluBackward(x, gy, gx, k0, k1);
                }
            }
            default -> reference(op, p, x, y, gy, gx, k0, k1);
        }
    }

    /** gx = gy * op's derivative, evaluated in double and rounded once. */
    private static void reference(UnaryOp op, float p, float[] x, float[] y, float[] gy, float[] gx, int k0, int k1) {
        for (int k = k0; k < k1; k++) {
            gx[k] = (float) (gy[k] * op.derivative(x[k], y[k], p));
        }
    }

    /**
     * Whether exp, sigmoid, tanh and GELU run on {@link VectorFunctions}: once their warm-up
     * ({@link KernelWarmUp#startFunctionsOnce}, started here once the Vector API is loaded anyway) has
     * seen C2 compile them; until then, and without the warm-up, on {@link FloatFunctions}, whose bits
     * they are.
     */
    private static boolean functionsOnVectors() {
        if (functionsCompiled) {
            return true;
        }
        if (signsOnVectors()) {
            KernelWarmUp.startFunctionsOnce();
        }
        return false;
    }

    /**
     * Lets exp, sigmoid, tanh and GELU run on {@link VectorFunctions} from now on, or (false, for
     * tests) on {@link FloatFunctions} again; see {@link #functionsOnVectors}.
     */
    static void functionsCompiled(boolean compiled) {
        functionsCompiled = compiled;
    }

    /** Whether {@link #functionsCompiled(boolean)} last said true. */
    static boolean functionsCompiled() {
        return functionsCompiled;
    }

    /**
     * Whether the sign tests of ReLU's gradient and of leaky ReLU, and clamp's gradient, run on
     * {@link VectorThreshold}: once the Vector API is loaded anyway, so that a small model's first
     * steps do not load it for them.
     */
    private static boolean signsOnVectors() {
        return VECTOR_THRESHOLD && VectorSupport.loaded();
    }

    /**
     * o[oo + j] = c[co + j] != 0 ? a[ao + j] : b[bo + j] for j in [0, n), {@code Tensor.where} on float32
     * rows: on the Vector API a compare and a blend instead of a branch on random conditions.
     */
    static void select(float[] c, int co, float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
        if (VECTOR_THRESHOLD) {
            VectorThreshold.select(c, co, a, ao, b, bo, o, oo, n);
            return;
        }
        for (int j = 0; j < n; j++) {
            o[oo + j] = c[co + j] != 0 ? a[ao + j] : b[bo + j];
        }
    }

    /** {@link VectorThreshold#leakyRelu} without the Vector API (or before it is loaded): the sign test as a mask. */
    static void leakyRelu(float[] x, float p, float[] y, int k0, int k1) {
        for (int k = k0; k < k1; k++) {
            int bits = Float.floatToRawIntBits(x[k]);
            y[k] = select(positiveMask(bits), bits, x[k] * p);
        }
    }

    /** {@link VectorThreshold#leakyReluBackward} without the Vector API. */
    static void leakyReluBackward(float[] x, float[] gy, float p, float[] gx, int k0, int k1) {
        for (int k = k0; k < k1; k++) {
            gx[k] = select(positiveMask(Float.floatToRawIntBits(x[k])), Float.floatToRawIntBits(gy[k]), gy[k] * p);
        }
    }

    /** {@link VectorThreshold#reluBackward} without the Vector API. */
    static void reluBackward(float[] x, float[] gy, float[] gx, int k0, int k1) {
        for (int k = k0; k < k1; k++) {
            int keep = positiveMask(Float.floatToRawIntBits(x[k]));
            gx[k] = Float.intBitsToFloat(Float.floatToRawIntBits(gy[k]) & keep);
        }
    }

    /**
     * All ones where the float with these bits is > 0, else zero: x > 0 exactly when its bits lie in
     * [1, 0x7F800000] (NaN and -0 excluded), so the sign of (-bits) &amp; (bits - 0x7F800001) gives it.
     */
    private static int positiveMask(int bits) {
        return (-bits & (bits - 0x7F800001)) >> 31;
    }

    /** The float with bits {@code ifSet} where {@code mask} is all ones, else {@code otherwise}. */
    private static float select(int mask, int ifSet, float otherwise) {
        return Float.intBitsToFloat((ifSet & mask) | (Float.floatToRawIntBits(otherwise) & ~mask));
    }

    /** o[oo + j] = op(a[ao + j*sa], b[bo + j*sb]) for j in [0, n); sa and sb are 0 or 1 on fast paths. */
    static void binary(BinaryOp op, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] o, int oo, int n) {
        if (sa == 1 && sb == 1) {
            switch (op) {
                case ADD -> {
                    for (int j = 0; j < n; j++) {
                        o[oo + j] = a[ao + j] + b[bo + j];
                    }
                    return;
                }
                case SUB -> {
                    for (int j = 0; j < n; j++) {
                        o[oo + j] = a[ao + j] - b[bo + j];
                    }
                    return;
                }
                case MUL -> {
                    for (int j = 0; j < n; j++) {
                        o[oo + j] = a[ao + j] * b[bo + j];
                    }
                    return;
                }
                case DIV -> {
                    for (int j = 0; j < n; j++) {
                        o[oo + j] = a[ao + j] / b[bo + j];
                    }
                    return;
                }
                case GE, GT, LT, LE -> {
                    if (VECTOR_THRESHOLD) {
                        VectorThreshold.compare(op, a, ao, b, bo, o, oo, n);
                        return;
                    }
                }
                default -> {
                }
            }
        } else if (sa == 1 && sb == 0) {
            float bv = b[bo];
            switch (op) {
                case ADD -> {
                    for (int j = 0; j < n; j++) {
                        o[oo + j] = a[ao + j] + bv;
                    }
                    return;
                }
                // A row minus (or over) its own statistic, as a layer norm computes it.
                case SUB -> {
                    for (int j = 0; j < n; j++) {
                        o[oo + j] = a[ao + j] - bv;
                    }
                    return;
                }
                case DIV -> {
                    for (int j = 0; j < n; j++) {
                        o[oo + j] = a[ao + j] / bv;
                    }
                    return;
                }
                case MUL -> {
                    for (int j = 0; j < n; j++) {
                        o[oo + j] = a[ao + j] * bv;
                    }
                    return;
                }
                // Against a threshold, as a dropout mask is drawn: a float comparison decides as the
                // reference's comparison in double does, since both values are floats. As a branch on
                // random data it was 19x slower (5.5 against 0.29 ms on 1M floats).
                case GE, GT, LT, LE -> {
                    if (VECTOR_THRESHOLD) {
                        VectorThreshold.compare(op, a, ao, bv, o, oo, n);
                        return;
                    }
                }
                default -> {
                }
            }
        }
        switch (op) {
            // Single rounding of exact float arithmetic matches the fast paths above.
            case ADD -> {
                for (int j = 0; j < n; j++) {
                    o[oo + j] = a[ao + j * sa] + b[bo + j * sb];
                }
            }
            case SUB -> {
                for (int j = 0; j < n; j++) {
                    o[oo + j] = a[ao + j * sa] - b[bo + j * sb];
                }
            }
            case MUL -> {
                for (int j = 0; j < n; j++) {
                    o[oo + j] = a[ao + j * sa] * b[bo + j * sb];
                }
            }
            case DIV -> {
                for (int j = 0; j < n; j++) {
                    o[oo + j] = a[ao + j * sa] / b[bo + j * sb];
                }
            }
            default -> {
                for (int j = 0; j < n; j++) {
                    o[oo + j] = (float) op.apply(a[ao + j * sa], b[bo + j * sb]);
                }
            }
        }
    }

    /** The SGD update of {@link org.trainer.core.backend.Fused.Sgd#sgdStep} over [k0, k1), in float. */
    static void sgd(float[] w, float[] g, float[] buf, float lr, float momentum, float dampening, float weightDecay,
                    boolean nesterov, boolean firstStep, int k0, int k1) {
        if (buf == null) {
            for (int k = k0; k < k1; k++) {
                w[k] -= lr * (g[k] + weightDecay * w[k]);
            }
            return;
        }
        float keep = 1 - dampening;
        for (int k = k0; k < k1; k++) {
            float d = g[k] + weightDecay * w[k];
            float b = firstStep ? d : momentum * buf[k] + keep * d;
            buf[k] = b;
            w[k] -= lr * (nesterov ? d + momentum * b : b);
        }
    }

    /**
     * Sums x viewed as [outer, n, inner] over n for outer slices [o0, o1) into out [outer, inner],
     * accumulating in double: rows at a time when inner > 1 (a bias gradient), so loads stay contiguous.
     */
    static void sumMiddle(float[] x, int o0, int o1, int n, int inner, float[] out) {
        if (inner == 1) {
            for (int o = o0; o < o1; o++) {
                out[o] = (float) sum(x, o * n, n);
            }
            return;
        }
        double[] acc = new double[inner];
        for (int o = o0; o < o1; o++) {
            java.util.Arrays.fill(acc, 0);
            for (int j = 0; j < n; j++) {
                int row = (o * n + j) * inner;
                for (int i = 0; i < inner; i++) {
                    acc[i] += x[row + i];
                }
            }
            for (int i = 0; i < inner; i++) {
                out[o * inner + i] = (float) acc[i];
            }
        }
    }

    /** Sum of a[from, from + n) in double, over four independent accumulators for throughput. */
    static double sum(float[] a, int from, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += a[from + j];
            s1 += a[from + j + 1];
            s2 += a[from + j + 2];
            s3 += a[from + j + 3];
        }
        for (; j < n; j++) {
            s0 += a[from + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * The Adam/AdamW update of {@link org.trainer.core.backend.Fused.Adam#adamStep} over [k0, k1), in
     * float: {@code shrink} is 1 - lr * weightDecay for decoupled decay (else 1), {@code l2} the
     * coupled decay (else 0), {@code stepSize} lr / (1 - beta1^t) and {@code c2Sqrt} sqrt(1 - beta2^t).
     */
    static void adam(float[] w, float[] g, float[] m, float[] v, float[] vMax, float shrink, float l2, float beta1,
                     float beta2, float eps, float stepSize, float c2Sqrt, int k0, int k1) {
        float keep1 = 1 - beta1;
        float keep2 = 1 - beta2;
        // Two loops rather than a test per element, so that each stays a straight line the JIT vectorises.
        if (vMax == null) {
            for (int k = k0; k < k1; k++) {
                float wk = w[k] * shrink;
                float gk = g[k] + l2 * wk;
                float mk = beta1 * m[k] + keep1 * gk;
                float vk = beta2 * v[k] + keep2 * gk * gk;
                m[k] = mk;
                v[k] = vk;
                w[k] = wk - stepSize * mk / ((float) Math.sqrt(vk) / c2Sqrt + eps);
            }
        } else {
            for (int k = k0; k < k1; k++) {
                float wk = w[k] * shrink;
                float gk = g[k] + l2 * wk;
                float mk = beta1 * m[k] + keep1 * gk;
                float vk = beta2 * v[k] + keep2 * gk * gk;
                m[k] = mk;
                v[k] = vk;
                float xk = Math.max(vMax[k], vk);
                vMax[k] = xk;
                w[k] = wk - stepSize * mk / ((float) Math.sqrt(xk) / c2Sqrt + eps);
            }
        }
    }

    /** The RMSprop update of {@link org.trainer.core.backend.Fused.Rmsprop#rmspropStep} over [k0, k1), in float. */
    static void rmsprop(float[] w, float[] g, float[] sq, float[] ga, float[] buf, float lr, float alpha, float eps,
                        float weightDecay, float momentum, int k0, int k1) {
        float keep = 1 - alpha;
        for (int k = k0; k < k1; k++) {
            float gk = g[k] + weightDecay * w[k];
            float sk = alpha * sq[k] + keep * gk * gk;
            sq[k] = sk;
            if (ga != null) {
                float ak = alpha * ga[k] + keep * gk;
                ga[k] = ak;
                sk -= ak * ak;
            }
            float d = gk / ((float) Math.sqrt(sk) + eps);
            if (buf != null) {
                d += momentum * buf[k];
                buf[k] = d;
            }
            w[k] -= lr * d;
        }
    }

    /** The Adagrad update of {@link org.trainer.core.backend.Fused.Adagrad#adagradStep} over [k0, k1), in float. */
    static void adagrad(float[] w, float[] g, float[] sum, float clr, float eps, float weightDecay, int k0, int k1) {
        for (int k = k0; k < k1; k++) {
            float gk = g[k] + weightDecay * w[k];
            float sk = sum[k] + gk * gk;
            sum[k] = sk;
            w[k] -= clr * gk / ((float) Math.sqrt(sk) + eps);
        }
    }
}
