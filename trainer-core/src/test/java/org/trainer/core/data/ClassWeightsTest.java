package org.trainer.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.trainer.core.Fixtures.ints;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.trainer.core.GradMode;
import org.trainer.core.Tensor;
import org.trainer.core.loss.CrossEntropyLoss;

class ClassWeightsTest {

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void balancedWeightsMatchScikitLearn() {
        JsonNode cases = DataFixtures.root().get("classWeights");
        assertEquals(5, cases.size());
        for (JsonNode c : cases) {
            double[] got = ClassWeights.balanced(ints(c.get("labels")), c.get("numClasses").asInt());
            JsonNode want = c.get("weights");
            assertEquals(want.size(), got.length);
            for (int k = 0; k < got.length; k++) {
                assertEquals(want.get(k).asDouble(), got[k], 1e-12 * want.get(k).asDouble(), c.get("name") + " class " + k);
            }
        }
    }

    @Test
    void everyClassCarriesTheSameTotalWeight() {
        int[] y = Digits.load().targets().toIntArray();
        double[] w = ClassWeights.balanced(y, 10);
        long[] counts = ClassWeights.counts(y, 10);
        for (int c = 0; c < 10; c++) {
            assertEquals(y.length / 10.0, w[c] * counts[c], 1e-9);
        }
    }

    @Test
    void theWeightsFeedCrossEntropyAsAnAverageOverClasses() {
        // 8 samples of class 0 and 2 of class 1, each class predicted with its own constant logits:
        // with balanced weights the mean loss is the plain average of the two classes' losses.
        int[] y = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
        float[] w = ClassWeights.asFloats(ClassWeights.balanced(y, 2));
        assertArrayEquals(new float[] {0.625f, 2.5f}, w);
        float[] logits = new float[20];
        for (int i = 0; i < 10; i++) {
            logits[2 * i] = y[i] == 0 ? 2f : 0.5f;
        }
        try (GradMode off = Tensor.noGrad()) {
            Tensor x = Tensor.fromArray(logits, 10, 2);
            double loss = new CrossEntropyLoss().withWeights(w).compute(x, Tensor.fromArray(y, 10)).item();
            double loss0 = -Math.log(Math.exp(2) / (Math.exp(2) + 1));   // class 0: logits (2, 0)
            double loss1 = -Math.log(1 / (Math.exp(0.5) + 1));           // class 1: logits (0.5, 0)
            assertEquals((loss0 + loss1) / 2, loss, 1e-6);
        }
    }

    @Test
    void labelsOutsideTheClassesAndAbsentClassesAreRefused() {
        assertEquals("ClassWeights.balanced: labels[3] is 3, expected a class in [0, 3)",
                error(() -> ClassWeights.balanced(new int[] {0, 1, 2, 3}, 3)));
        assertEquals("ClassWeights.counts: labels[0] is -1, expected a class in [0, 2)",
                error(() -> ClassWeights.counts(new int[] {-1}, 2)));
        assertEquals("ClassWeights.balanced: class 1 has no samples among the 3 labels; a balanced weight"
                + " n / (k x count) needs every class present", error(() -> ClassWeights.balanced(new int[] {0, 2, 2}, 3)));
        assertEquals("ClassWeights.balanced: numClasses must be >= 1, got 0",
                error(() -> ClassWeights.balanced(new int[] {0}, 0)));
    }
}
