package org.trainer.hpo.gp;

/**
 * A power transform of losses fitted by maximum likelihood (Box & Cox 1964; Yeo & Johnson 2000),
 * as scikit-learn's {@code PowerTransformer} and HEBO apply it to the outputs of a GP. With
 * z = y / sd(y):
 * <pre>
 *   Box-Cox (every z &gt; 0):   t(z) = (z^lambda - 1) / lambda,                 ln z at lambda = 0
 *   Yeo-Johnson (otherwise):  t(z) = ((1 + z)^lambda - 1) / lambda,           z &gt;= 0 (ln(1 + z) at 0)
 *                             t(z) = -((1 - z)^(2 - lambda) - 1) / (2 - lambda), z &lt; 0
 * </pre>
 * lambda maximizes the profile log-likelihood of a normal model of t(z),
 * <pre>
 *   l(lambda) = -n/2 ln var(t(z)) + (lambda - 1) sum ln z_i               (Box-Cox)
 *   l(lambda) = -n/2 ln var(t(z)) + (lambda - 1) sum sign(z_i) ln(1 + |z_i|)   (Yeo-Johnson)
 * </pre>
 * over [{@link #MIN_LAMBDA}, {@link #MAX_LAMBDA}] by golden-section search (the log-likelihood is
 * concave in lambda for both families). The transformed values are then standardized. Dividing by
 * sd first makes the fit independent of the losses' units for Box-Cox, and puts Yeo-Johnson's
 * shift of 1 on the data's own scale.
 */
final class PowerTransform {
    static final double MIN_LAMBDA = -1;
    static final double MAX_LAMBDA = 1;
    private static final double GOLDEN = (Math.sqrt(5) - 1) / 2;

    private final boolean boxCox;
    private final double scale;
    private final double lambda;
    private final double mean;
    private final double sd;

    private PowerTransform(boolean boxCox, double scale, double lambda, double mean, double sd) {
        this.boxCox = boxCox;
        this.scale = scale;
        this.lambda = lambda;
        this.mean = mean;
        this.sd = sd;
    }

    /** The ratio of the largest to the smallest loss from which positive losses are worth warping. */
    static final double POSITIVE_SPAN = 1e3;

