package org.trainer.hpo.gp;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.decomposition.chol.CholeskyDecompositionInner_DDRM;

/**
 * A zero-mean Gaussian-process regression model with a {@link Matern52} kernel, conditioned on
 * observations (X, y) with fixed hyperparameters. With K = k(X, X) + (noise + jitter) I = L L^T
 * (Cholesky, by EJML) and alpha = K^-1 y, the posterior of the latent function at x is
 * <pre>
 *   mean(x)     = k(x, X) alpha
 *   variance(x) = s - k(x, X) K^-1 k(X, x)
 * </pre>
 * and the log marginal likelihood is -1/2 y^T alpha - sum_i log L_ii - n/2 log(2 pi).
 * A jitter of 1e-9 s (raised tenfold while the Cholesky fails, up to 1e-3 s) keeps K positive
 * definite with duplicate inputs. Immutable; the arrays passed in are not modified or kept.
 */
public final class GaussianProcess {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final double[][] x;
    private final double[] y;
    private final GpHyperparameters hyper;
    private final double[] invL2;
    private final double signal;
    private final DMatrixRMaj kernel;   // k(X, X) without noise
    private final DMatrixRMaj chol;     // L, lower
    private final DMatrixRMaj inverse;  // K^-1
    private final double[] alpha;
    private final double logDet;

    /**
     * Conditions on n observations.
     *
     * @param x     n points of equal dimension D (the hyperparameters' length-scale count)
     * @param y     n values
     * @param hyper the kernel's hyperparameters
     * @throws IllegalArgumentException on mismatched sizes or non-finite values
     * @throws IllegalStateException    when K stays numerically singular even with the largest jitter
     */
    public GaussianProcess(double[][] x, double[] y, GpHyperparameters hyper) {
        int n = x.length;
        if (y.length != n) {
            throw new IllegalArgumentException("GaussianProcess: x has " + n + " rows but y has " + y.length + " values");
        }
        int dim = hyper.lengthScales().length;
        this.x = new double[n][];
        for (int i = 0; i < n; i++) {
            if (x[i].length != dim) {
                throw new IllegalArgumentException("GaussianProcess: x[" + i + "] has " + x[i].length
                        + " coordinates, expected " + dim + " (one per length scale)");
            }
            for (int d = 0; d < dim; d++) {
                if (!Double.isFinite(x[i][d])) {
                    throw new IllegalArgumentException("GaussianProcess: x[" + i + "][" + d + "] is not finite: " + x[i][d]);
                }
            }
            if (!Double.isFinite(y[i])) {
                throw new IllegalArgumentException("GaussianProcess: y[" + i + "] is not finite: " + y[i]);
            }
            this.x[i] = x[i].clone();
        }
        this.y = y.clone();
        this.hyper = hyper;
        this.invL2 = hyper.inverseSquaredLengthScales();
        this.signal = hyper.signalVariance();
        this.kernel = kernelMatrix(this.x, invL2, signal);
        DMatrixRMaj l = null;
        double jitter = 1e-9 * signal;
        while (l == null) {
            DMatrixRMaj k = kernel.copy();
            for (int i = 0; i < n; i++) {
                k.data[i * n + i] += hyper.noiseVariance() + jitter;
            }
            CholeskyDecompositionInner_DDRM dec = new CholeskyDecompositionInner_DDRM(true);
            if (dec.decompose(k)) {
                l = dec.getT(null);
            } else if (jitter >= 1e-3 * signal) {
                throw new IllegalStateException("GaussianProcess: the kernel matrix is not positive definite even with jitter "
                        + jitter + "; " + hyper);
            } else {
                jitter *= 10;
            }
        }
        this.chol = l;
        double ld = 0;
        for (int i = 0; i < n; i++) {
            ld += Math.log(l.data[i * n + i]);
        }
        this.logDet = 2 * ld;
        this.alpha = this.y.clone();
        TriangularSolver_DDRM.solveL(l.data, alpha, n);
        TriangularSolver_DDRM.solveTranL(l.data, alpha, n);
        DMatrixRMaj lInv = l.copy();
        TriangularSolver_DDRM.invertLower(lInv.data, n);
        this.inverse = lowerTransposeTimesLower(lInv.data, n);
    }

