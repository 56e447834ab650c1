package org.trainer.bench;

import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import org.trainer.hpo.CategoricalRange;
import org.trainer.hpo.FloatRange;
import org.trainer.hpo.IntRange;
import org.trainer.hpo.SearchSpace;

/**
 * The standard test functions of the Bayesian-optimization literature, as search spaces and
 * objectives over named parameters (to minimize). {@code trainer-bench/peer/hpo_tpe.py} defines
 * the same functions, term for term, for Optuna.
 */
final class HpoTestFunctions {
    /** A test problem: its search space, objective and global minimum. */
    record Problem(String name, SearchSpace space, ToDoubleFunction<Map<String, Object>> objective, double minimum) {
    }

    /**
     * The regret battery: Branin (2-D, smooth), Hartmann-6 (6-D, multimodal), Rosenbrock-4 and
     * Dixon-Price-5 (values spanning 6 and 5 orders of magnitude), Ackley-5 and Levy-5 (multimodal),
     * and two mixed problems whose best category is not the first.
     */
    static List<Problem> battery() {
        return List.of(
                new Problem("Branin", braninSpace(), HpoTestFunctions::branin, BRANIN_MIN),
                new Problem("Hartmann-6", hartmann6Space(), HpoTestFunctions::hartmann6, HARTMANN6_MIN),
                new Problem("Rosenbrock-4", box(4, -5, 10), p -> rosenbrock(vector(p, 4)), 0),
                new Problem("Dixon-Price-5", box(5, -10, 10), p -> dixonPrice(vector(p, 5)), 0),
                new Problem("Ackley-5", box(5, -32.768, 32.768), p -> ackley(vector(p, 5)), 0),
                new Problem("Levy-5", box(5, -10, 10), p -> levy(vector(p, 5)), 0),
                new Problem("Mixed Branin", mixedBraninSpace(), HpoTestFunctions::mixedBranin, BRANIN_MIN),
                new Problem("Mixed Hartmann-3", mixedHartmann3Space(), HpoTestFunctions::mixedHartmann3, HARTMANN3_MIN));
    }

    /** x1..xd, each linear in [low, high]. */
    static SearchSpace box(int d, double low, double high) {
        SearchSpace.Builder b = SearchSpace.builder();
        for (int i = 1; i <= d; i++) {
            b.add("x" + i, FloatRange.linear(low, high));
        }
        return b.build();
    }

    static double[] vector(Map<String, Object> p, int d) {
        double[] x = new double[d];
        for (int i = 0; i < d; i++) {
            x[i] = ((Number) p.get("x" + (i + 1))).doubleValue();
        }
        return x;
    }

    /** sum_{i<d} 100 (x_{i+1} - x_i^2)^2 + (x_i - 1)^2; minimum 0 at (1, ..., 1). */
    static double rosenbrock(double[] x) {
        double s = 0;
        for (int i = 0; i + 1 < x.length; i++) {
            double a = x[i + 1] - x[i] * x[i];
            double b = x[i] - 1;
            s += 100 * a * a + b * b;
        }
        return s;
    }

    /** (x_1 - 1)^2 + sum_{i=2..d} i (2 x_i^2 - x_{i-1})^2; minimum 0. */
    static double dixonPrice(double[] x) {
        double s = (x[0] - 1) * (x[0] - 1);
        for (int i = 1; i < x.length; i++) {
            double a = 2 * x[i] * x[i] - x[i - 1];
            s += (i + 1) * a * a;
        }
        return s;
    }

    /** Ackley with a = 20, b = 0.2, c = 2 pi; minimum 0 at the origin. */
    static double ackley(double[] x) {
        double sq = 0;
        double cos = 0;
        for (double v : x) {
            sq += v * v;
            cos += Math.cos(2 * Math.PI * v);
        }
        int d = x.length;
        return -20 * Math.exp(-0.2 * Math.sqrt(sq / d)) - Math.exp(cos / d) + 20 + Math.E;
    }

