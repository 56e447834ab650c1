package org.trainer.hpo.gp;

/**
 * The Matern 5/2 kernel with one length scale per input dimension (automatic relevance
 * determination):
 * <pre>
 *   r^2    = sum_d (x_d - x'_d)^2 / l_d^2
 *   k(x,x') = s (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r)
 * </pre>
 * with signal variance s. Its derivatives, used for the marginal-likelihood gradient and for the
 * gradient of the posterior in x, have no 1/r term:
 * <pre>
 *   dk/d(log l_d) =  5/3 s (1 + sqrt5 r) exp(-sqrt5 r) (x_d - x'_d)^2 / l_d^2
 *   dk/dx_d       = -5/3 s (1 + sqrt5 r) exp(-sqrt5 r) (x_d - x'_d)   / l_d^2
 * </pre>
 * Functions of r only; the length scales enter through {@link #r2}.
 */
final class Matern52 {
    static final double SQRT5 = Math.sqrt(5);

    private Matern52() {
    }

    /** r^2 = sum_d (a_d - b_d)^2 * invL2_d, where invL2_d = 1 / l_d^2. */
    static double r2(double[] a, double[] b, double[] invL2) {
        double s = 0;
        for (int d = 0; d < invL2.length; d++) {
            double t = a[d] - b[d];
            s += t * t * invL2[d];
        }
        return s;
    }

    /** k / s as a function of r: (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r). */
    static double value(double r) {
        double sr = SQRT5 * r;
        return (1 + sr + sr * sr / 3) * Math.exp(-sr);
    }

    /**
     * The factor 5/3 (1 + sqrt5 r) exp(-sqrt5 r) shared by both derivatives above (without s):
     * dk/dx_d = -s * factor * (x_d - x'_d) / l_d^2.
     */
    static double derivativeFactor(double r) {
        double sr = SQRT5 * r;
        return 5.0 / 3.0 * (1 + sr) * Math.exp(-sr);
    }
}
