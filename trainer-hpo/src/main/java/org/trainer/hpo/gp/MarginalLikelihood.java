package org.trainer.hpo.gp;

import org.ejml.data.DMatrixRMaj;

/**
 * The negative log posterior of the GP hyperparameters, in the unconstrained coordinates the fit
 * works in, with its analytic gradient. For D input dimensions the vector is
 * <pre>
 *   theta = [log l_1, ..., log l_D, log s, log(noise - noiseFloor)]
 * </pre>
 * and the objective is -(log p(y | X, theta) + log prior(theta)). With W = alpha alpha^T - K^-1,
 * <pre>
 *   d log p / d theta_j = 1/2 tr(W dK/d theta_j)
 *   dK/d log l_d   = 5/3 s (1 + sqrt5 r) exp(-sqrt5 r) (x_d - x'_d)^2 / l_d^2   (off the diagonal)
 *   dK/d log s     = k(X, X)
 *   dK/d theta_n   = (noise - noiseFloor) I
 * </pre>
 * The prior is independent across coordinates. Each length scale has the {@link LengthScalePrior}
 * chosen (by default BoTorch's classic Gamma(3, 6), mode 1/3 and mean 1/2 on the unit cube, log p
 * = 2 log l - 6 l), evaluated at l as BoTorch does (no Jacobian for the log coordinate). The signal variance's log has
 * a normal prior at 0 (the outputs are standardized), scale 1.5; the noise's log one at log 1e-4,
 * scale 3: both weak.
 */
final class MarginalLikelihood implements Lbfgs.Objective {
    /** The smallest noise variance, on standardized outputs; keeps K well conditioned. */
    static final double NOISE_FLOOR = 1e-6;
    static final double SIGNAL_PRIOR_MEAN = 0;
    static final double SIGNAL_PRIOR_SCALE = 1.5;
    static final double NOISE_PRIOR_MEAN = Math.log(1e-4);
    static final double NOISE_PRIOR_SCALE = 3;
    /**
     * The median of the log-normal prior on a one-hot column's length scale: two choices of a
     * categorical differ by 1 in each of two columns, so at this scale the model starts from
     * correlated choices (a loss surface shared across them, as a learning rate's is across
     * optimizers) and needs evidence to separate them; the numeric prior's short scales would
     * make every choice a separate function learned from its own trials alone.
     */
    static final double CATEGORICAL_LENGTH_MEDIAN = 1.5;
    static final double CATEGORICAL_LENGTH_SCALE = 1;
    private final double[][] x;
    private final double[] y;
    private final int dim;
    private final LengthScalePrior lengthPrior;
    private final boolean[] categorical;

    MarginalLikelihood(double[][] x, double[] y) {
        this(x, y, LengthScalePrior.GAMMA, null);
    }

    /**
     * @param categorical which columns are one-hot columns of a categorical (null: none); theirs
     *                    have the {@link #CATEGORICAL_LENGTH_MEDIAN log-normal prior} instead
     */
    MarginalLikelihood(double[][] x, double[] y, LengthScalePrior lengthPrior, boolean[] categorical) {
        this.x = x;
        this.y = y;
        this.dim = x.length == 0 ? 0 : x[0].length;
        this.lengthPrior = lengthPrior;
        this.categorical = categorical;
    }

    static GpHyperparameters toHyperparameters(double[] theta) {
        int dim = theta.length - 2;
        double[] ls = new double[dim];
        for (int d = 0; d < dim; d++) {
            ls[d] = Math.exp(theta[d]);
        }
        return new GpHyperparameters(ls, Math.exp(theta[dim]), NOISE_FLOOR + Math.exp(theta[dim + 1]));
    }

    /** The log prior density of theta (up to a constant) and its gradient, added into {@code grad}. */
    double logPrior(double[] theta, double[] grad) {
        double lp = 0;
        double[] derivative = new double[1];
        for (int d = 0; d < dim; d++) {
            if (categorical != null && categorical[d]) {
                lp += normal(theta[d], Math.log(CATEGORICAL_LENGTH_MEDIAN), CATEGORICAL_LENGTH_SCALE, grad, d) - theta[d];
                if (grad != null) {
                    grad[d] -= 1;
                }
                continue;
            }
            lp += lengthPrior.logDensity(theta[d], dim, derivative);
            if (grad != null) {
                grad[d] += derivative[0];
            }
        }
        lp += normal(theta[dim], SIGNAL_PRIOR_MEAN, SIGNAL_PRIOR_SCALE, grad, dim);
        lp += normal(theta[dim + 1], NOISE_PRIOR_MEAN, NOISE_PRIOR_SCALE, grad, dim + 1);
        return lp;
    }

    private static double normal(double v, double mean, double scale, double[] grad, int i) {
        double z = (v - mean) / scale;
        if (grad != null) {
            grad[i] += -z / scale;
        }
        return -0.5 * z * z;
    }

