package org.trainer.hpo.gp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;

class Matern52Test {
    private static final double[] A = {0.1, 0.7, 0.35};
    private static final double[] B = {0.4, 0.2, 0.9};
    private static final double[] LENGTHS = {0.3, 1.1, 0.6};
    private static final double SIGNAL = 1.3;

    private static double[] invL2(double[] lengths) {
        double[] v = new double[lengths.length];
        for (int d = 0; d < v.length; d++) {
            v[d] = 1 / (lengths[d] * lengths[d]);
        }
        return v;
    }

    private static double k(double[] a, double[] b, double[] lengths) {
        return SIGNAL * Matern52.value(Math.sqrt(Matern52.r2(a, b, invL2(lengths))));
    }

    @Test
    void valueMatchesTheClosedForm() {
        for (double r : new double[] {0, 0.01, 0.5, 1, 2.5, 10}) {
            double expected = (1 + Math.sqrt(5) * r + 5 * r * r / 3) * Math.exp(-Math.sqrt(5) * r);
            assertEquals(expected, Matern52.value(r), 1e-15);
        }
        assertEquals(1, Matern52.value(0));
        double r2 = 0.3 * 0.3 / (0.3 * 0.3) + 0.5 * 0.5 / (1.1 * 1.1) + 0.55 * 0.55 / (0.6 * 0.6);
        assertEquals(r2, Matern52.r2(A, B, invL2(LENGTHS)), 1e-14);
    }

    @Test
    void gradientInTheInputMatchesFiniteDifferences() {
        double[] inv = invL2(LENGTHS);
        double r = Math.sqrt(Matern52.r2(A, B, inv));
        double h = 1e-6;
        for (int d = 0; d < A.length; d++) {
            double analytic = -SIGNAL * Matern52.derivativeFactor(r) * (A[d] - B[d]) * inv[d];
            double[] ap = A.clone();
            double[] am = A.clone();
            ap[d] += h;
            am[d] -= h;
            double numeric = (k(ap, B, LENGTHS) - k(am, B, LENGTHS)) / (2 * h);
            assertEquals(numeric, analytic, 1e-8, "d k / d x_" + d);
        }
    }

    @Test
    void gradientInTheLogLengthScalesMatchesFiniteDifferences() {
        double[] inv = invL2(LENGTHS);
        double r = Math.sqrt(Matern52.r2(A, B, inv));
        double h = 1e-6;
        for (int d = 0; d < A.length; d++) {
            double t = A[d] - B[d];
            double analytic = SIGNAL * Matern52.derivativeFactor(r) * t * t * inv[d];
            double[] lp = LENGTHS.clone();
            double[] lm = LENGTHS.clone();
            lp[d] *= Math.exp(h);
            lm[d] *= Math.exp(-h);
            double numeric = (k(A, B, lp) - k(A, B, lm)) / (2 * h);
            assertEquals(numeric, analytic, 1e-8, "d k / d log l_" + d);
        }
    }

    @Test
    void kernelMatrixIsSymmetricPositiveDefinite() {
        double[][] x = {{0, 0}, {0.5, 0.1}, {1, 1}, {0.2, 0.9}, {0.51, 0.1}};
        DMatrixRMaj k = GaussianProcess.kernelMatrix(x, new double[] {4, 1}, 2.0);
        for (int i = 0; i < 5; i++) {
            assertEquals(2.0, k.get(i, i));
            for (int j = 0; j < 5; j++) {
                assertEquals(k.get(i, j), k.get(j, i));
            }
        }
        assertTrue(CommonOps_DDRM.det(k) > 0);
    }
}
