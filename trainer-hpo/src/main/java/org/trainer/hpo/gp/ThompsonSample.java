package org.trainer.hpo.gp;

import java.util.List;
import java.util.SplittableRandom;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.decomposition.chol.CholeskyDecompositionInner_DDRM;

/**
 * Thompson sampling over a finite set of candidates, as TuRBO proposes: one draw of the latent
 * function from the GP's joint posterior at m candidates, and the candidate where the draw is
 * lowest. The joint posterior is N(mu, Sigma) with mu = k(C, X) alpha and
 * Sigma = k(C, C) - k(C, X) K^-1 k(X, C); the draw is mu + L z with Sigma = L L^T (a jitter of
 * 1e-8 s, raised tenfold while the Cholesky fails) and z standard normal. Unlike expected
 * improvement, which favours the incumbent's neighbourhood once the model is sure of it, the
 * draw's minimum lands in another basin with the posterior probability that the optimum is there.
 *
 * <p>The candidates: a quarter Gaussian perturbations (scale 0.1) of the best observed points, a
 * quarter the best points with a random subset of their numeric columns (each with probability
 * min(1, 2 / d), at least one) redrawn uniformly, and half uniform over the space.
 */
final class ThompsonSample {
    private ThompsonSample() {
    }

    /**
     * The candidate that minimizes one posterior draw.
     *
     * @param gp         the model of the (standardized) loss
     * @param incumbents observed points, best first (at least one)
     * @param m          the number of candidates (at least 1)
     * @return the chosen candidate, snapped to legal values
     */
    static double[] minimizer(GaussianProcess gp, List<double[]> incumbents, SpaceEncoding enc, SplittableRandom rng,
                              int m) {
        if (m < 1) {
            throw new IllegalArgumentException("ThompsonSample.minimizer: m must be >= 1, got " + m);
        }
        if (incumbents.isEmpty()) {
            throw new IllegalArgumentException("ThompsonSample.minimizer: incumbents must not be empty");
        }
        double[][] pts = candidates(incumbents, enc, rng, m);
        int n = gp.size();
        double signal = gp.hyperparameters().signalVariance();
        DMatrixRMaj kcx = new DMatrixRMaj(m, n);
        double[] k = new double[n];
        double[] alpha = gp.alpha();
        double[] mean = new double[m];
        for (int c = 0; c < m; c++) {
            gp.crossCovariance(pts[c], k);
            System.arraycopy(k, 0, kcx.data, c * n, n);
            double mu = 0;
            for (int i = 0; i < n; i++) {
                mu += k[i] * alpha[i];
            }
            mean[c] = mu;
        }
        DMatrixRMaj w = new DMatrixRMaj(m, n);
        CommonOps_DDRM.mult(kcx, gp.inverse(), w);
        DMatrixRMaj cov = GaussianProcess.kernelMatrix(pts, gp.hyperparameters().inverseSquaredLengthScales(), signal);
        CommonOps_DDRM.multAddTransB(-1, w, kcx, cov);
        DMatrixRMaj l = null;
        for (double jitter = 1e-8 * signal; l == null; jitter *= 10) {
            DMatrixRMaj a = cov.copy();
            for (int i = 0; i < m; i++) {
                a.data[i * m + i] += jitter;
            }
            CholeskyDecompositionInner_DDRM dec = new CholeskyDecompositionInner_DDRM(true);
            if (dec.decompose(a)) {
                l = dec.getT(null);
            } else if (jitter > signal) {
                throw new IllegalStateException("ThompsonSample: the candidates' posterior covariance is not positive "
                        + "definite even with jitter " + jitter);
            }
        }
        double[] z = new double[m];
        for (int i = 0; i < m; i++) {
            z[i] = SpaceEncoding.gaussian(rng);
        }
        int arg = 0;
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < m; i++) {
            double f = mean[i];
            for (int j = 0; j <= i; j++) {
                f += l.data[i * m + j] * z[j];
            }
            if (f < min) {
                min = f;
                arg = i;
            }
        }
        return pts[arg];
    }

    private static double[][] candidates(List<double[]> incumbents, SpaceEncoding enc, SplittableRandom rng, int m) {
        int[] numeric = enc.numericColumns();
        double[][] pts = new double[m][];
        for (int c = 0; c < m; c++) {
            if (c < m / 4) {
                pts[c] = enc.perturb(incumbents.get(c % incumbents.size()), 0.1, rng);
            } else if (c < m / 2) {
                double[] u = incumbents.get(c % incumbents.size()).clone();
                double p = Math.min(1.0, 2.0 / Math.max(1, numeric.length));
                boolean any = false;
                for (int col : numeric) {
                    if (rng.nextDouble() < p) {
                        u[col] = rng.nextDouble();
                        any = true;
                    }
                }
                if (!any && numeric.length > 0) {
                    u[numeric[rng.nextInt(numeric.length)]] = rng.nextDouble();
                }
                enc.snap(u);
                pts[c] = u;
            } else {
                pts[c] = enc.random(rng);
            }
        }
        return pts;
    }
}