    /**
     * Whether warping the losses is worth a try: positive losses that span at least three orders of
     * magnitude (max / min &gt;= {@link #POSITIVE_SPAN}), or losses of both signs. Positive losses
     * within a narrower span (a smooth function near its optimum, an error rate) are modelled as
     * they are: a log-like transform there sharpens the optimum's basin into a well that a
     * stationary kernel fits worse.
     */
    static boolean worthTrying(double[] losses) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double l : losses) {
            min = Math.min(min, l);
            max = Math.max(max, l);
        }
        return !(min > 0) || max >= POSITIVE_SPAN * min;
    }

    /** Standardization alone: (loss - mean) / sd (sd 1 when the losses are constant). */
    static PowerTransform standardization(double[] losses) {
        double m = mean(losses);
        double s = standardDeviation(losses, m);
        return new PowerTransform(false, 1, 1, m, s > 1e-12 * Math.max(1, Math.abs(m)) ? s : 1);
    }

    /** Fits the transform to the losses (at least one, all finite). */
    static PowerTransform fit(double[] losses) {
        double s = standardDeviation(losses, mean(losses));
        if (!(s > 1e-12 * Math.max(1, Math.abs(mean(losses))))) {
            return standardization(losses);
        }
        double[] z = new double[losses.length];
        boolean positive = true;
        for (int i = 0; i < z.length; i++) {
            z[i] = losses[i] / s;
            positive &= z[i] > 0;
        }
        boolean boxCox = positive;
        double lambda = maximize(z, boxCox);
        double[] t = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            t[i] = transform(z[i], lambda, boxCox);
        }
        double m = mean(t);
        double sdT = standardDeviation(t, m);
        return new PowerTransform(boxCox, s, lambda, m, sdT > 1e-12 * Math.max(1, Math.abs(m)) ? sdT : 1);
    }

    /** The exponent chosen. */
    double lambda() {
        return lambda;
    }

    /** Whether Box-Cox was used (every loss positive), rather than Yeo-Johnson. */
    boolean boxCox() {
        return boxCox;
    }

    /**
     * The standardized transform of a loss. For Box-Cox, a loss that is not positive (a value
     * imputed for a failed trial can be one) maps below every positive one.
     */
    double apply(double loss) {
        double z = loss / scale;
        double t = boxCox && !(z > 0) ? transform(Double.MIN_NORMAL, lambda, true) : transform(z, lambda, boxCox);
        return (t - mean) / sd;
    }

    /**
     * sum_i ln |d apply(loss_i) / d loss_i|: what the density of the losses gains over the density
     * of their transforms, t'(z) / (scale sd) per loss, where t'(z) = z^(lambda - 1) (Box-Cox),
     * (1 + z)^(lambda - 1) for z &gt;= 0 and (1 - z)^(1 - lambda) for z &lt; 0 (Yeo-Johnson).
     */
    double logJacobian(double[] losses) {
        double s = 0;
        for (double loss : losses) {
            double z = loss / scale;
            double logDerivative;
            if (boxCox) {
                logDerivative = (lambda - 1) * Math.log(Math.max(z, Double.MIN_NORMAL));
            } else {
                logDerivative = z >= 0 ? (lambda - 1) * Math.log1p(z) : (1 - lambda) * Math.log1p(-z);
            }
            s += logDerivative - Math.log(scale * sd);
        }
        return s;
    }

    static double transform(double z, double lambda, boolean boxCox) {
        if (boxCox) {
            return Math.abs(lambda) < 1e-12 ? Math.log(z) : Math.expm1(lambda * Math.log(z)) / lambda;
        }
        if (z >= 0) {
            return Math.abs(lambda) < 1e-12 ? Math.log1p(z) : Math.expm1(lambda * Math.log1p(z)) / lambda;
        }
        double p = 2 - lambda;
        return -Math.expm1(p * Math.log1p(-z)) / p;
    }

    /** The profile log-likelihood of lambda. */
    static double logLikelihood(double[] z, double lambda, boolean boxCox) {
        int n = z.length;
        double[] t = new double[n];
        double jacobian = 0;
        for (int i = 0; i < n; i++) {
            t[i] = transform(z[i], lambda, boxCox);
            jacobian += boxCox ? Math.log(z[i]) : Math.signum(z[i]) * Math.log1p(Math.abs(z[i]));
        }
        double v = variance(t, mean(t));
        if (!(v > 0)) {
            return Double.NEGATIVE_INFINITY;
        }
        return -0.5 * n * Math.log(v) + (lambda - 1) * jacobian;
    }

    private static double maximize(double[] z, boolean boxCox) {
        double a = MIN_LAMBDA;
        double b = MAX_LAMBDA;
        double c = b - GOLDEN * (b - a);
        double d = a + GOLDEN * (b - a);
        double fc = logLikelihood(z, c, boxCox);
        double fd = logLikelihood(z, d, boxCox);
        while (b - a > 1e-4) {
            if (fc >= fd) {
                b = d;
                d = c;
                fd = fc;
                c = b - GOLDEN * (b - a);
                fc = logLikelihood(z, c, boxCox);
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + GOLDEN * (b - a);
                fd = logLikelihood(z, d, boxCox);
            }
        }
        double best = (a + b) / 2;
        double fBest = logLikelihood(z, best, boxCox);
        // The ends themselves (the search only approaches them).
        for (double end : new double[] {MIN_LAMBDA, MAX_LAMBDA}) {
            double f = logLikelihood(z, end, boxCox);
            if (f > fBest) {
                fBest = f;
                best = end;
            }
        }
        return best;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double variance(double[] v, double mean) {
        double s = 0;
        for (double x : v) {
            s += (x - mean) * (x - mean);
        }
        return s / v.length;
    }

    private static double standardDeviation(double[] v, double mean) {
        return Math.sqrt(variance(v, mean));
    }
}
