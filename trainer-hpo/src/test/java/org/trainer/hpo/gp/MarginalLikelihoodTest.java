package org.trainer.hpo.gp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class MarginalLikelihoodTest {
    private static final int N = 15;
    private static final int D = 2;

    private static double[][] points() {
        SplittableRandom rng = new SplittableRandom(3);
        double[][] x = new double[N][D];
        for (double[] row : x) {
            for (int d = 0; d < D; d++) {
                row[d] = rng.nextDouble();
            }
        }
        return x;
    }

    private static double[] values(double[][] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.sin(5 * x[i][0]) + 0.3 * x[i][1];
        }
        return y;
    }

    @Test
    void logLikelihoodMatchesDirectComputation() {
        double[][] x = points();
        double[] y = values(x);
        double[] theta = {Math.log(0.4), Math.log(1.7), Math.log(0.8), Math.log(0.01)};
        MarginalLikelihood ml = new MarginalLikelihood(x, y);
        GpHyperparameters h = MarginalLikelihood.toHyperparameters(theta);
        // K = k(X, X) + noise I, inverted and its determinant taken by the general LU routines.
        DMatrixRMaj k = new DMatrixRMaj(N, N);
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                double r2 = 0;
                for (int d = 0; d < D; d++) {
                    double t = (x[i][d] - x[j][d]) / h.lengthScales()[d];
                    r2 += t * t;
                }
                double r = Math.sqrt(r2);
                k.set(i, j, 0.8 * (1 + Math.sqrt(5) * r + 5 * r2 / 3) * Math.exp(-Math.sqrt(5) * r)
                        + (i == j ? h.noiseVariance() : 0));
            }
        }
        DMatrixRMaj inv = new DMatrixRMaj(N, N);
        CommonOps_DDRM.invert(k, inv);
        DMatrixRMaj yv = new DMatrixRMaj(N, 1, true, y);
        DMatrixRMaj a = new DMatrixRMaj(N, 1);
        CommonOps_DDRM.mult(inv, yv, a);
        double quad = CommonOps_DDRM.dot(yv, a);
        double expected = -0.5 * quad - 0.5 * Math.log(CommonOps_DDRM.det(k)) - 0.5 * N * Math.log(2 * Math.PI);
        assertEquals(expected, ml.logLikelihood(theta, null), 1e-6);
        assertEquals(expected, new GaussianProcess(x, y, h).logMarginalLikelihood(), 1e-6);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        double[][] x = points();
        double[] y = values(x);
        MarginalLikelihood ml = new MarginalLikelihood(x, y);
        double[] theta = {Math.log(0.4), Math.log(1.7), Math.log(0.8), Math.log(0.01)};
        double[] g = new double[4];
        ml.valueAndGradient(theta, g);
        double h = 1e-5;
        for (int j = 0; j < 4; j++) {
            double[] tp = theta.clone();
            double[] tm = theta.clone();
            tp[j] += h;
            tm[j] -= h;
            double numeric = (ml.valueAndGradient(tp, new double[4]) - ml.valueAndGradient(tm, new double[4])) / (2 * h);
            assertEquals(numeric, g[j], 1e-5 * Math.max(1, Math.abs(numeric)), "d objective / d theta_" + j);
        }
    }

    @Test
    void fitImprovesOnItsStartsAndFindsTheRelevantDimension() {
        double[][] x = points();
        double[] y = new double[N];
        for (int i = 0; i < N; i++) {
            y[i] = Math.sin(6 * x[i][0]); // x1 is irrelevant
        }
        MarginalLikelihood ml = new MarginalLikelihood(x, y);
        double[] start = ml.start(1);
        GpHyperparameters fitted = ml.fit(new double[][] {start, ml.start(0.15)}, 100, false);
        double[] theta = {Math.log(fitted.lengthScales()[0]), Math.log(fitted.lengthScales()[1]),
            Math.log(fitted.signalVariance()), Math.log(fitted.noiseVariance() - MarginalLikelihood.NOISE_FLOOR)};
        assertTrue(ml.valueAndGradient(theta, new double[4]) < ml.valueAndGradient(start, new double[4]));
        assertTrue(fitted.lengthScales()[0] < fitted.lengthScales()[1],
                "the varying dimension should get the shorter length scale: " + fitted);
    }
}