    /** Levy; minimum 0 at (1, ..., 1). */
    static double levy(double[] x) {
        int d = x.length;
        double[] w = new double[d];
        for (int i = 0; i < d; i++) {
            w[i] = 1 + (x[i] - 1) / 4;
        }
        double s = Math.pow(Math.sin(Math.PI * w[0]), 2);
        for (int i = 0; i + 1 < d; i++) {
            double a = Math.sin(Math.PI * w[i] + 1);
            s += (w[i] - 1) * (w[i] - 1) * (1 + 10 * a * a);
        }
        double b = Math.sin(2 * Math.PI * w[d - 1]);
        return s + (w[d - 1] - 1) * (w[d - 1] - 1) * (1 + b * b);
    }

    /** Branin's x1, x2, an integer k in [0, 8] and a categorical c; the best is c = "c", k = 5. */
    static SearchSpace mixedBraninSpace() {
        return SearchSpace.builder().add("x1", FloatRange.linear(-5, 10)).add("x2", FloatRange.linear(0, 15))
                .add("k", IntRange.linear(0, 8)).add("c", CategoricalRange.of("a", "b", "c")).build();
    }

    private static final Map<String, Double> MIXED_BRANIN_OFFSET = Map.of("a", 4.0, "b", 1.5, "c", 0.0);

    /** branin(x1, x2) + 0.25 (k - 5)^2 + offset(c), offsets a 4, b 1.5, c 0; minimum Branin's. */
    static double mixedBranin(Map<String, Object> p) {
        int k = ((Number) p.get("k")).intValue();
        return branin(p) + 0.25 * (k - 5) * (k - 5) + MIXED_BRANIN_OFFSET.get((String) p.get("c"));
    }

    /** Hartmann-3's minimum. */
    static final double HARTMANN3_MIN = -3.86278;
    private static final double[][] H3_A = {{3, 10, 30}, {0.1, 10, 35}, {3, 10, 30}, {0.1, 10, 35}};
    private static final double[][] H3_P = {
        {0.3689, 0.1170, 0.2673}, {0.4699, 0.4387, 0.7470}, {0.1091, 0.8732, 0.5547}, {0.0381, 0.5743, 0.8828}};

    static double hartmann3(double[] x) {
        double sum = 0;
        for (int i = 0; i < 4; i++) {
            double e = 0;
            for (int j = 0; j < 3; j++) {
                double d = x[j] - H3_P[i][j];
                e += H3_A[i][j] * d * d;
            }
            sum += H6_ALPHA[i] * Math.exp(-e);
        }
        return -sum;
    }

    /** Hartmann-3's x1..x3 in [0, 1], an integer n in [1, 64] (log scale) and a categorical opt. */
    static SearchSpace mixedHartmann3Space() {
        return SearchSpace.builder().add("x1", FloatRange.linear(0, 1)).add("x2", FloatRange.linear(0, 1))
                .add("x3", FloatRange.linear(0, 1)).add("n", IntRange.log(1, 64))
                .add("opt", CategoricalRange.of("sgd", "adam", "rmsprop", "adagrad")).build();
    }

    private static final Map<String, Double> MIXED_HARTMANN_OFFSET =
            Map.of("sgd", 1.0, "adam", 0.4, "rmsprop", 0.0, "adagrad", 0.7);

    /**
     * hartmann3(x) + 0.1 (log2 n - 4)^2 + offset(opt), offsets sgd 1, adam 0.4, rmsprop 0, adagrad
     * 0.7; minimum Hartmann-3's, at n = 16 and opt = rmsprop.
     */
    static double mixedHartmann3(Map<String, Object> p) {
        double l = Math.log(((Number) p.get("n")).intValue()) / Math.log(2) - 4;
        return hartmann3(vector(p, 3)) + 0.1 * l * l + MIXED_HARTMANN_OFFSET.get((String) p.get("opt"));
    }
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
