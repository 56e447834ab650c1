package org.trainer.hpo.gp;

/**
 * Expected improvement in a numerically stable log form, after Ament et al., "Unexpected
 * Improvements to Expected Improvement for Bayesian Optimization" (NeurIPS 2023), as in BoTorch's
 * LogEI. For a Gaussian posterior N(mu, sigma^2) at x and the best loss seen f*, with
 * z = (f* - mu) / sigma,
 * <pre>
 *   EI(x)     = sigma h(z),        h(z) = phi(z) + z Phi(z)
 *   log EI(x) = log h(z) + log sigma
 * </pre>
 * Computed directly, h(z) underflows to 0 near z = -38 and loses every digit well before; here
 * log h is accurate over the whole line:
 * <ul>
 *   <li>z &gt; -1: log(phi(z) + z Phi(z)) directly (no cancellation there);</li>
 *   <li>-100 &lt;= z &lt;= -1: h(z) = phi(z) (1 - |z| sqrt(pi/2) erfcx(|z| / sqrt2)), since
 *       Phi(z) / phi(z) = sqrt(pi/2) erfcx(-z / sqrt2), so
 *       log h = -z^2/2 - log(2 pi)/2 + log1mexp(log(|z| erfcx(|z|/sqrt2)) + log(pi/2)/2);</li>
 *   <li>z &lt; -100: the asymptotic series h(z) / phi(z) = z^-2 (1 - 3 z^-2 + 15 z^-4 - 105 z^-6 + ...),
 *       where the bracket above would cancel.</li>
 * </ul>
 * The derivative d log h / dz = Phi(z) / h(z) is computed as exp(log Phi(z) - log h(z)), and
 * below z = -100 as the ratio of the two asymptotic series.
 */
public final class LogEi {
    private static final double LOG_2PI_HALF = 0.5 * Math.log(2 * Math.PI);
    private static final double LOG_PI_HALF_HALF = 0.5 * Math.log(Math.PI / 2);
    private static final double SQRT2 = Math.sqrt(2);
    private static final double INV_SQRT_PI = 1 / Math.sqrt(Math.PI);

    private LogEi() {
    }

    /**
     * log h(z), h(z) = phi(z) + z Phi(z), accurate for every finite z.
     *
     * @param z the argument
     * @return log h(z)
     */
    public static double logH(double z) {
        if (z > -1) {
            return Math.log(phi(z) + z * cdf(z));
        }
        if (z >= -100) {
            double a = -z;
            double inner = Math.log(a * erfcx(a / SQRT2)) + LOG_PI_HALF_HALF;
            return -0.5 * z * z - LOG_2PI_HALF + log1mexp(inner);
        }
        double w = 1 / (z * z);
        double series = w * (1 - w * (3 - w * (15 - w * (105 - w * 945))));
        return -0.5 * z * z - LOG_2PI_HALF + Math.log(series);
    }

    /**
     * d log h / dz = Phi(z) / h(z) (positive; about -z for very negative z).
     *
     * @param z the argument
     * @return the derivative
     */
    public static double dLogH(double z) {
        if (z < -100) {
            // Phi / h = |z| (1 - w + 3w^2 - 15w^3 + 105w^4) / (1 - 3w + 15w^2 - 105w^3 + 945w^4), w = 1/z^2:
            // the ratio of the two asymptotic series, where the difference of two huge logs would lose digits.
            double w = 1 / (z * z);
            double num = 1 - w * (1 - w * (3 - w * (15 - w * 105)));
            double den = 1 - w * (3 - w * (15 - w * (105 - w * 945)));
            return -z * num / den;
        }
        return Math.exp(logCdf(z) - logH(z));
    }

    /**
     * log Phi(z), the log of the standard normal CDF, accurate far into the lower tail.
     *
     * @param z the argument
     * @return log Phi(z)
     */
    public static double logCdf(double z) {
        if (z < -1) {
            double a = -z / SQRT2;
            return Math.log(0.5 * erfcx(a)) - a * a;
        }
        return Math.log(cdf(z));
    }

    /**
     * The standard normal CDF Phi(z) = erfc(-z / sqrt2) / 2.
     *
     * @param z the argument
     * @return Phi(z)
     */
    public static double cdf(double z) {
        double x = -z / SQRT2;
        if (x >= 0) {
            return 0.5 * erfcx(x) * Math.exp(-x * x);
        }
        return 1 - 0.5 * erfcx(-x) * Math.exp(-x * x);
    }

    /**
     * The standard normal density.
     *
     * @param z the argument
     * @return phi(z)
     */
    public static double phi(double z) {
        return Math.exp(-0.5 * z * z - LOG_2PI_HALF);
    }

    /**
     * The scaled complementary error function erfcx(x) = exp(x^2) erfc(x) for x &gt;= 0 (relative
     * error about 1e-14 and better). Below 2: the non-alternating series
     * erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)), so
     * erfcx(x) = exp(x^2) - 2/sqrt(pi) sum(...); from 2 up: Laplace's continued fraction
     * erfcx(x) = (1/sqrt(pi)) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))), evaluated by the
     * modified Lentz method.
     */
    static double erfcx(double x) {
        if (x < 0) {
            throw new IllegalArgumentException("erfcx: x must be >= 0, got " + x);
        }
        if (x < 2) {
            double x2 = x * x;
            double term = x;
            double sum = x;
            for (int n = 1; n < 200; n++) {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
                if (term < 1e-17 * sum) {
                    break;
                }
            }
            return Math.exp(x2) - 2 * INV_SQRT_PI * sum;
        }
        // Lentz: f = b0 + a1/(b1 + a2/(b2 + ...)) with b_k = x, a_k = k/2.
        final double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0;
        for (int k = 1; k < 500; k++) {
            double a = 0.5 * k;
            d = x + a * d;
            d = d == 0 ? tiny : d;
            c = x + a / c;
            c = c == 0 ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return INV_SQRT_PI / f;
    }

    /** log(1 - exp(a)) for a &lt; 0, accurate on both sides of a = -log 2. */
    static double log1mexp(double a) {
        return a > -0.6931471805599453 ? Math.log(-Math.expm1(a)) : Math.log1p(-Math.exp(a));
    }
}
