package org.trainer.core.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.DType;
import org.trainer.core.GradientCheck;
import org.trainer.core.GradMode;
import org.trainer.core.Tensor;

/**
 * Finite-difference gradient check of every loss in float64. For inputs x and a loss f, with a fixed
 * random w of f's shape, L = sum(f(x) * w); the analytic dL/dx from backward must match the central
 * difference (L(x + h e_j) - L(x - h e_j)) / 2h for every element j of every floating input
 * (prediction, and the target where the loss is differentiable in it).
 */
class LossGradCheckTest {
    private static final double H = 1e-6;
    private static final float[] WEIGHTS = {0.3f, 1.7f, 1f, 2.2f};

    record Row(String name, Loss loss, Supplier<Tensor[]> inputs) {
    }

    private static long seed = 500;

    static Tensor normal(double scale, int... shape) {
        return Tensor.random(DType.FLOAT64, true, 0, scale, seed++, shape);
    }

    static Tensor uniform(double lo, double hi, int... shape) {
        return Tensor.random(DType.FLOAT64, false, lo, hi, seed++, shape);
    }

    static Tensor probabilities(int n, int c) {
        try (GradMode g = Tensor.noGrad()) {
            return normal(1, n, c).softmax(1);
        }
    }

    static Tensor labels() {
        return Tensor.fromArray(new int[] {3, 0, 1, 3, 3}, 5);
    }

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (Reduction r : Reduction.values()) {
            CrossEntropyLoss plain = new CrossEntropyLoss().withReduction(r);
            CrossEntropyLoss full = plain.withWeights(WEIGHTS).withLabelSmoothing(0.15);
            rows.add(new Row("ceLabels_" + r, plain, () -> new Tensor[] {normal(2, 5, 4), labels()}));
            rows.add(new Row("ceLabelsWeightedSmoothed_" + r, full, () -> new Tensor[] {normal(2, 5, 4), labels()}));
            rows.add(new Row("ceProbs_" + r, plain, () -> new Tensor[] {normal(2, 5, 4), probabilities(5, 4)}));
            rows.add(new Row("ceProbsWeightedSmoothed_" + r, full,
                    () -> new Tensor[] {normal(2, 5, 4), probabilities(5, 4)}));
            // Logits from -30 to 30 and one exactly 0, where the formula changes branch.
            rows.add(new Row("bce_" + r, new BinaryCrossEntropyWithLogitsLoss(r), () -> new Tensor[] {
                Tensor.fromArray(new double[] {-30, -4, -0.7, 0, 0.2, 1.5, 6, 30}, 2, 4), uniform(0, 1, 2, 4)}));
            rows.add(new Row("mse_" + r, new MseLoss(r), () -> new Tensor[] {normal(1, 3, 4), normal(1, 3, 4)}));
            // L1 and Huber: predictions and targets on opposite sides of 0.5, so no difference is near 0.
            rows.add(new Row("l1_" + r, new L1Loss(r),
                    () -> new Tensor[] {uniform(0.6, 3, 3, 4), uniform(-2, 0.4, 3, 4)}));
            rows.add(new Row("huber_" + r, new HuberLoss(1.3, r), () -> new Tensor[] {
                Tensor.fromArray(new double[] {0.1, 0.9, 2.0, -1.0, 3.5, 0.2}, 2, 3),
                Tensor.fromArray(new double[] {0.6, 0.0, -1.1, 0.5, 0.0, -3.0}, 2, 3)}));
        }
        return rows;
    }

    @TestFactory
    Stream<DynamicTest> gradientsMatchFiniteDifferences() {
        return rows().stream().map(r -> DynamicTest.dynamicTest(r.name(), () -> check(r)));
    }

    private static void check(Row r) {
        Tensor[] x = r.inputs().get();
        assertEquals(DType.FLOAT64, r.loss().compute(x[0], x[1]).dtype(),
                r.name() + ": a float64 prediction gives a float64 loss");
        GradientCheck.assertMatches(r.name(), t -> r.loss().compute(t[0], t[1]), x, H, 1e-6);
    }
}
