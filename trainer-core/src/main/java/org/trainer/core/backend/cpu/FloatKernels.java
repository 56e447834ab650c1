package org.trainer.core.backend.cpu;

import org.trainer.core.backend.BinaryOp;
import org.trainer.core.backend.UnaryOp;

/**
 * float32 elementwise loops. The hot ops get loops of their own that the JIT vectorises; the rest
 * evaluate the reference scalar definition in double and round once.
 */
final class FloatKernels {
    private FloatKernels() {
    }

    static void unary(UnaryOp op, float p, float[] x, float[] y, int k0, int k1) {
        switch (op) {
            case RELU -> {
                for (int k = k0; k < k1; k++) {
                    y[k] = Math.max(x[k], 0f);
                }
            }
            case NEG -> {
                for (int k = k0; k < k1; k++) {
                    y[k] = -x[k];
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
            default -> {
                for (int k = k0; k < k1; k++) {
                    y[k] = (float) op.apply(x[k], p);
                }
            }
        }
    }

    static void unaryBackward(UnaryOp op, float p, float[] x, float[] y, float[] gy, float[] gx, int k0, int k1) {
        switch (op) {
            case RELU -> {
                for (int k = k0; k < k1; k++) {
                    gx[k] = x[k] > 0f ? gy[k] : 0f;
                }
            }
            case SCALE -> {
                for (int k = k0; k < k1; k++) {
                    gx[k] = gy[k] * p;
                }
            }
            default -> {
                for (int k = k0; k < k1; k++) {
                    gx[k] = (float) (gy[k] * op.derivative(x[k], y[k], p));
                }
            }
        }
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
                case MUL -> {
                    for (int j = 0; j < n; j++) {
                        o[oo + j] = a[ao + j] * bv;
                    }
                    return;
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

    /** The SGD update of {@link org.trainer.core.backend.Backend#sgdStep} over [k0, k1), in float. */
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
}
