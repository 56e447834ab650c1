package org.trainer.hpo.gp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.trainer.hpo.FloatRange;
import org.trainer.hpo.SearchSpace;

class ThompsonSampleTest {
    private static final SpaceEncoding LINE = new SpaceEncoding(SearchSpace.builder().add("x", FloatRange.linear(0, 1)).build());

    /** A GP of (x - 0.3)^2 observed at n evenly spaced points. */
    private static GaussianProcess quadratic(int n, double noise) {
        double[][] x = new double[n][];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = new double[] {i / (n - 1.0)};
            y[i] = (x[i][0] - 0.3) * (x[i][0] - 0.3);
        }
        return new GaussianProcess(x, y, new GpHyperparameters(new double[] {0.3}, 1, noise));
    }

    @Test
    void aSureModelIsMinimizedWhereItsMeanIs() {
        GaussianProcess gp = quadratic(21, 1e-8);
        for (long seed = 0; seed < 5; seed++) {
            double[] u = ThompsonSample.minimizer(gp, List.<double[]>of(new double[] {0.9}), LINE,
                    new SplittableRandom(seed), 256);
            assertEquals(0.3, u[0], 0.03, "seed " + seed);
        }
    }

    @Test
    void anUnsureModelSpreadsItsDrawsWhereTheOptimumMayBe() {
        // Three observations, the lowest at 0.5 and the others at the ends: the minimum of a draw
        // lies anywhere between, so draws differ from seed to seed (expected improvement's argmax would not).
        double[][] x = {{0}, {0.5}, {1}};
        double[] y = {1, 0, 1};
        GaussianProcess gp = new GaussianProcess(x, y, new GpHyperparameters(new double[] {0.2}, 1, 1e-6));
        double lo = 1;
        double hi = 0;
        for (long seed = 0; seed < 40; seed++) {
            double u = ThompsonSample.minimizer(gp, List.<double[]>of(new double[] {0.5}), LINE, new SplittableRandom(seed), 128)[0];
            lo = Math.min(lo, u);
            hi = Math.max(hi, u);
        }
        assertTrue(hi - lo > 0.3, "draws' minimizers should spread, got [" + lo + ", " + hi + "]");
    }

    @Test
    void isAFunctionOfTheSeed() {
        GaussianProcess gp = quadratic(6, 1e-4);
        double[] a = ThompsonSample.minimizer(gp, List.<double[]>of(new double[] {0.4}), LINE, new SplittableRandom(7), 64);
        double[] b = ThompsonSample.minimizer(gp, List.<double[]>of(new double[] {0.4}), LINE, new SplittableRandom(7), 64);
        assertEquals(a[0], b[0]);
    }

    @Test
    void badArgumentsAreRefusedByName() {
        GaussianProcess gp = quadratic(4, 1e-4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ThompsonSample.minimizer(gp, List.<double[]>of(new double[] {0.4}), LINE, new SplittableRandom(1), 0));
        assertTrue(e.getMessage().contains("m must be >= 1, got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ThompsonSample.minimizer(gp, List.of(), LINE, new SplittableRandom(1), 8));
        assertTrue(e.getMessage().contains("incumbents"), e.getMessage());
    }
}
