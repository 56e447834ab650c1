package org.trainer.core.backend;

/** Special functions that {@link Math} lacks, accurate to about 1e-15 in double precision. */
public final class SpecialFunctions {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private SpecialFunctions() {
    }

    /**
     * The error function erf(x) = 2/sqrt(pi) * integral from 0 to x of e^(-t^2) dt.
     *
     * @param x the argument
     * @return erf(x)
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            // erf(x) = 2/sqrt(pi) e^(-x^2) sum 2^n x^(2n+1) / (1*3*...*(2n+1)): all terms positive,
            // so no cancellation.
            double term = ax;
            double sum = ax;
            double x2 = ax * ax;
            for (int n = 1; n < 200 && term > 1e-17 * sum; n++) {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
            }
            r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
        } else {
            r = 1 - erfcContinuedFraction(ax);
        }
        return x < 0 ? -r : r;
    }

    /**
     * The complementary error function erfc(x) = 1 - erf(x): below 3 that difference (within about
     * 1e-15), from 3 on a continued fraction that keeps its relative accuracy where it is tiny and
     * 1 - erf(x) would cancel.
     *
     * @param x the argument
     * @return erfc(x)
     */
    public static double erfc(double x) {
        return x < 3 ? 1 - erf(x) : erfcContinuedFraction(x);
    }

    // erfc(x) = e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated from the tail.
    private static double erfcContinuedFraction(double x) {
        double t = x;
        for (int k = 80; k >= 1; k--) {
            t = x + (k / 2.0) / t;
        }
        return Math.exp(-x * x) / (Math.sqrt(Math.PI) * t);
    }
}