    /**
     * M^T M for a lower-triangular M (row-major, n x n; the upper part is ignored): K^-1 from
     * L^-1. (M^T M)_ij = sum over k &gt;= max(i, j) of M_ki M_kj, accumulated row by row of M as
     * rank-one updates of the lower half, then mirrored: n^3/6 multiply-adds, a sixth of a general
     * product.
     */
    static DMatrixRMaj lowerTransposeTimesLower(double[] m, int n) {
        DMatrixRMaj out = new DMatrixRMaj(n, n);
        double[] o = out.data;
        for (int k = 0; k < n; k++) {
            int rowK = k * n;
            for (int i = 0; i <= k; i++) {
                double mki = m[rowK + i];
                if (mki == 0) {
                    continue;
                }
                int rowI = i * n;
                for (int j = 0; j <= i; j++) {
                    o[rowI + j] += mki * m[rowK + j];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                o[j * n + i] = o[i * n + j];
            }
        }
        return out;
    }

    /**
     * The constant c that maximizes the likelihood of the targets under this kernel when the prior
     * mean is c instead of 0: the generalized least-squares estimate 1^T K^-1 y / 1^T K^-1 1.
     */
    double constantMean() {
        DMatrixRMaj inv = inverse();
        double num = 0; // 1^T K^-1 y = sum of alpha
        for (double a : alpha) {
            num += a;
        }
        double den = 0;
        for (double k : inv.data) {
            den += k;
        }
        return den > 0 ? num / den : 0;
    }

    /** k(X, X) for the given points (no noise), s * Matern52(r_ij). */
    static DMatrixRMaj kernelMatrix(double[][] x, double[] invL2, double signal) {
        int n = x.length;
        DMatrixRMaj k = new DMatrixRMaj(n, n);
        for (int i = 0; i < n; i++) {
            k.data[i * n + i] = signal;
            for (int j = 0; j < i; j++) {
                double v = signal * Matern52.value(Math.sqrt(Matern52.r2(x[i], x[j], invL2)));
                k.data[i * n + j] = v;
                k.data[j * n + i] = v;
            }
        }
        return k;
    }

    /**
     * The number n of observations.
     *
     * @return n
     */
    public int size() {
        return y.length;
    }

    /**
     * The input dimension D.
     *
     * @return D
     */
    public int dimension() {
        return invL2.length;
    }

    /**
     * The fixed hyperparameters the model was conditioned with.
     *
     * @return the hyperparameters
     */
    public GpHyperparameters hyperparameters() {
        return hyper;
    }

    /**
     * log p(y | X, hyperparameters) = -1/2 y^T K^-1 y - 1/2 log det K - n/2 log(2 pi).
     *
     * @return the log marginal likelihood
     */
    public double logMarginalLikelihood() {
        double fit = 0;
        for (int i = 0; i < y.length; i++) {
            fit += y[i] * alpha[i];
        }
        return -0.5 * fit - 0.5 * logDet - 0.5 * y.length * LOG_2PI;
    }

    /**
     * log det K (with noise and jitter).
     *
     * @return log det K
     */
    public double logDeterminant() {
        return logDet;
    }

    /** k(x, X), the covariances between x and the observed points, into {@code out} (length n). */
    void crossCovariance(double[] point, double[] out) {
        for (int i = 0; i < x.length; i++) {
            out[i] = signal * Matern52.value(Math.sqrt(Matern52.r2(point, x[i], invL2)));
        }
    }

    /**
     * The posterior mean of the latent function at {@code point}.
     *
     * @param point a point of dimension D
     * @return the mean
     */
    public double mean(double[] point) {
        double[] k = new double[x.length];
        crossCovariance(point, k);
        double m = 0;
        for (int i = 0; i < k.length; i++) {
            m += k[i] * alpha[i];
        }
        return m;
    }

    /**
     * The posterior variance of the latent function at {@code point} (noise not included), >= 0.
     *
     * @param point a point of dimension D
     * @return the variance
     */
    public double variance(double[] point) {
        double[] k = new double[x.length];
        crossCovariance(point, k);
        return varianceFrom(k);
    }

    private double varianceFrom(double[] k) {
        int n = k.length;
        double[] a = inverse.data;
        double q = 0;
        for (int i = 0; i < n; i++) {
            double row = 0;
            int off = i * n;
            for (int j = 0; j < n; j++) {
                row += a[off + j] * k[j];
            }
            q += k[i] * row;
        }
        return Math.max(0, signal - q);
    }

    /**
     * Mean and variance at {@code point}, and optionally their gradients in the point:
     * d mean / dx_d = sum_i dk_i/dx_d alpha_i and d var / dx_d = -2 sum_i dk_i/dx_d (K^-1 k)_i.
     *
     * @param scratch   work space of length n (the number of observations)
     * @param out       receives {mean, variance}
     * @param gradMean  receives d mean / dx (length D), or null to skip the gradients
     * @param gradVar   receives d variance / dx (length D), or null
     */
    void posterior(double[] point, double[] scratch, double[] out, double[] gradMean, double[] gradVar) {
        int n = x.length;
        int dim = invL2.length;
        double[] k = scratch;
        crossCovariance(point, k);
        double m = 0;
        for (int i = 0; i < n; i++) {
            m += k[i] * alpha[i];
        }
        out[0] = m;
        if (gradMean == null) {
            out[1] = varianceFrom(k);
            return;
        }
        double[] a = inverse.data;
        double q = 0;
        java.util.Arrays.fill(gradMean, 0);
        java.util.Arrays.fill(gradVar, 0);
        for (int i = 0; i < n; i++) {
            double v = 0; // (K^-1 k)_i
            int off = i * n;
            for (int j = 0; j < n; j++) {
                v += a[off + j] * k[j];
            }
            q += k[i] * v;
            double r = Math.sqrt(Matern52.r2(point, x[i], invL2));
            double f = signal * Matern52.derivativeFactor(r);
            double[] xi = x[i];
            for (int d = 0; d < dim; d++) {
                double dk = -f * (point[d] - xi[d]) * invL2[d];
                gradMean[d] += dk * alpha[i];
                gradVar[d] -= 2 * dk * v;
            }
        }
        out[1] = Math.max(0, signal - q);
    }

    double[][] points() {
        return x;
    }

    double[] values() {
        return y;
    }

    DMatrixRMaj kernel() {
        return kernel;
    }

    DMatrixRMaj inverse() {
        return inverse;
    }

    double[] alpha() {
        return alpha;
    }

    DMatrixRMaj cholesky() {
        return chol;
    }
}
