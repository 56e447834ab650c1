package org.trainer.core.backend;

/** Elementwise binary functions with NumPy broadcasting. Comparisons yield 1 or 0. */
public enum BinaryOp {
    /** a + b. */
    ADD { public double apply(double a, double b) { return a + b; } },
    /** a - b. */
    SUB { public double apply(double a, double b) { return a - b; } },
    /** a * b. */
    MUL { public double apply(double a, double b) { return a * b; } },
    /** a / b. */
    DIV { public double apply(double a, double b) { return a / b; } },
    /** a ^ b. */
    POW { public double apply(double a, double b) { return Math.pow(a, b); } },
    /** The larger of a and b. */
    MAX { public double apply(double a, double b) { return Math.max(a, b); } },
    /** The smaller of a and b. */
    MIN { public double apply(double a, double b) { return Math.min(a, b); } },
    /** 1 if a == b, else 0. */
    EQ { public double apply(double a, double b) { return a == b ? 1 : 0; } },
    /** 1 if a != b, else 0. */
    NE { public double apply(double a, double b) { return a != b ? 1 : 0; } },
    /** 1 if a &lt; b, else 0. */
    LT { public double apply(double a, double b) { return a < b ? 1 : 0; } },
    /** 1 if a &lt;= b, else 0. */
    LE { public double apply(double a, double b) { return a <= b ? 1 : 0; } },
    /** 1 if a &gt; b, else 0. */
    GT { public double apply(double a, double b) { return a > b ? 1 : 0; } },
    /** 1 if a &gt;= b, else 0. */
    GE { public double apply(double a, double b) { return a >= b ? 1 : 0; } };

    /**
     * The reference value f(a, b) that every backend's kernel must reproduce.
     *
     * @param a the left operand
     * @param b the right operand
     * @return f(a, b)
     */
    public abstract double apply(double a, double b);
}
