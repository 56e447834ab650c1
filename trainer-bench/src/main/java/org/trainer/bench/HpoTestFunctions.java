package org.trainer.bench;

import java.util.Map;

import org.trainer.hpo.FloatRange;
import org.trainer.hpo.SearchSpace;

/**
 * The standard test functions of the Bayesian-optimization literature, as search spaces and
 * objectives over named float parameters (to minimize).
 */
final class HpoTestFunctions {
    /** Branin's global minimum (at three points). */
    static final double BRANIN_MIN = 0.397887;
    /** Hartmann-6's global minimum. */
    static final double HARTMANN6_MIN = -3.32237;

    private static final double[] H6_ALPHA = {1.0, 1.2, 3.0, 3.2};
    private static final double[][] H6_A = {
        {10, 3, 17, 3.5, 1.7, 8},
        {0.05, 10, 17, 0.1, 8, 14},
        {3, 3.5, 1.7, 10, 17, 8},
        {17, 8, 0.05, 10, 0.1, 14}};
    private static final double[][] H6_P = {
        {0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
        {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
        {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
        {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};

    private HpoTestFunctions() {
    }

    /** x1 in [-5, 10], x2 in [0, 15]. */
    static SearchSpace braninSpace() {
        return SearchSpace.builder().add("x1", FloatRange.linear(-5, 10)).add("x2", FloatRange.linear(0, 15)).build();
    }

    static double branin(Map<String, Object> p) {
        double x1 = (Double) p.get("x1");
        double x2 = (Double) p.get("x2");
        double b = 5.1 / (4 * Math.PI * Math.PI);
        double c = 5 / Math.PI;
        double t = 1 / (8 * Math.PI);
        double a = x2 - b * x1 * x1 + c * x1 - 6;
        return a * a + 10 * (1 - t) * Math.cos(x1) + 10;
    }

    /** x1..x6 in [0, 1]. */
    static SearchSpace hartmann6Space() {
        SearchSpace.Builder b = SearchSpace.builder();
        for (int i = 1; i <= 6; i++) {
            b.add("x" + i, FloatRange.linear(0, 1));
        }
        return b.build();
    }

    static double hartmann6(Map<String, Object> p) {
        double[] x = new double[6];
        for (int i = 0; i < 6; i++) {
            x[i] = (Double) p.get("x" + (i + 1));
        }
        return hartmann6(x);
    }

    static double hartmann6(double[] x) {
        double sum = 0;
        for (int i = 0; i < 4; i++) {
            double e = 0;
            for (int j = 0; j < 6; j++) {
                double d = x[j] - H6_P[i][j];
                e += H6_A[i][j] * d * d;
            }
            sum += H6_ALPHA[i] * Math.exp(-e);
        }
        return -sum;
    }
}
