package org.trainer.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.trainer.core.Fixtures;
import org.trainer.core.Tensor;

/**
 * Streaming is exact: updating batch by batch (uneven batches, including an empty one) gives the
 * one-shot value over the concatenation, for every metric and every fixture case; reset() returns
 * a metric to its fresh state.
 */
class MetricsStreamingTest {

    private static void assertStreamingEqualsOneShot(String what, Supplier<Metric> make, Tensor x, Tensor y,
                                                      double tol) {
        Metric oneShot = make.get();
        oneShot.update(x, y);
        Metric streamed = make.get();
        int n = x.size(0);
        // Uneven batches, an empty one and one of a single sample.
        int[] bounds = {0, n / 7, n / 7, n / 2, n / 2 + 1, n - 3, n};
        for (int b = 0; b + 1 < bounds.length; b++) {
            streamed.update(x.narrow(0, bounds[b], bounds[b + 1] - bounds[b]),
                    y.narrow(0, bounds[b], bounds[b + 1] - bounds[b]));
        }
        assertEquals(oneShot.compute(), streamed.compute(), tol, what + " " + streamed.name());
        // After a reset, one update is the one-shot again.
        streamed.reset();
        assertTrue(Double.isNaN(streamed.compute()), what + ": a reset " + streamed.name() + " reports NaN");
        streamed.update(x, y);
        assertEquals(oneShot.compute(), streamed.compute(), tol, what + " " + streamed.name() + " after reset");
    }

    @Test
    void classificationMetricsStreamExactly() {
        for (JsonNode c : MetricFixtures.root().get("classification")) {
            String name = c.get("name").asText();
            int k = c.get("numClasses").asInt();
            Tensor scores = Fixtures.tensor(c.get("scores"));
            Tensor labels = MetricFixtures.labels(c.get("labels"));
            List<Supplier<Metric>> metrics = List.of(Accuracy::new, () -> new TopKAccuracy(2),
                    () -> new Precision(k), () -> new Recall(k), () -> new F1Score(k), () -> new ConfusionMatrix(k));
            for (Supplier<Metric> m : metrics) {
                assertStreamingEqualsOneShot(name, m, scores, labels, 0);
            }
        }
    }

    @Test
    void regressionMetricsStreamToRounding() {
        for (JsonNode c : MetricFixtures.root().get("regression")) {
            String name = c.get("name").asText();
            Tensor x = Fixtures.tensor(c.get("prediction"));
            Tensor y = Fixtures.tensor(c.get("target"));
            for (Supplier<Metric> m : List.<Supplier<Metric>>of(MeanSquaredError::new, MeanAbsoluteError::new,
                    R2Score::new)) {
                assertStreamingEqualsOneShot(name, m, x, y, 1e-12);
            }
        }
    }

    @Test
    void confusionMatrixAddsUpAcrossBatches() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.update(Tensor.fromArray(new int[] {0, 1, 2}, 3), Tensor.fromArray(new int[] {0, 2, 2}, 3));
        cm.update(Tensor.fromArray(new int[] {1, 1}, 2), Tensor.fromArray(new int[] {0, 1}, 2));
        int[][] expected = {{1, 1, 0}, {0, 1, 0}, {0, 1, 1}};
        for (int t = 0; t < 3; t++) {
            assertArrayEquals(expected[t], cm.matrix()[t]);
        }
        assertEquals(5, cm.total());
    }
}