    /** The log marginal likelihood at theta, with its gradient written into {@code grad} (if not null). */
    double logLikelihood(double[] theta, double[] grad) {
        GaussianProcess gp;
        try {
            gp = new GaussianProcess(x, y, toHyperparameters(theta));
        } catch (IllegalStateException singular) {
            return Double.NEGATIVE_INFINITY;
        }
        double lml = gp.logMarginalLikelihood();
        if (grad == null) {
            return lml;
        }
        int n = y.length;
        double[] a = gp.alpha();
        DMatrixRMaj kinv = gp.inverse();
        DMatrixRMaj kf = gp.kernel();
        double s = gp.hyperparameters().signalVariance();
        double[] invL2 = gp.hyperparameters().inverseSquaredLengthScales();
        java.util.Arrays.fill(grad, 0);
        double trW = 0;
        double signalTerm = 0;
        for (int i = 0; i < n; i++) {
            double wii = a[i] * a[i] - kinv.data[i * n + i];
            trW += wii;
            signalTerm += 0.5 * wii * s;
            double[] xi = x[i];
            for (int j = 0; j < i; j++) {
                double w = a[i] * a[j] - kinv.data[i * n + j];
                double kij = kf.data[i * n + j];
                signalTerm += w * kij; // both (i, j) and (j, i), times 1/2
                double r = Math.sqrt(Matern52.r2(xi, x[j], invL2));
                double f = w * s * Matern52.derivativeFactor(r);
                double[] xj = x[j];
                for (int d = 0; d < dim; d++) {
                    double t = xi[d] - xj[d];
                    grad[d] += f * t * t * invL2[d];
                }
            }
        }
        grad[dim] = signalTerm;
        grad[dim + 1] = 0.5 * trW * Math.exp(theta[dim + 1]);
        return lml;
    }

    /** log likelihood + log prior at h: the (unnormalized) log posterior that {@link #fit} maximizes. */
    double logPosterior(GpHyperparameters h) {
        double[] l = h.lengthScales();
        double[] theta = new double[dim + 2];
        for (int d = 0; d < dim; d++) {
            theta[d] = Math.log(l[d]);
        }
        theta[dim] = Math.log(h.signalVariance());
        theta[dim + 1] = Math.log(Math.max(h.noiseVariance() - NOISE_FLOOR, 1e-300));
        return logLikelihood(theta, null) + logPrior(theta, null);
    }

    /** The objective to minimize: -(log likelihood + log prior). */
    @Override
    public double valueAndGradient(double[] theta, double[] grad) {
        double lml = logLikelihood(theta, grad);
        if (!Double.isFinite(lml)) {
            return Double.POSITIVE_INFINITY;
        }
        double lp = logPrior(theta, grad);
        for (int i = 0; i < grad.length; i++) {
            grad[i] = -grad[i];
        }
        return -(lml + lp);
    }

    /**
     * The MAP hyperparameters: L-BFGS from the starts (theta vectors), within the box
     * log l in [log 0.01, log 1000], log s in [log 0.01, log 100], noise - floor in [1e-9, 2]; the
     * best optimum wins (the first on ties, so the result is deterministic). With
     * {@code screenStarts}, the objective is only evaluated at each start and the local search runs
     * from the best of them alone: for many points, where each evaluation costs O(n^3) and the
     * posterior over hyperparameters is usually unimodal.
     */
    GpHyperparameters fit(double[][] starts, int maxIterations, boolean screenStarts) {
        double[] lo = new double[dim + 2];
        double[] hi = new double[dim + 2];
        for (int d = 0; d < dim; d++) {
            lo[d] = Math.log(0.01);
            hi[d] = Math.log(1000);
        }
        lo[dim] = Math.log(0.01);
        hi[dim] = Math.log(100);
        lo[dim + 1] = Math.log(1e-9);
        hi[dim + 1] = Math.log(2);
        double[][] runs = starts;
        if (screenStarts && starts.length > 1) {
            double bestStart = Double.POSITIVE_INFINITY;
            double[] chosen = starts[0];
            for (double[] start : starts) {
                double v = -(logLikelihood(start, null) + logPrior(start, null));
                if (v < bestStart) {
                    bestStart = v;
                    chosen = start;
                }
            }
            runs = new double[][] {chosen};
        }
        Lbfgs lbfgs = new Lbfgs(8, maxIterations, 1e-4, 1e-7);
        double best = Double.POSITIVE_INFINITY;
        double[] bestTheta = null;
        for (double[] start : runs) {
            double[] theta = start.clone();
            double v = lbfgs.minimize(this, theta, lo, hi);
            if (v < best) {
                best = v;
                bestTheta = theta;
            }
        }
        if (bestTheta == null) {
            throw new IllegalStateException("MarginalLikelihood: no start gave a finite likelihood");
        }
        return toHyperparameters(bestTheta);
    }

    /**
     * A start with every length scale at {@code lengthScale}, signal variance 1 and noise 1e-3
     * (plus the floor).
     */
    double[] startAtPriorMedian() {
        return start(lengthPrior.median(dim));
    }

    double[] start(double lengthScale) {
        double[] t = new double[dim + 2];
        for (int d = 0; d < dim; d++) {
            t[d] = Math.log(lengthScale);
        }
        t[dim] = 0;
        t[dim + 1] = Math.log(1e-3);
        return t;
    }
}
