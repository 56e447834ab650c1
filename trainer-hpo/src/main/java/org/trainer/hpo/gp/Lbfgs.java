package org.trainer.hpo.gp;

/**
 * A compact limited-memory BFGS minimizer with optional box bounds, enforced by projection: the
 * search direction comes from the usual two-loop recursion over the last {@code memory} steps,
 * restricted to the variables that are not held at a bound by their gradient; the trial point is
 * projected onto the box and accepted by a backtracking Armijo test on the projected step. Good
 * enough for the smooth, low-dimensional problems here (GP hyperparameters, acquisition maxima);
 * not a general-purpose L-BFGS-B.
 */
final class Lbfgs {

    /** f(x), writing the gradient into {@code grad}; may return +infinity where f is undefined. */
    interface Objective {
        double valueAndGradient(double[] x, double[] grad);
    }

    private final int memory;
    private final int maxIterations;
    private final double gradientTolerance;
    private final double relativeTolerance;

    /**
     * @param memory            the number of past steps the inverse-Hessian estimate uses
     * @param maxIterations     the most iterations (each one or more evaluations of f)
     * @param gradientTolerance stop when no free gradient component exceeds this in magnitude
     * @param relativeTolerance stop when an accepted step lowers f by less than this times |f|
     */
    Lbfgs(int memory, int maxIterations, double gradientTolerance, double relativeTolerance) {
        this.memory = memory;
        this.maxIterations = maxIterations;
        this.gradientTolerance = gradientTolerance;
        this.relativeTolerance = relativeTolerance;
    }

    /**
     * Minimizes f from {@code x} (projected onto [lo, hi] first), in place.
     *
     * @param lo lower bounds, or null for none
     * @param hi upper bounds, or null for none
     * @return f at the final x
     */
    double minimize(Objective f, double[] x, double[] lo, double[] hi) {
        int n = x.length;
        project(x, lo, hi);
        double[] g = new double[n];
        double fx = f.valueAndGradient(x, g);
        if (!Double.isFinite(fx)) {
            return fx;
        }
        double[][] s = new double[memory][n];
        double[][] y = new double[memory][n];
        double[] rho = new double[memory];
        int stored = 0;
        int head = 0;
        double[] d = new double[n];
        double[] xn = new double[n];
        double[] gn = new double[n];
        double[] alpha = new double[memory];
        boolean[] fixed = new boolean[n];
        for (int it = 0; it < maxIterations; it++) {
            double pgMax = 0;
            for (int i = 0; i < n; i++) {
                fixed[i] = (lo != null && x[i] <= lo[i] && g[i] > 0) || (hi != null && x[i] >= hi[i] && g[i] < 0);
                if (!fixed[i]) {
                    pgMax = Math.max(pgMax, Math.abs(g[i]));
                }
            }
            if (pgMax < gradientTolerance) {
                break;
            }
            // Two-loop recursion on the free variables.
            for (int i = 0; i < n; i++) {
                d[i] = fixed[i] ? 0 : -g[i];
            }
            for (int k = 0; k < stored; k++) {
                int j = Math.floorMod(head - 1 - k, memory);
                alpha[j] = rho[j] * dotFree(s[j], d, fixed);
                axpyFree(-alpha[j], y[j], d, fixed);
            }
            if (stored > 0) {
                int last = Math.floorMod(head - 1, memory);
                double gamma = dotFree(s[last], y[last], fixed) / Math.max(1e-300, dotFree(y[last], y[last], fixed));
                if (gamma > 0 && Double.isFinite(gamma)) {
                    for (int i = 0; i < n; i++) {
                        d[i] *= gamma;
                    }
                }
            }
            for (int k = stored - 1; k >= 0; k--) {
                int j = Math.floorMod(head - 1 - k, memory);
                double beta = rho[j] * dotFree(y[j], d, fixed);
                axpyFree(alpha[j] - beta, s[j], d, fixed);
            }
            double slope = 0;
            for (int i = 0; i < n; i++) {
                slope += g[i] * d[i];
            }
            if (!(slope < 0)) { // not a descent direction: fall back to steepest descent
                stored = 0;
                slope = 0;
                for (int i = 0; i < n; i++) {
                    d[i] = fixed[i] ? 0 : -g[i];
                    slope += g[i] * d[i];
                }
            }
            double t = stored == 0 ? Math.min(1, 1 / Math.max(1e-12, pgMax)) : 1;
            double fn = Double.NaN;
            boolean accepted = false;
            for (int ls = 0; ls < 30; ls++) {
                double decrease = 0;
                for (int i = 0; i < n; i++) {
                    xn[i] = x[i] + t * d[i];
                }
                project(xn, lo, hi);
                for (int i = 0; i < n; i++) {
                    decrease += g[i] * (xn[i] - x[i]);
                }
                fn = f.valueAndGradient(xn, gn);
                if (Double.isFinite(fn) && fn <= fx + 1e-4 * decrease) {
                    accepted = true;
                    break;
                }
                t *= 0.5;
            }
            if (!accepted) {
                break;
            }
            double sy = 0;
            for (int i = 0; i < n; i++) {
                s[head][i] = xn[i] - x[i];
                y[head][i] = gn[i] - g[i];
                sy += s[head][i] * y[head][i];
            }
            double improvement = fx - fn;
            System.arraycopy(xn, 0, x, 0, n);
            System.arraycopy(gn, 0, g, 0, n);
            fx = fn;
            if (sy > 1e-12) {
                rho[head] = 1 / sy;
                head = (head + 1) % memory;
                stored = Math.min(stored + 1, memory);
            }
            if (improvement <= relativeTolerance * (Math.abs(fx) + 1e-10)) {
                break;
            }
        }
        return fx;
    }

    private static double dotFree(double[] a, double[] b, boolean[] fixed) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            if (!fixed[i]) {
                s += a[i] * b[i];
            }
        }
        return s;
    }

    private static void axpyFree(double a, double[] x, double[] y, boolean[] fixed) {
        for (int i = 0; i < x.length; i++) {
            if (!fixed[i]) {
                y[i] += a * x[i];
            }
        }
    }

    static void project(double[] x, double[] lo, double[] hi) {
        for (int i = 0; i < x.length; i++) {
            if (lo != null && x[i] < lo[i]) {
                x[i] = lo[i];
            }
            if (hi != null && x[i] > hi[i]) {
                x[i] = hi[i];
            }
        }
    }

    @Override
    public String toString() {
        return "Lbfgs[memory=" + memory + ", maxIterations=" + maxIterations + ", tol=" + gradientTolerance + "]";
    }
}
