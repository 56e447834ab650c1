package org.trainer.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.Fixtures;
import org.trainer.core.Tensor;

/**
 * Every metric against scikit-learn 1.2 on the cases of {@code reference/metrics/metrics.json}:
 * accuracy, top-k accuracy for every k &lt; C, macro precision / recall / F1 with zero_division=0
 * (including a class that is never predicted, and classes absent from labels, predictions or both),
 * the per-class figures, the confusion matrix, MSE, MAE and R^2 (several outputs, targets far from
 * zero, a constant target column, a perfect fit).
 */
class MetricsReferenceTest {
    private static final double TOL = 1e-12;

    @TestFactory
    Stream<DynamicTest> classificationMatchesScikitLearn() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : MetricFixtures.root().get("classification")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> classification(c)));
        }
        assertTrue(tests.size() >= 4, "expected every classification case, got " + tests.size());
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> regressionMatchesScikitLearn() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : MetricFixtures.root().get("regression")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> regression(c)));
        }
        assertTrue(tests.size() >= 5, "expected every regression case, got " + tests.size());
        return tests.stream();
    }

    private static void classification(JsonNode c) {
        String name = c.get("name").asText();
        int numClasses = c.get("numClasses").asInt();
        Tensor scores = Fixtures.tensor(c.get("scores"));
        Tensor labels = MetricFixtures.labels(c.get("labels"));
        Tensor predictedLabels = scores.argmax(1, false);

        assertEquals(c.get("accuracy").asDouble(), once(new Accuracy(), scores, labels), TOL, name + " accuracy");
        assertEquals(c.get("precision").asDouble(), once(new Precision(numClasses), scores, labels), TOL,
                name + " precision");
        assertEquals(c.get("recall").asDouble(), once(new Recall(numClasses), scores, labels), TOL, name + " recall");
        assertEquals(c.get("f1").asDouble(), once(new F1Score(numClasses), scores, labels), TOL, name + " f1");
        Iterator<Map.Entry<String, JsonNode>> topK = c.get("topK").fields();
        while (topK.hasNext()) {
            Map.Entry<String, JsonNode> e = topK.next();
            int k = Integer.parseInt(e.getKey());
            assertEquals(e.getValue().asDouble(), once(new TopKAccuracy(k), scores, labels), TOL, name + " top" + k);
        }

        ConfusionMatrix cm = new ConfusionMatrix(numClasses);
        cm.update(scores, labels);
        JsonNode expected = c.get("confusionMatrix");
        for (int t = 0; t < numClasses; t++) {
            assertArrayEquals(Fixtures.ints(expected.get(t)), cm.matrix()[t], name + " confusion row " + t);
        }
        assertEquals(c.get("accuracy").asDouble(), cm.compute(), TOL, name + " confusion-matrix accuracy");
        assertArrayEquals(MetricFixtures.doubles(c.get("precisionPerClass")), cm.precisionPerClass(), TOL,
                name + " precision per class");
        assertArrayEquals(MetricFixtures.doubles(c.get("recallPerClass")), cm.recallPerClass(), TOL,
                name + " recall per class");
        assertArrayEquals(MetricFixtures.doubles(c.get("f1PerClass")), cm.f1PerClass(), TOL, name + " f1 per class");

        // INT32 predicted labels are an equivalent way in.
        assertEquals(c.get("accuracy").asDouble(), once(new Accuracy(), predictedLabels, labels), TOL);
        assertEquals(c.get("f1").asDouble(), once(new F1Score(numClasses), predictedLabels, labels), TOL);
    }

    private static void regression(JsonNode c) {
        String name = c.get("name").asText();
        Tensor x = Fixtures.tensor(c.get("prediction"));
        Tensor y = Fixtures.tensor(c.get("target"));
        assertEquals(c.get("mse").asDouble(), once(new MeanSquaredError(), x, y), 1e-12, name + " mse");
        assertEquals(c.get("mae").asDouble(), once(new MeanAbsoluteError(), x, y), 1e-12, name + " mae");
        // scikit-learn centres with a two-pass mean; the one-pass merge differs in the last bits.
        assertEquals(c.get("r2").asDouble(), once(new R2Score(), x, y), 1e-9, name + " r2");
    }

    static double once(Metric m, Tensor prediction, Tensor target) {
        m.update(prediction, target);
        return m.compute();
    }
}
