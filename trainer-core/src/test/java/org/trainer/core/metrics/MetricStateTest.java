package org.trainer.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.trainer.core.DType;
import org.trainer.core.Fixtures;
import org.trainer.core.Tensor;
import org.trainer.core.train.checkpoint.Stateful;

/**
 * A metric's state survives a checkpoint: update with the first part of the data, save the state,
 * load it into a fresh metric, update both with the rest: the two values are bitwise equal, for
 * every built-in metric on every fixture case (including a save before any sample). A state that
 * does not fit is refused with the key named.
 */
class MetricStateTest {

    private static void assertResumesExactly(String what, Supplier<Metric> make, Tensor x, Tensor y) {
        int n = x.size(0);
        for (int cut : new int[] {0, n / 3, n}) {
            Metric straight = make.get();
            straight.update(x.narrow(0, 0, cut), y.narrow(0, 0, cut));
            Map<String, Tensor> saved = ((Stateful) straight).stateDict();
            Metric resumed = make.get();
            ((Stateful) resumed).loadStateDict(saved);
            assertEquals(Double.doubleToLongBits(straight.compute()), Double.doubleToLongBits(resumed.compute()),
                    what + " " + straight.name() + " at the cut " + cut);
            straight.update(x.narrow(0, cut, n - cut), y.narrow(0, cut, n - cut));
            resumed.update(x.narrow(0, cut, n - cut), y.narrow(0, cut, n - cut));
            assertEquals(Double.doubleToLongBits(straight.compute()), Double.doubleToLongBits(resumed.compute()),
                    what + " " + straight.name() + " resumed at " + cut + ": " + straight.compute() + " vs "
                            + resumed.compute());
        }
    }

    @Test
    void classificationMetricsResumeBitwise() {
        for (JsonNode c : MetricFixtures.root().get("classification")) {
            int k = c.get("numClasses").asInt();
            Tensor scores = Fixtures.tensor(c.get("scores"));
            Tensor labels = MetricFixtures.labels(c.get("labels"));
            for (Supplier<Metric> m : List.<Supplier<Metric>>of(Accuracy::new, () -> new TopKAccuracy(2),
                    () -> new Precision(k), () -> new Recall(k), () -> new F1Score(k), () -> new ConfusionMatrix(k))) {
                assertResumesExactly(c.get("name").asText(), m, scores, labels);
            }
        }
    }

    @Test
    void regressionMetricsResumeBitwise() {
        for (JsonNode c : MetricFixtures.root().get("regression")) {
            Tensor x = Fixtures.tensor(c.get("prediction"));
            Tensor y = Fixtures.tensor(c.get("target"));
            for (Supplier<Metric> m : List.<Supplier<Metric>>of(MeanSquaredError::new, MeanAbsoluteError::new,
                    R2Score::new)) {
                assertResumesExactly(c.get("name").asText(), m, x, y);
            }
        }
    }

    @Test
    void aStateThatDoesNotFitIsRefusedWithTheKeyNamed() {
        Accuracy a = new Accuracy();
        var e = assertThrows(IllegalArgumentException.class,
                () -> a.loadStateDict(Map.of("correct", Tensor.full(DType.FLOAT64, 3))));
        assertEquals("Accuracy.loadStateDict: missing [total], unexpected [] (expected [correct, total])", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.loadStateDict(Map.of("correct",
                Tensor.full(DType.FLOAT64, 3), "total", Tensor.full(DType.FLOAT64, 2.5))));
        assertEquals("Accuracy.loadStateDict: 'total' must be a whole number >= 0, got 2.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.loadStateDict(Map.of("correct",
                Tensor.full(DType.FLOAT64, 3), "total", Tensor.full(DType.FLOAT64, 2))));
        assertEquals("Accuracy.loadStateDict: correct (3) exceeds total (2)", e.getMessage());

        F1Score f1 = new F1Score(3);
        e = assertThrows(IllegalArgumentException.class,
                () -> f1.loadStateDict(Map.of("counts", Tensor.zeros(DType.FLOAT64, 2, 2))));
        assertEquals("F1Score.loadStateDict: 'counts' has shape [2, 2], expected [3, 3]", e.getMessage());

        Map<String, Tensor> r2 = new LinkedHashMap<>(new R2Score().stateDict());
        r2.put("count", Tensor.full(DType.FLOAT64, 4));
        e = assertThrows(IllegalArgumentException.class, () -> new R2Score().loadStateDict(r2));
        assertTrue(e.getMessage().startsWith("R2Score.loadStateDict: count is 4 but the moments are missing"));
    }
}
