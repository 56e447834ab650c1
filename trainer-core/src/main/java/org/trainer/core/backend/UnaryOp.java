package org.trainer.core.backend;

/**
 * Elementwise unary functions, each with its derivative beside it. {@code p} is the op's scalar
 * parameter (exponent, slope or bound) and is ignored by ops that have none. The scalar methods are
 * the reference definition; backends may compute the same values with faster loops.
 */
public enum UnaryOp {
    /** -x. */
    NEG {
        public double apply(double x, double p) { return -x; }
        public double derivative(double x, double y, double p) { return -1; }
    },
    /** e^x. */
    EXP {
        public double apply(double x, double p) { return Math.exp(x); }
        public double derivative(double x, double y, double p) { return y; }
    },
    /** The natural logarithm ln x. */
    LOG {
        public double apply(double x, double p) { return Math.log(x); }
        public double derivative(double x, double y, double p) { return 1 / x; }
    },
    /** The square root of x. */
    SQRT {
        public double apply(double x, double p) { return Math.sqrt(x); }
        public double derivative(double x, double y, double p) { return 0.5 / y; }
    },
    /** |x| (derivative sign(x), 0 at 0). */
    ABS {
        public double apply(double x, double p) { return Math.abs(x); }
        public double derivative(double x, double y, double p) { return Math.signum(x); }
    },
    /** x^p for a scalar exponent p. */
    POW_SCALAR {
        public double apply(double x, double p) { return Math.pow(x, p); }
        public double derivative(double x, double y, double p) { return p == 0 ? 0 : p * Math.pow(x, p - 1); }
    },
    /** Reciprocal 1/x. */
    RECIPROCAL {
        public double apply(double x, double p) { return 1 / x; }
        public double derivative(double x, double y, double p) { return -y * y; }
    },
    /** max(x, 0) (derivative 0 at 0, as PyTorch). */
    RELU {
        public double apply(double x, double p) { return x > 0 ? x : 0; }
        public double derivative(double x, double y, double p) { return x > 0 ? 1 : 0; }
    },
    /** max(x, 0) + p * min(x, 0); p is the negative slope. */
    LEAKY_RELU {
        public double apply(double x, double p) { return x > 0 ? x : p * x; }
        public double derivative(double x, double y, double p) { return x > 0 ? 1 : p; }
    },
    /** 1 / (1 + e^-x), computed without overflow for either sign. */
    SIGMOID {
        public double apply(double x, double p) {
            // Split on the sign so that exp never overflows.
            if (x >= 0) {
                return 1 / (1 + Math.exp(-x));
            }
            double e = Math.exp(x);
            return e / (1 + e);
        }
        public double derivative(double x, double y, double p) { return y * (1 - y); }
    },
    /** The hyperbolic tangent. */
    TANH {
        public double apply(double x, double p) { return Math.tanh(x); }
        public double derivative(double x, double y, double p) { return 1 - y * y; }
    },
    /** Exact GELU, x * Phi(x), as PyTorch's default. */
    GELU {
        public double apply(double x, double p) { return x * 0.5 * (1 + SpecialFunctions.erf(x / Math.sqrt(2))); }
        public double derivative(double x, double y, double p) {
            double cdf = 0.5 * (1 + SpecialFunctions.erf(x / Math.sqrt(2)));
            double pdf = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
            return cdf + x * pdf;
        }
    },
    /** log(1 + e^x), linear above 20 as in PyTorch (beta 1, threshold 20). */
    SOFTPLUS {
        public double apply(double x, double p) { return x > 20 ? x : Math.log1p(Math.exp(x)); }
        public double derivative(double x, double y, double p) { return x > 20 ? 1 : SIGMOID.apply(x, 0); }
    },
    /** min(x, p): the upper half of clamp. */
    CLAMP_MAX {
        public double apply(double x, double p) { return Math.min(x, p); }
        public double derivative(double x, double y, double p) { return x <= p ? 1 : 0; }
    },
    /** max(x, p): the lower half of clamp. */
    CLAMP_MIN {
        public double apply(double x, double p) { return Math.max(x, p); }
        public double derivative(double x, double y, double p) { return x >= p ? 1 : 0; }
    },
    /** x * p. */
    SCALE {
        public double apply(double x, double p) { return x * p; }
        public double derivative(double x, double y, double p) { return p; }
    },
    /** x + p. */
    SHIFT {
        public double apply(double x, double p) { return x + p; }
        public double derivative(double x, double y, double p) { return 1; }
    };

    /**
     * y = f(x).
     *
     * @param x the input
     * @param p the scalar parameter
     * @return f(x)
     */
    public abstract double apply(double x, double p);

    /**
     * dy/dx given x and y = f(x).
     *
     * @param x the input
     * @param y f(x)
     * @param p the scalar parameter
     * @return dy/dx
     */
    public abstract double derivative(double x, double y, double p);
}
